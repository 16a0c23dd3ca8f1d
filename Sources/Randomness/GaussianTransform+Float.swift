/// Float32 Box–Muller on sixteen lanes: 23 random bits set the radius (|z| <= 5.65), 24 the
/// angle (musl `logf`, Taylor sin/cos to |x|^10 on |x| <= π/4,
/// whose truncation error 1e-10 is far below float's half-ulp).
@inlinable @inline(__always)
func exactFloat(fromBelow2To23 b: LaneFloatWords) -> LaneFloats {
    let biased = unsafeBitCast(b | LaneFloatWords(repeating: 0x4b00_0000), to: LaneFloats.self)
    return biased - LaneFloats(repeating: 0x1p23)
}

@inlinable @inline(__always)
func minusTwoLog(unitFrom23 b: LaneFloatWords) -> LaneFloats {
    // u = (b + 1/2) 2^-23 with b < 2^23: b + 1/2 needs exactly float's 24 significant bits.
    let u: LaneFloats = (exactFloat(fromBelow2To23: b) + 0.5) * 0x1p-23
    var ix = unsafeBitCast(u, to: LaneFloatWords.self)
    ix = ix &+ LaneFloatWords(repeating: 0x3f80_0000 &- 0x3f35_04f3)
    let biasedK: LaneFloatWords = ix &>> 23
    ix = (ix & LaneFloatWords(repeating: 0x007f_ffff)) &+ LaneFloatWords(repeating: 0x3f35_04f3)
    let m = unsafeBitCast(ix, to: LaneFloats.self)
    let k: LaneFloats = exactFloat(fromBelow2To23: biasedK) - 127
    let f: LaneFloats = m - 1
    let s: LaneFloats = f / (f + 2)
    let z: LaneFloats = s * s
    let w: LaneFloats = z * z
    let t1: LaneFloats = w * (w * 0.24279078841 + 0.40000972152)
    let t2: LaneFloats = z * (w * 0.28498786688 + 0.66666662693)
    let r: LaneFloats = t2 + t1
    let hfsq: LaneFloats = 0.5 * f * f
    let logU: LaneFloats = s * (hfsq + r) + k * 9.0580006145e-06 - hfsq + f + k * 6.9313812256e-01
    return logU * -2
}

@inlinable @inline(__always)
func cosSinTurns(float24 b: LaneFloatWords) -> (LaneFloats, LaneFloats) {
    let n: LaneFloatWords = (b &+ LaneFloatWords(repeating: 1 << 21)) &>> 22
    let residual: LaneFloatWords = b &- (n &<< 22) &+ LaneFloatWords(repeating: 1 << 22)  // in (2^21, 3 2^21)
    let rho: LaneFloats = exactFloat(fromBelow2To23: residual) - (0x1p22 - 0.5)
    let x: LaneFloats = rho * (1.5707963267948966 * 0x1p-22)
    let z: LaneFloats = x * x
    var ps = LaneFloats(repeating: 1.0 / 362_880)
    ps = ps * z - 1.0 / 5040
    ps = ps * z + 1.0 / 120
    ps = ps * z - 1.0 / 6
    let sinX: LaneFloats = x + (x * z) * ps
    var pc = LaneFloats(repeating: -1.0 / 3_628_800)
    pc = pc * z + 1.0 / 40320
    pc = pc * z - 1.0 / 720
    pc = pc * z + 1.0 / 24
    pc = pc * z - 0.5
    let cosX: LaneFloats = 1 + z * pc
    let q: LaneFloatWords = n & 3
    let swap: LaneFloatWords = LaneFloatWords(repeating: 0) &- (q & 1)
    let cosSign: LaneFloatWords = ((q ^ (q &>> 1)) & 1) &<< 31
    let sinSign: LaneFloatWords = (q &>> 1) &<< 31
    let cb = unsafeBitCast(cosX, to: LaneFloatWords.self)
    let sb = unsafeBitCast(sinX, to: LaneFloatWords.self)
    let c: LaneFloatWords = ((cb & ~swap) | (sb & swap)) ^ cosSign
    let s: LaneFloatWords = ((sb & ~swap) | (cb & swap)) ^ sinSign
    return (unsafeBitCast(c, to: LaneFloats.self), unsafeBitCast(s, to: LaneFloats.self))
}

/// Four float normals per lane from one Philox block: lanes 0-7 of the result use (w0, w1),
/// lanes 8-15 use (w2, w3); the first array holds the cosine variates, the second the sines.
@inlinable @inline(__always)
public func boxMullerFloats(_ w: (LaneWords, LaneWords, LaneWords, LaneWords)) -> (LaneFloats, LaneFloats) {
    let radiusWords = LaneFloatWords(lowHalf: SIMD8<UInt32>(truncatingIfNeeded: w.0), highHalf: SIMD8<UInt32>(truncatingIfNeeded: w.2))
    let angleWords = LaneFloatWords(lowHalf: SIMD8<UInt32>(truncatingIfNeeded: w.1), highHalf: SIMD8<UInt32>(truncatingIfNeeded: w.3))
    let radius: LaneFloats = minusTwoLog(unitFrom23: radiusWords &>> 9).squareRoot()
    let (c, s) = cosSinTurns(float24: angleWords &>> 8)
    return (radius * c, radius * s)
}
