/// The ziggurat transform of one 32-bit Philox word into a standard normal variate.
///
/// Word layout: bits 0-9 pick the layer k, bit 10 the sign, bits 11-31 the cell j of 2^21 equal
/// cells across the layer's width X[k]. When the whole cell lies inside the layer's inner box
/// (j < K[k] = ⌊2^21 X[k+1] / X[k]⌋, 99.57% of words) the variate is the cell's midpoint,
/// ±(j + 1/2) 2^-21 X[k]: one table lookup, a multiply and a compare, no transcendental. Every
/// such outcome has probability 2^-32, so the fast path's law differs from the exact one by
/// less than one cell's mass at any point.
///
/// The other words are resolved by `ZigguratFallback`, which reads a second Philox block named
/// by the same (path, draw) on a reserved stream, so every variate still costs exactly one word
/// of the main stream and is still a pure function of (seed, stream, path, draw).
@usableFromInline
struct ZigguratLookup: @unchecked Sendable {
    /// X[k] 2^-21 (Double and Float) and K[k], k in 0..<1024.
    @usableFromInline let scale: UnsafePointer<Double>
    @usableFromInline let scaleFloat: UnsafePointer<Float>
    @usableFromInline let limit: UnsafePointer<UInt64>
    @usableFromInline let limit32: UnsafePointer<UInt32>
    /// The same per-layer pairs interleaved for the C kernels (see `sgd_zig_tables`): `pairs[2k]` the
    /// bits of scale[k], `pairs[2k+1]` limit[k]; `packedFloat[k]` the bits of scaleFloat[k] | limit[k] << 32.
    @usableFromInline let pairs: UnsafePointer<UInt64>
    @usableFromInline let packedFloat: UnsafePointer<UInt64>
    /// X[0...1024] and F[0...1024] of `Ziggurat`.
    @usableFromInline let widths: UnsafePointer<Double>
    @usableFromInline let heights: UnsafePointer<Double>

    /// Built once from the literal tables with exact operations only (a power-of-two scaling, one
    /// correctly rounded division, floor), so it is the same on every platform.
    @usableFromInline static let shared: ZigguratLookup = {
        let layers = Ziggurat.layers, cells = Double(1 << Ziggurat.cellBits)
        let scale = UnsafeMutablePointer<Double>.allocate(capacity: layers)
        let scaleFloat = UnsafeMutablePointer<Float>.allocate(capacity: layers)
        let limit = UnsafeMutablePointer<UInt64>.allocate(capacity: layers)
        let limit32 = UnsafeMutablePointer<UInt32>.allocate(capacity: layers)
        let pairs = UnsafeMutablePointer<UInt64>.allocate(capacity: 2 * layers)
        let packedFloat = UnsafeMutablePointer<UInt64>.allocate(capacity: layers)
        let widths = UnsafeMutablePointer<Double>.allocate(capacity: layers + 1)
        let heights = UnsafeMutablePointer<Double>.allocate(capacity: layers + 1)
        for k in 0...layers {
            widths[k] = Ziggurat.widths[k]
            heights[k] = Ziggurat.heights[k]
        }
        for k in 0..<layers {
            scale[k] = Ziggurat.widths[k] / cells
            scaleFloat[k] = Float(scale[k])
            limit[k] = UInt64((Ziggurat.widths[k + 1] / Ziggurat.widths[k] * cells).rounded(.down))
            limit32[k] = UInt32(limit[k])
            pairs[2 * k] = scale[k].bitPattern
            pairs[2 * k + 1] = limit[k]
            packedFloat[k] = UInt64(scaleFloat[k].bitPattern) | limit[k] << 32
        }
        return ZigguratLookup(scale: scale, scaleFloat: scaleFloat, limit: limit, limit32: limit32, pairs: pairs, packedFloat: packedFloat,
                              widths: widths, heights: heights)
    }()
}

/// Eight Double variates from eight words (low 32 bits of each lane), and the lanes that must be
/// resolved by the fallback (their value here is a placeholder).
@inlinable @inline(__always)
func zigguratDoubles(_ w: LaneWords, _ t: ZigguratLookup) -> (LaneDoubles, SIMDMask<SIMD8<Int64>>) {
    let layer = w & LaneWords(repeating: UInt64(Ziggurat.layers - 1))
    var scale = LaneDoubles(), limit = LaneWords()
    for lane in 0..<8 {
        let k = Int(truncatingIfNeeded: layer[lane])
        scale[lane] = t.scale[k]
        limit[lane] = t.limit[k]
    }
    let cell: LaneWords = w &>> UInt64(Ziggurat.layerBits + 1)
    // (2^52 + j) - (2^52 - 1/2) = j + 1/2 exactly
    let midpoint = unsafeBitCast(cell | LaneWords(repeating: 0x4330_0000_0000_0000), to: LaneDoubles.self) - (0x1p52 - 0.5)
    let magnitude = unsafeBitCast(midpoint * scale, to: LaneWords.self)
    let z = unsafeBitCast(magnitude ^ ((w &>> UInt64(Ziggurat.layerBits)) &<< 63), to: LaneDoubles.self)
    let slow = cell .>= limit
    return (z, slow)
}

/// Eight Float variates from eight words; same words, same layers and cells as `zigguratDoubles`,
/// with the product rounded to Float.
@inlinable @inline(__always)
func zigguratFloats(_ w: LaneWords, _ t: ZigguratLookup) -> (SIMD8<Float>, SIMDMask<SIMD8<Int32>>) {
    let w32 = SIMD8<UInt32>(truncatingIfNeeded: w)
    let layer = w32 & SIMD8<UInt32>(repeating: UInt32(Ziggurat.layers - 1))
    var scale = SIMD8<Float>(), limit = SIMD8<UInt32>()
    for lane in 0..<8 {
        let k = Int(truncatingIfNeeded: layer[lane])
        scale[lane] = t.scaleFloat[k]
        limit[lane] = t.limit32[k]
    }
    let cell: SIMD8<UInt32> = w32 &>> UInt32(Ziggurat.layerBits + 1)
    // (2^23 + j) - (2^23 - 1/2) = j + 1/2 exactly (24 significant bits)
    let midpoint = unsafeBitCast(cell | SIMD8<UInt32>(repeating: 0x4b00_0000), to: SIMD8<Float>.self) - (0x1p23 - 0.5)
    let magnitude = unsafeBitCast(midpoint * scale, to: SIMD8<UInt32>.self)
    let z = unsafeBitCast(magnitude ^ ((w32 &>> UInt32(Ziggurat.layerBits)) &<< 31), to: SIMD8<Float>.self)
    let slow = cell .>= limit
    return (z, slow)
}
