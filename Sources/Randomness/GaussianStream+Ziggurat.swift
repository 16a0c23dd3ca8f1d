/// The ziggurat fills: the same window semantics as the Box–Muller ones, with
///
///     normal(path: p, draw: n) = Ziggurat(word n % 4 of Philox4x32-10(counter: (n/4 lo, n/4 hi, p, stream), key: seed))
///
/// for Double and Float alike (the Float variate is the same construction rounded to Float).
///
/// `fill` runs the C kernels (`Sources/CRandomKernels/ziggurat_body.h`, AVX-512 / AVX2 gathers from the
/// layer tables); the `zigguratReferenceFill` functions below are the Swift definition they reproduce
/// bit for bit (RandomKernelTests compare every supported level with them).
extension GaussianStream {
    @inlinable
    func zigguratFill(firstPath: Int, lanes: Int, firstDraw: Int, draws: Int, stride: Int, into buffer: UnsafeMutablePointer<Double>) {
        kernelZigguratFill(level: RandomKernel.level, firstPath: firstPath, padded: Self.paddedLanes(lanes), firstDraw: firstDraw,
                           draws: draws, stride: stride, into: buffer)
    }

    @inlinable
    func zigguratFill(firstPath: Int, lanes: Int, firstDraw: Int, draws: Int, stride: Int, into buffer: UnsafeMutablePointer<Float>) {
        kernelZigguratFill(level: RandomKernel.level, firstPath: firstPath, padded: Self.paddedLanes(lanes), firstDraw: firstDraw,
                           draws: draws, stride: stride, into: buffer)
    }

    @inlinable
    func zigguratFill(paths: UnsafePointer<UInt64>, firstDraws: UnsafePointer<UInt64>, draws: Int, stride: Int,
                      into buffer: UnsafeMutablePointer<Double>) {
        kernelZigguratFill(level: RandomKernel.level, paths: paths, firstDraws: firstDraws, draws: draws, stride: stride, into: buffer)
    }

    /// The Swift ziggurat Double fill (window semantics of `fill`), the definition the C kernels reproduce.
    @inlinable
    public func zigguratReferenceFill(firstPath: Int, lanes: Int, firstDraw: Int, draws: Int, stride: Int,
                                      into buffer: UnsafeMutablePointer<Double>) {
        let padded = Self.paddedLanes(lanes)
        let table = ZigguratLookup.shared
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: ZigguratPending.storage) { scratch in
            var pending = ZigguratPending(entries: scratch.baseAddress!)
            var quad = firstDraw >> 2
            while 4 * quad < firstDraw + draws {
                var lane = 0
                while lane < padded {
                    let paths = LaneWords(repeating: UInt64(firstPath + lane)) &+ LaneWords(0, 1, 2, 3, 4, 5, 6, 7)
                    let w = laneWords(paths: paths, counters: LaneWords(repeating: UInt64(quad)))
                    @inline(__always) func emit(_ word: LaneWords, _ k: Int) {
                        let row = 4 * quad + k - firstDraw
                        guard row >= 0 && row < draws else { return }
                        let (z, slow) = zigguratDoubles(word, table)
                        let offset = row * stride + lane
                        UnsafeMutableRawPointer(buffer + offset).storeBytes(of: z, as: LaneDoubles.self)
                        if any(slow) {
                            let draw = LaneWords(repeating: UInt64(4 * quad + k))
                            for l in 0..<8 where slow[l] { pending.add(lane: l, words: word, paths: paths, draws: draw, offset: offset) }
                            if pending.count >= 8 { drain(&pending, into: buffer, all: false) }
                        }
                    }
                    emit(w.0, 0)
                    emit(w.1, 1)
                    emit(w.2, 2)
                    emit(w.3, 3)
                    lane += 8
                }
                quad += 1
            }
            drain(&pending, into: buffer, all: true)
        }
    }

    /// The Swift ziggurat Float fill.
    @inlinable
    public func zigguratReferenceFill(firstPath: Int, lanes: Int, firstDraw: Int, draws: Int, stride: Int,
                                      into buffer: UnsafeMutablePointer<Float>) {
        let padded = Self.paddedLanes(lanes)
        let table = ZigguratLookup.shared
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: ZigguratPending.storage) { scratch in
            var pending = ZigguratPending(entries: scratch.baseAddress!)
            var quad = firstDraw >> 2
            while 4 * quad < firstDraw + draws {
                var lane = 0
                while lane < padded {
                    let paths = LaneWords(repeating: UInt64(firstPath + lane)) &+ LaneWords(0, 1, 2, 3, 4, 5, 6, 7)
                    let w = laneWords(paths: paths, counters: LaneWords(repeating: UInt64(quad)))
                    @inline(__always) func emit(_ word: LaneWords, _ k: Int) {
                        let row = 4 * quad + k - firstDraw
                        guard row >= 0 && row < draws else { return }
                        let (z, slow) = zigguratFloats(word, table)
                        let offset = row * stride + lane
                        UnsafeMutableRawPointer(buffer + offset).storeBytes(of: z, as: SIMD8<Float>.self)
                        if any(slow) {
                            let draw = LaneWords(repeating: UInt64(4 * quad + k))
                            for l in 0..<8 where slow[l] { pending.add(lane: l, words: word, paths: paths, draws: draw, offset: offset) }
                            if pending.count >= 8 { drain(&pending, into: buffer, all: false) }
                        }
                    }
                    emit(w.0, 0)
                    emit(w.1, 1)
                    emit(w.2, 2)
                    emit(w.3, 3)
                    lane += 8
                }
                quad += 1
            }
            drain(&pending, into: buffer, all: true)
        }
    }

    /// Per-lane paths and positions (see the Box–Muller `fill(paths:firstDraws:...)`); any
    /// `firstDraws` and `draws` are allowed. When every lane of a group starts on a block
    /// boundary the four words of a block fill four rows; otherwise each row reads its own block.
    @inlinable
    public func zigguratReferenceFill(paths: UnsafePointer<UInt64>, firstDraws: UnsafePointer<UInt64>, draws: Int, stride: Int,
                                      into buffer: UnsafeMutablePointer<Double>) {
        precondition(stride % 8 == 0, "stride must be a multiple of 8")
        let table = ZigguratLookup.shared
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: ZigguratPending.storage) { scratch in
            var pending = ZigguratPending(entries: scratch.baseAddress!)
            var lane = 0
            while lane < stride {
                let p = UnsafeRawPointer(paths + lane).loadUnaligned(as: LaneWords.self)
                let first = UnsafeRawPointer(firstDraws + lane).loadUnaligned(as: LaneWords.self)
                let aligned = first & 3 == LaneWords(repeating: 0)
                var row = 0
                while row < draws {
                    let draw = first &+ LaneWords(repeating: UInt64(row))
                    let w = laneWords(paths: p, counters: draw &>> 2)
                    @inline(__always) func emit(_ word: LaneWords, _ k: Int) {
                        guard row + k < draws else { return }
                        let (z, slow) = zigguratDoubles(word, table)
                        let offset = (row + k) * stride + lane
                        UnsafeMutableRawPointer(buffer + offset).storeBytes(of: z, as: LaneDoubles.self)
                        if any(slow) {
                            let d = draw &+ LaneWords(repeating: UInt64(k))
                            for l in 0..<8 where slow[l] { pending.add(lane: l, words: word, paths: p, draws: d, offset: offset) }
                            if pending.count >= 8 { drain(&pending, into: buffer, all: false) }
                        }
                    }
                    if aligned {
                        emit(w.0, 0)
                        emit(w.1, 1)
                        emit(w.2, 2)
                        emit(w.3, 3)
                        row += 4
                    } else {
                        let which = draw & 3
                        var word = w.0
                        word.replace(with: w.1, where: which .== 1)
                        word.replace(with: w.2, where: which .== 2)
                        word.replace(with: w.3, where: which .== 3)
                        emit(word, 0)
                        row += 1
                    }
                }
                lane += 8
            }
            drain(&pending, into: buffer, all: true)
        }
    }

    @inlinable @inline(__always)
    func drain(_ pending: inout ZigguratPending, into buffer: UnsafeMutablePointer<Double>, all: Bool) {
        ZigguratFallback.drain(&pending, into: UnsafeMutableRawPointer(buffer), float: false, all: all, stream: stream.rawValue, key: key)
    }

    @inlinable @inline(__always)
    func drain(_ pending: inout ZigguratPending, into buffer: UnsafeMutablePointer<Float>, all: Bool) {
        ZigguratFallback.drain(&pending, into: UnsafeMutableRawPointer(buffer), float: true, all: all, stream: stream.rawValue, key: key)
    }

    @inlinable
    func zigguratWord(path: Int, draw: Int) -> LaneWords {
        let w = blockWords(firstPath: path, counter: UInt64(draw >> 2))
        switch draw & 3 {
        case 0: return w.0
        case 1: return w.1
        case 2: return w.2
        default: return w.3
        }
    }

    @inlinable
    func zigguratNormal(path: Int, draw: Int) -> Double {
        let word = zigguratWord(path: path, draw: draw)
        let (z, slow) = zigguratDoubles(word, ZigguratLookup.shared)
        guard slow[0] else { return z[0] }
        return ZigguratFallback.resolve(words: word, paths: LaneWords(repeating: UInt64(path)), draws: LaneWords(repeating: UInt64(draw)),
                                        stream: stream.rawValue, key: key, table: ZigguratLookup.shared)[0]
    }

    @inlinable
    func zigguratNormalFloat(path: Int, draw: Int) -> Float {
        let word = zigguratWord(path: path, draw: draw)
        let (z, slow) = zigguratFloats(word, ZigguratLookup.shared)
        guard slow[0] else { return z[0] }
        return Float(ZigguratFallback.resolve(words: word, paths: LaneWords(repeating: UInt64(path)), draws: LaneWords(repeating: UInt64(draw)),
                                              stream: stream.rawValue, key: key, table: ZigguratLookup.shared)[0])
    }
}

/// Slow words waiting for `ZigguratFallback`, with where their variates go (indices into the
/// fill's buffer). Batching them lets the fallback run on full SIMD lanes. The entries live in a
/// stack buffer of the fill: four columns (words, paths, draws, destinations) of `capacity`,
/// enough for seven waiting entries plus a full vector of eight.
@usableFromInline
struct ZigguratPending {
    @usableFromInline static let capacity = 16
    @usableFromInline static let storage = 4 * capacity
    @usableFromInline let entries: UnsafeMutablePointer<UInt64>
    @usableFromInline var count = 0

    @inlinable init(entries: UnsafeMutablePointer<UInt64>) { self.entries = entries }

    @inlinable @inline(__always)
    mutating func add(lane: Int, words w: LaneWords, paths p: LaneWords, draws d: LaneWords, offset: Int) {
        entries[count] = w[lane]
        entries[Self.capacity + count] = p[lane]
        entries[2 * Self.capacity + count] = d[lane]
        entries[3 * Self.capacity + count] = UInt64(offset + lane)
        count += 1
    }
}
