/// Box–Muller transforms of Philox words into standard normal variates, written so that the
/// whole computation stays in SIMD registers (no libm calls, no per-lane branches).
///
/// Implementation goals, in order:
/// 1. Exact law: every variate is an exact function of its Philox words, so it is reproducible
///    anywhere; uniforms are (b + 1/2) 2^-k, never 0 or 1, so log and the angle are always finite.
/// 2. Accuracy: log and sin/cos to about one ulp (fdlibm's `e_log.c`, `k_sin.c`, `k_cos.c`
///    minimax polynomials); the angle is reduced in integer arithmetic, exactly.
/// 3. Speed: branch-free, so one code path serves 8 (Double) or 16 (Float) lanes at once.
///
/// Double variates take 52 random bits for the radius and 52 for the angle, so tails are exact
/// out to |z| = sqrt(2 * 52 ln 2) = 8.49 (P(|Z| > 8.49) = 2e-17). Float variates take 23
/// and 24 bits (|z| up to 5.65, P(|Z| > 5.65) = 2e-8), as float32 libraries do.
public typealias LaneDoubles = SIMD8<Double>
public typealias LaneFloats = SIMD16<Float>
public typealias LaneFloatWords = SIMD16<UInt32>

@inlinable @inline(__always)
func exactDouble(fromBelow2To52 b: LaneWords) -> LaneDoubles {
    let biased = unsafeBitCast(b | LaneWords(repeating: 0x4330_0000_0000_0000), to: LaneDoubles.self)
    return biased - LaneDoubles(repeating: 0x1p52)
}

/// -2 log(u) with u = (b + 1/2) 2^-52, for 52-bit integers b (fdlibm `e_log.c`, branch-free).
@inlinable @inline(__always)
func minusTwoLog(unitFrom b: LaneWords) -> LaneDoubles {
    let u: LaneDoubles = (exactDouble(fromBelow2To52: b) + 0.5) * 0x1p-52
    // u = 2^k m with m in [sqrt(2)/2, sqrt(2)): musl's integer reduction.
    var ix = unsafeBitCast(u, to: LaneWords.self)
    ix = ix &+ LaneWords(repeating: 0x3ff0_0000_0000_0000 &- 0x3fe6_a09e_667f_3bcd)
    let biasedK: LaneWords = ix &>> 52
    ix = (ix & LaneWords(repeating: 0x000f_ffff_ffff_ffff)) &+ LaneWords(repeating: 0x3fe6_a09e_667f_3bcd)
    let m = unsafeBitCast(ix, to: LaneDoubles.self)
    let k: LaneDoubles = exactDouble(fromBelow2To52: biasedK) - 1023
    let f: LaneDoubles = m - 1
    let s: LaneDoubles = f / (f + 2)
    let z: LaneDoubles = s * s
    let w: LaneDoubles = z * z
    var t1 = LaneDoubles(repeating: 1.531383769920937332e-01)
    t1 = t1 * w + 2.222219843214978396e-01
    t1 = t1 * w + 3.999999999940941908e-01
    t1 = t1 * w
    var t2 = LaneDoubles(repeating: 1.479819860511658591e-01)
    t2 = t2 * w + 1.818357216161805012e-01
    t2 = t2 * w + 2.857142874366239149e-01
    t2 = t2 * w + 6.666666666666735130e-01
    t2 = t2 * z
    let r: LaneDoubles = t2 + t1
    let hfsq: LaneDoubles = 0.5 * f * f
    let tail: LaneDoubles = s * (hfsq + r) + k * 1.90821492927058770002e-10
    let logU: LaneDoubles = k * 6.93147180369123816490e-01 - ((hfsq - tail) - f)
    return logU * -2
}

/// (cos 2πt, sin 2πt) with t = (b + 1/2) 2^-52 for 52-bit integers b.
///
/// The angle in quarter turns is (b + 1/2) / 2^50; n = nearest integer, and the residual
/// (b + 1/2 - n 2^50) is exact in double, so |r| <= π/4 with one rounding.
@inlinable @inline(__always)
func cosSinTurns(_ b: LaneWords) -> (LaneDoubles, LaneDoubles) {
    let n: LaneWords = (b &+ LaneWords(repeating: 1 << 49)) &>> 50
    let residual: LaneWords = b &- (n &<< 50) &+ LaneWords(repeating: 1 << 50)  // in (2^49, 3 2^49)
    let rho: LaneDoubles = exactDouble(fromBelow2To52: residual) - (0x1p50 - 0.5)
    let x: LaneDoubles = rho * (1.5707963267948966 * 0x1p-50)
    let z: LaneDoubles = x * x
    // fdlibm __kernel_sin, |x| <= π/4
    var ps = LaneDoubles(repeating: 1.58969099521155010221e-10)
    ps = ps * z - 2.50507602534068634195e-08
    ps = ps * z + 2.75573137070700676789e-06
    ps = ps * z - 1.98412698298579493134e-04
    ps = ps * z + 8.33333333332248946124e-03
    let sinX: LaneDoubles = x + (x * z) * (ps * z - 1.66666666666666324348e-01)
    // fdlibm __kernel_cos, |x| <= π/4
    var pc = LaneDoubles(repeating: -1.13596475577881948265e-11)
    pc = pc * z + 2.08757232129817482790e-09
    pc = pc * z - 2.75573143513906633035e-07
    pc = pc * z + 2.48015872894767294178e-05
    pc = pc * z - 1.38888888888741095749e-03
    pc = pc * z + 4.16666666666666019037e-02
    let rc: LaneDoubles = z * pc
    let hz: LaneDoubles = 0.5 * z
    let w: LaneDoubles = 1 - hz
    let cosX: LaneDoubles = w + (((1 - w) - hz) + z * rc)
    // rotate by n quarter turns: exact swaps and sign flips in the bit patterns
    let q: LaneWords = n & 3
    let swap: LaneWords = LaneWords(repeating: 0) &- (q & 1)
    let cosSign: LaneWords = ((q ^ (q &>> 1)) & 1) &<< 63
    let sinSign: LaneWords = (q &>> 1) &<< 63
    let cb = unsafeBitCast(cosX, to: LaneWords.self)
    let sb = unsafeBitCast(sinX, to: LaneWords.self)
    let c: LaneWords = ((cb & ~swap) | (sb & swap)) ^ cosSign
    let s: LaneWords = ((sb & ~swap) | (cb & swap)) ^ sinSign
    return (unsafeBitCast(c, to: LaneDoubles.self), unsafeBitCast(s, to: LaneDoubles.self))
}

/// Two standard normals per lane from one Philox block: (w0, w1) set the radius, (w2, w3) the angle.
@inlinable @inline(__always)
public func boxMullerDoubles(_ w: (LaneWords, LaneWords, LaneWords, LaneWords)) -> (LaneDoubles, LaneDoubles) {
    let radiusBits: LaneWords = ((w.0 &<< 32) | w.1) &>> 12
    let angleBits: LaneWords = ((w.2 &<< 32) | w.3) &>> 12
    let radius: LaneDoubles = minusTwoLog(unitFrom: radiusBits).squareRoot()
    let (c, s) = cosSinTurns(angleBits)
    return (radius * c, radius * s)
}
