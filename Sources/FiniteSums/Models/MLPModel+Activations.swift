import Foundation

/// The hidden units' σ, σ' and σ'', evaluated once per (sample, unit, path) per pass: with
/// libm's tanh (≈ 57 ns here, against ≈ 14 ns for the exp form below) they took half of an MLP
/// run (perf, `simulate --hidden 8`), so both activations use exp and short polynomials,
/// accurate to 1.5 ulp (checked against 40-digit references over |z| ≤ 5, and by the tests).
extension MLPModel {
    @inline(__always) func activate(_ z: Double) -> Double {
        activation == .tanh ? Self.tanh(z) : LinearModel.softplus(z)
    }

    /// σ'(z) from a = σ(z): 1 − a² for tanh; for softplus the logistic function 1 − e^{−a}, so
    /// no layer keeps its pre-activations.
    @inline(__always) func slope(_ a: Double) -> Double {
        activation == .tanh ? 1 - a * a : Self.oneMinusExpNegative(a)
    }

    /// (σ'(z), σ''(z)) from a = σ(z): σ'' = −2a(1 − a²) for tanh, s(1 − s) for softplus.
    @inline(__always) func slopes(_ a: Double) -> (Double, Double) {
        if activation == .tanh {
            let s = 1 - a * a
            return (s, -2 * a * s)
        }
        let s = Self.oneMinusExpNegative(a)
        return (s, s * (1 - s))
    }

    /// tanh z: (1 − e^{−2|z|})/(1 + e^{−2|z|}) for |z| ≥ 0.35 (no cancellation: e^{−2|z|} ≤ ½),
    /// and its Taylor series to z²⁷ below (the next term is < 2⁻⁵⁵ relative there).
    @inline(__always) static func tanh(_ z: Double) -> Double {
        let x = abs(z)
        if x < 0.35 {
            let x2 = x * x
            var p = -6.451689215655431e-06
            p = p * x2 + 1.5918905069328964e-05
            p = p * x2 - 3.927832388331683e-05
            p = p * x2 + 9.691537956929451e-05
            p = p * x2 - 0.00023912911424355248
            p = p * x2 + 0.000590027440945586
            p = p * x2 - 0.0014558343870513183
            p = p * x2 + 0.003592128036572481
            p = p * x2 - 0.008863235529902197
            p = p * x2 + 0.021869488536155203
            p = p * x2 - 0.05396825396825397
            p = p * x2 + 0.13333333333333333
            p = p * x2 - 0.3333333333333333
            return z + z * x2 * p
        }
        let t = exp(-2 * x), r = (1 - t) / (1 + t)
        return z < 0 ? -r : r
    }

    /// 1 − e^{−a} for a ≥ 0 (the logistic function of z when a = softplus(z)): the exp form
    /// above 0.35, the Taylor series a − a²/2 + … to a¹⁴ below, where 1 − e^{−a} would cancel.
    @inline(__always) static func oneMinusExpNegative(_ a: Double) -> Double {
        guard a < 0.35 else { return 1 - exp(-a) }
        var p = 1.1470745597729725e-11
        p = p * a - 1.6059043836821613e-10
        p = p * a + 2.08767569878681e-09
        p = p * a - 2.505210838544172e-08
        p = p * a + 2.755731922398589e-07
        p = p * a - 2.7557319223985893e-06
        p = p * a + 2.48015873015873e-05
        p = p * a - 0.0001984126984126984
        p = p * a + 0.001388888888888889
        p = p * a - 0.008333333333333333
        p = p * a + 0.041666666666666664
        p = p * a - 0.16666666666666666
        p = p * a + 0.5
        return a * (1 - a * p)
    }
}
