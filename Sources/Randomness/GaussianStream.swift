/// Standard normal variates named by (seed, stream, path, draw).
///
/// With `method: .boxMuller` (the default),
///
///     normal(path: p, draw: n) = BoxMuller(Philox4x32-10(counter: (n/2 lo, n/2 hi, p, stream), key: seed))[n % 2]
///
/// for Double; for Float one block yields four variates, `draw / 4` selects the block. With
/// `.ziggurat` every variate, Double or Float, takes one 32-bit word, `draw / 4` selects the block
/// (see `GaussianStream+Ziggurat.swift`). Paths must be below 2^32, draws below 2^64. Because the
/// value depends on nothing else, a simulation that asks for the same (path, draw) gets the same
/// number whichever thread or shard runs it.
public struct GaussianStream: Sendable, Hashable {
    public let seed: UInt64
    public let stream: StreamID
    public let method: NormalMethod
    @usableFromInline let key: (UInt32, UInt32)

    public init(seed: UInt64, stream: StreamID = .driving, method: NormalMethod = .standard) {
        precondition(method != .ziggurat || stream.rawValue < 1 << 30, "stream IDs from 2^30 up are reserved for the ziggurat's fallback")
        self.seed = seed
        self.stream = stream
        self.method = method
        self.key = philoxKey(seed)
    }

    public static func == (a: Self, b: Self) -> Bool { a.seed == b.seed && a.stream == b.stream && a.method == b.method }
    public func hash(into h: inout Hasher) { h.combine(seed); h.combine(stream); h.combine(method) }

    /// The number of lanes a fill writes per row: lanes rounded up to a multiple of 8.
    @inlinable public static func paddedLanes(_ lanes: Int) -> Int { (lanes + 7) & ~7 }

    @inlinable @inline(__always)
    func blockWords(firstPath: Int, counter: UInt64) -> (LaneWords, LaneWords, LaneWords, LaneWords) {
        laneWords(paths: LaneWords(repeating: UInt64(firstPath)) &+ LaneWords(0, 1, 2, 3, 4, 5, 6, 7), counters: LaneWords(repeating: counter))
    }

    /// The Philox block of each lane's (path, counter): the one place the stream's words are laid out.
    @inlinable @inline(__always)
    func laneWords(paths: LaneWords, counters: LaneWords) -> (LaneWords, LaneWords, LaneWords, LaneWords) {
        Philox4x32.lanes(counters & 0xffff_ffff, counters &>> 32, paths & 0xffff_ffff, LaneWords(repeating: UInt64(stream.rawValue)), key: key)
    }

    /// Fills `buffer[j * stride + i] = normal(path: firstPath + i, draw: firstDraw + j)` for
    /// i in 0..<paddedLanes(lanes) and j in 0..<draws.
    ///
    /// - Precondition: `stride >= paddedLanes(lanes)` and the buffer holds `draws * stride` values.
    /// - Complexity: O(lanes * draws); about 1.8 ns per variate per core with AVX-512.
    @inlinable
    public func fill(firstPath: Int, lanes: Int, firstDraw: Int, draws: Int, stride: Int,
                     into buffer: UnsafeMutablePointer<Double>) {
        precondition(firstPath >= 0 && firstPath + lanes <= 1 << 32, "path index out of range")
        let padded = Self.paddedLanes(lanes)
        precondition(stride >= padded, "row stride too small")
        guard draws > 0 else { return }
        if method == .ziggurat {
            return zigguratFill(firstPath: firstPath, lanes: lanes, firstDraw: firstDraw, draws: draws, stride: stride, into: buffer)
        }
        kernelFill(level: RandomKernel.level, firstPath: firstPath, padded: padded, firstDraw: firstDraw, draws: draws, stride: stride, into: buffer)
    }

    /// The Swift Box–Muller fill the C kernels reproduce bit for bit (tests and `bench rng` compare them).
    @inlinable
    public func referenceFill(firstPath: Int, lanes: Int, firstDraw: Int, draws: Int, stride: Int,
                              into buffer: UnsafeMutablePointer<Double>) {
        let padded = Self.paddedLanes(lanes)
        precondition(stride >= padded, "row stride too small")
        guard draws > 0 else { return }
        let end = firstDraw + draws
        var pair = firstDraw >> 1
        while 2 * pair < end {
            let even = 2 * pair - firstDraw, odd = even + 1
            var lane = 0
            while lane < padded {
                let (c, s) = boxMullerDoubles(blockWords(firstPath: firstPath + lane, counter: UInt64(pair)))
                if even >= 0 {
                    UnsafeMutableRawPointer(buffer + even * stride + lane).storeBytes(of: c, as: LaneDoubles.self)
                }
                if odd < draws {
                    UnsafeMutableRawPointer(buffer + odd * stride + lane).storeBytes(of: s, as: LaneDoubles.self)
                }
                lane += 8
            }
            pair += 1
        }
    }

    /// Float32 variates: `buffer[j * stride + i] = normalFloat(path: firstPath + i, draw: firstDraw + j)`.
    @inlinable
    public func fill(firstPath: Int, lanes: Int, firstDraw: Int, draws: Int, stride: Int,
                     into buffer: UnsafeMutablePointer<Float>) {
        precondition(firstPath >= 0 && firstPath + lanes <= 1 << 32, "path index out of range")
        let padded = Self.paddedLanes(lanes)
        precondition(stride >= padded, "row stride too small")
        guard draws > 0 else { return }
        if method == .ziggurat {
            return zigguratFill(firstPath: firstPath, lanes: lanes, firstDraw: firstDraw, draws: draws, stride: stride, into: buffer)
        }
        kernelFill(level: RandomKernel.level, firstPath: firstPath, padded: padded, firstDraw: firstDraw, draws: draws, stride: stride, into: buffer)
    }

    /// The Swift Float Box–Muller fill the C kernels reproduce bit for bit.
    @inlinable
    public func referenceFill(firstPath: Int, lanes: Int, firstDraw: Int, draws: Int, stride: Int,
                              into buffer: UnsafeMutablePointer<Float>) {
        let padded = Self.paddedLanes(lanes)
        precondition(stride >= padded, "row stride too small")
        guard draws > 0 else { return }
        let end = firstDraw + draws
        var quad = firstDraw >> 2
        while 4 * quad < end {
            var lane = 0
            while lane < padded {
                let (c, s) = boxMullerFloats(blockWords(firstPath: firstPath + lane, counter: UInt64(quad)))
                let rows = (c.lowHalf, s.lowHalf, c.highHalf, s.highHalf)
                withUnsafeBytes(of: rows) { raw in
                    for k in 0..<4 {
                        let row = 4 * quad + k - firstDraw
                        if row >= 0 && row < draws {
                            UnsafeMutableRawPointer(buffer + row * stride + lane)
                                .storeBytes(of: raw.load(fromByteOffset: 32 * k, as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                        }
                    }
                }
                lane += 8
            }
            quad += 1
        }
    }

    /// One Double variate; bitwise equal to what `fill` writes for the same path and draw.
    public func normal(path: Int, draw: Int) -> Double {
        if method == .ziggurat { return zigguratNormal(path: path, draw: draw) }
        let (c, s) = boxMullerDoubles(blockWords(firstPath: path, counter: UInt64(draw >> 1)))
        return draw & 1 == 0 ? c[0] : s[0]
    }

    /// One Float variate; bitwise equal to what the Float `fill` writes.
    public func normalFloat(path: Int, draw: Int) -> Float {
        if method == .ziggurat { return zigguratNormalFloat(path: path, draw: draw) }
        let (c, s) = boxMullerFloats(blockWords(firstPath: path, counter: UInt64(draw >> 2)))
        switch draw & 3 {
        case 0: return c[0]
        case 1: return s[0]
        case 2: return c[8]
        default: return s[8]
        }
    }

    /// Raw 64-bit words named like the Box–Muller Double variates, whatever the method: `bits(path:draw:)` uses block draw/2.
    @inlinable
    public func fillBits(firstPath: Int, lanes: Int, firstDraw: Int, draws: Int, stride: Int,
                         into buffer: UnsafeMutablePointer<UInt64>) {
        let padded = Self.paddedLanes(lanes)
        precondition(stride >= padded, "row stride too small")
        guard draws > 0 else { return }
        kernelFillBits(level: RandomKernel.level, firstPath: firstPath, padded: padded, firstDraw: firstDraw, draws: draws, stride: stride, into: buffer)
    }

    /// The Swift word fill the C kernels reproduce.
    @inlinable
    public func referenceFillBits(firstPath: Int, lanes: Int, firstDraw: Int, draws: Int, stride: Int,
                                  into buffer: UnsafeMutablePointer<UInt64>) {
        let padded = Self.paddedLanes(lanes)
        precondition(stride >= padded, "row stride too small")
        guard draws > 0 else { return }
        let end = firstDraw + draws
        var pair = firstDraw >> 1
        while 2 * pair < end {
            let even = 2 * pair - firstDraw, odd = even + 1
            var lane = 0
            while lane < padded {
                let w = blockWords(firstPath: firstPath + lane, counter: UInt64(pair))
                if even >= 0 {
                    UnsafeMutableRawPointer(buffer + even * stride + lane).storeBytes(of: (w.0 &<< 32) | w.1, as: LaneWords.self)
                }
                if odd < draws {
                    UnsafeMutableRawPointer(buffer + odd * stride + lane).storeBytes(of: (w.2 &<< 32) | w.3, as: LaneWords.self)
                }
                lane += 8
            }
            pair += 1
        }
    }

    /// One raw 64-bit word; equal to what `fillBits` writes.
    public func bits(path: Int, draw: Int) -> UInt64 {
        let w = blockWords(firstPath: path, counter: UInt64(draw >> 1))
        return draw & 1 == 0 ? (w.0[0] << 32) | w.1[0] : (w.2[0] << 32) | w.3[0]
    }
}
