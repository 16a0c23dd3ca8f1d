/// The ziggurat's slow path, for the 0.43% of words whose cell is not inside its layer's inner box.
///
/// With (k, sign, j) from the word, block A = Philox(counter: (draw, path, stream | 2^31)) and
/// block B = Philox(counter: (draw, path, stream | 2^30)) under the same key:
///
/// - x = (j + a0') 2^-21 X[k], the point refined within its cell by a0' = (A0 + 1/2) 2^-32;
/// - x < X[k+1]: accept x (the part of a straddling cell inside the box);
/// - k = 0, x >= r: the tail, z = Q⁻¹(U Q(r)) with U from 52 bits of (A2, A3), by the tail
///   branches of Wichura's AS 241 (accurate to about 1e-16);
/// - otherwise the wedge: y = F[k] + (A1 + 1/2) 2^-32 (F[k+1] - F[k]); accept x if y < exp(-x²/2),
///   else the proposal is rejected and the variate is a fresh Box–Muller normal from block B.
///
/// Rejection sampling accepts points uniform under the density, so an accepted x is exactly
/// normal; replacing a rejection by an independent normal keeps the mixture normal, and that is
/// what lets a fixed number of words serve every draw. Stream IDs must stay below 2^30 (they do:
/// the largest in use is 0x1000 + k) so the fallback streams never collide with a real one.
@usableFromInline
enum ZigguratFallback {
    @usableFromInline static let streamA: UInt32 = 1 << 31
    @usableFromInline static let streamB: UInt32 = 1 << 30

    /// Resolves up to eight slow words (unused lanes may hold anything). Returns Double variates.
    /// Kept out of line: it runs for one word in 230, and inlining it would crowd the fast loop.
    @usableFromInline @inline(never)
    static func resolve(words w: LaneWords, paths: LaneWords, draws: LaneWords, stream: UInt32,
                        key: (UInt32, UInt32), table t: ZigguratLookup) -> LaneDoubles {
        let lo = draws & 0xffff_ffff, hi = draws &>> 32, path = paths & 0xffff_ffff
        let a = Philox4x32.lanes(lo, hi, path, LaneWords(repeating: UInt64(stream | streamA)), key: key)
        let layer = w & LaneWords(repeating: UInt64(Ziggurat.layers - 1))
        var width = LaneDoubles(), inner = LaneDoubles(), floor = LaneDoubles(), ceiling = LaneDoubles()
        for lane in 0..<8 {
            let k = Int(truncatingIfNeeded: layer[lane])
            width[lane] = t.widths[k]
            inner[lane] = t.widths[k + 1]
            floor[lane] = t.heights[k]
            ceiling[lane] = t.heights[k + 1]
        }
        let cell = LaneDoubles(w &>> UInt64(Ziggurat.layerBits + 1))
        let x: LaneDoubles = (cell + unit32(a.0)) / Double(1 << Ziggurat.cellBits) * width
        let y: LaneDoubles = floor + unit32(a.1) * (ceiling - floor)
        let insideBox = x .< inner
        let underCurve = y .< expNegativeHalfSquare(x)
        let isTail = (layer .== 0) .& .!insideBox
        var z = x
        let rejected = .!insideBox .& .!underCurve .& .!isTail
        if any(rejected) {
            let b = Philox4x32.lanes(lo, hi, path, LaneWords(repeating: UInt64(stream | streamB)), key: key)
            z.replace(with: boxMullerDoubles(b).0, where: rejected)
        }
        if any(isTail) {
            let u52: LaneWords = ((a.2 &<< 32) | a.3) &>> 12
            z.replace(with: tailQuantile(minusTwoLogU: minusTwoLog(unitFrom: u52)),
                      where: isTail)
        }
        let magnitude = unsafeBitCast(z, to: LaneWords.self) & 0x7fff_ffff_ffff_ffff
        return unsafeBitCast(magnitude ^ ((w &>> UInt64(Ziggurat.layerBits)) &<< 63), to: LaneDoubles.self)
    }

    /// (b + 1/2) 2^-32 for 32-bit b: in (0, 1), exact.
    static func unit32(_ b: LaneWords) -> LaneDoubles {
        (LaneDoubles(b & 0xffff_ffff) + 0.5) * 0x1p-32
    }

    /// exp(-x²/2) for |x| <= X[1] = r = 4.04: Cody–Waite reduction by ln 2 (fdlibm's split constants, so
    /// n ln2_hi is exact) and Taylor to r^12 on |r| <= ln2/2 (truncation 1e-16), about 2 ulp.
    static func expNegativeHalfSquare(_ x: LaneDoubles) -> LaneDoubles {
        let t: LaneDoubles = -0.5 * x * x
        let shifter = LaneDoubles(repeating: 0x1.8p52)
        let shifted: LaneDoubles = t * 1.44269504088896338700 + shifter
        let n: LaneDoubles = shifted - shifter
        let r: LaneDoubles = (t - n * 6.93147180369123816490e-01) - n * 1.90821492927058770002e-10
        var p = LaneDoubles(repeating: Self.inverseFactorials[12])
        for d in stride(from: 11, through: 0, by: -1) { p = p * r + Self.inverseFactorials[d] }
        // n in [-12, 0]: 2^n from the low bits of the shifted value
        let exponent = (unsafeBitCast(shifted, to: LaneWords.self) &+ 1023) &<< 52
        return p * unsafeBitCast(exponent, to: LaneDoubles.self)
    }

    /// 1/d! for d in 0...12, each the correctly rounded quotient of exact integers.
    static let inverseFactorials: [Double] = (0...12).map { d in 1 / (1...max(d, 1)).reduce(1.0) { $0 * Double($1) } }

    /// Q⁻¹(U Q(r)) for U = exp(-m/2), m = -2 log U: the normal quantile beyond r, by the two tail
    /// rationals of AS 241 in s = sqrt(-log p) (s <= 5 and s > 5), both evaluated and one chosen.
    static func tailQuantile(minusTwoLogU m: LaneDoubles) -> LaneDoubles {
        let s: LaneDoubles = (0.5 * m - Ziggurat.logTailMass).squareRoot()
        func horner(_ coefficients: [Double], _ x: LaneDoubles) -> LaneDoubles {
            var p = LaneDoubles(repeating: coefficients[7])
            for k in stride(from: 6, through: 0, by: -1) { p = p * x + coefficients[k] }
            return p
        }
        let near: LaneDoubles = horner(Self.c, s - 1.6) / horner(Self.d, s - 1.6)
        let far: LaneDoubles = horner(Self.e, s - 5) / horner(Self.f, s - 5)
        return near.replacing(with: far, where: s .> 5)
    }

    /// AS 241's coefficients, lowest order first: (c/d) for s <= 5, (e/f) beyond.
    static let c: [Double] = [1.42343711074968357734e+00, 4.63033784615654529590e+00, 5.76949722146069140550e+00,
                              3.64784832476320460504e+00, 1.27045825245236838258e+00, 2.41780725177450611770e-01,
                              2.27238449892691845833e-02, 7.74545014278341407640e-04]
    static let d: [Double] = [1, 2.05319162663775882187e+00, 1.67638483018380384940e+00, 6.89767334985100004550e-01,
                              1.48103976427480074590e-01, 1.51986665636164571966e-02, 5.47593808499534494600e-04,
                              1.05075007164441684324e-09]
    static let e: [Double] = [6.65790464350110377720e+00, 5.46378491116411436990e+00, 1.78482653991729133580e+00,
                              2.96560571828504891230e-01, 2.65321895265761230930e-02, 1.24266094738807843860e-03,
                              2.71155556874348757815e-05, 2.01033439929228813265e-07]
    static let f: [Double] = [1, 5.99832206555887937690e-01, 1.36929880922735805310e-01, 1.48753612908506148525e-02,
                              7.86869131145613259100e-04, 1.84631831751005468180e-05, 1.42151175831644588870e-07,
                              2.04426310338993978564e-15]
}

extension ZigguratFallback {
    /// Resolves waiting entries eight at a time (all of them if `all`, padding the last batch)
    /// and writes each variate, as Double or Float, to its destination in `buffer`.
    @usableFromInline @inline(never)
    static func drain(_ pending: inout ZigguratPending, into buffer: UnsafeMutableRawPointer, float: Bool, all: Bool,
                      stream: UInt32, key: (UInt32, UInt32)) {
        let e = pending.entries, column = ZigguratPending.capacity
        while pending.count >= 8 || (all && pending.count > 0) {
            let n = min(8, pending.count)
            var w = LaneWords(), p = LaneWords(), d = LaneWords()
            for k in 0..<8 {
                let source = k < n ? k : 0
                w[k] = e[source]
                p[k] = e[column + source]
                d[k] = e[2 * column + source]
            }
            let z = resolve(words: w, paths: p, draws: d, stream: stream, key: key, table: ZigguratLookup.shared)
            for k in 0..<n {
                let destination = Int(e[3 * column + k])
                if float {
                    buffer.assumingMemoryBound(to: Float.self)[destination] = Float(z[k])
                } else {
                    buffer.assumingMemoryBound(to: Double.self)[destination] = z[k]
                }
            }
            let rest = pending.count - n
            for c in 0..<4 {
                for k in 0..<rest { e[c * column + k] = e[c * column + n + k] }
            }
            pending.count = rest
        }
    }
}
