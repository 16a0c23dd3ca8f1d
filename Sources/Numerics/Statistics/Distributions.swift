import Foundation

/// Distribution functions used for confidence intervals and goodness-of-fit tests.
///
/// Implemented here because no maintained Swift package provides them; each is a textbook
/// algorithm with its reference, and each is tested against tabulated values.
public enum Distributions {
    /// Φ(x), the standard normal CDF.
    public static func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

    /// Φ⁻¹(p) by Wichura's algorithm AS 241 (PPND16), relative accuracy about 1e-16.
    public static func normalQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "probability must lie in (0, 1), got \(p)")
        let q = p - 0.5
        if abs(q) <= 0.425 {
            let r = 0.180625 - q * q
            let num = (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r
                + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r
                + 133.14166789178437745) * r + 3.387132872796366608)
            let den = (((((((5226.495278852545925 * r + 28729.085735721942674) * r + 39307.89580009271061) * r
                + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r
                + 42.313330701600911252) * r + 1.0)
            return q * num / den
        }
        var r = q < 0 ? p : 1 - p
        r = (-log(r)).squareRoot()
        var value: Double
        if r <= 5 {
            r -= 1.6
            value = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
                + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r
                + 4.6303378461565452959) * r + 1.42343711074968357734)
                / (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
                + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r
                + 2.05319162663775882187) * r + 1.0)
        } else {
            r -= 5
            value = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
                + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r
                + 5.4637849111641143699) * r + 6.6579046435011037772)
                / (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
                + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
                + 0.59983220655588793769) * r + 1.0)
        }
        return q < 0 ? -value : value
    }

    /// The two-sided exact binomial test of k successes in n trials against probability p:
    /// twice the smaller tail, capped at 1. Exact where a normal approximation is not (p near 0
    /// or 1, where a frequency of 0 or 1 has zero sample variance). Tails from the incomplete
    /// beta function: P(X ≥ k) = I_p(k, n − k + 1), P(X ≤ k) = I_{1−p}(n − k, k + 1).
    public static func binomialTwoSidedPValue(successes k: Int, trials n: Int, probability p: Double) -> Double {
        precondition(n >= 0 && k >= 0 && k <= n && p >= 0 && p <= 1, "binomial test needs 0 ≤ k ≤ n and 0 ≤ p ≤ 1")
        if p == 0 { return k == 0 ? 1 : 0 }
        if p == 1 { return k == n ? 1 : 0 }
        let atLeast = k == 0 ? 1 : regularizedIncompleteBeta(p, a: Double(k), b: Double(n - k + 1))
        let atMost = k == n ? 1 : regularizedIncompleteBeta(1 - p, a: Double(n - k), b: Double(k + 1))
        return min(1, 2 * min(atLeast, atMost))
    }

    /// The regularised incomplete beta function I_x(a, b), by the continued fraction of
    /// Numerical Recipes §6.4 evaluated with the modified Lentz method.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        precondition(a > 0 && b > 0, "beta parameters must be positive")
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * betaContinuedFraction(x, a, b) / a
        }
        return 1 - exp(logFront) * betaContinuedFraction(1 - x, b, a) / b
    }

    static func betaContinuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1...10_000 {
            let m = Double(m), m2 = 2 * m
            var aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1))
            d = 1 + aa * d; if abs(d) < tiny { d = tiny }
            c = 1 + aa / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return h
    }

    /// P(T <= t) for Student's t with ν degrees of freedom.
    public static func studentTCDF(_ t: Double, degreesOfFreedom nu: Double) -> Double {
        let x = nu / (nu + t * t)
        let tail = 0.5 * regularizedIncompleteBeta(x, a: nu / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// The p-quantile of Student's t, by bisection on the CDF (monotone, so always converges).
    public static func studentTQuantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        precondition(p > 0 && p < 1, "probability must lie in (0, 1), got \(p)")
        precondition(nu > 0, "degrees of freedom must be positive")
        if p == 0.5 { return 0 }
        var lo = -1.0, hi = 1.0
        while studentTCDF(lo, degreesOfFreedom: nu) > p { lo *= 2 }
        while studentTCDF(hi, degreesOfFreedom: nu) < p { hi *= 2 }
        for _ in 0..<200 {
            let mid = 0.5 * (lo + hi)
            if studentTCDF(mid, degreesOfFreedom: nu) < p { lo = mid } else { hi = mid }
            if hi - lo <= 1e-14 * max(1, abs(mid)) { break }
        }
        return 0.5 * (lo + hi)
    }

    /// The regularised lower incomplete gamma function P(a, x) (series for x < a + 1, continued
    /// fraction otherwise; Numerical Recipes §6.2).
    public static func regularizedLowerGamma(_ a: Double, _ x: Double) -> Double {
        precondition(a > 0, "shape must be positive")
        if x <= 0 { return 0 }
        let logFront = a * log(x) - x - lgamma(a)
        if x < a + 1 {
            var sum = 1 / a, term = 1 / a, ap = a
            for _ in 0..<10_000 {
                ap += 1
                term *= x / ap
                sum += term
                if abs(term) < abs(sum) * 1e-16 { break }
            }
            return sum * exp(logFront)
        }
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1...10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b; if abs(d) < tiny { d = tiny }
            c = b + an / c; if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-15 { break }
        }
        return 1 - exp(logFront) * h
    }

    /// P(χ²_k <= x).
    public static func chiSquaredCDF(_ x: Double, degreesOfFreedom k: Double) -> Double {
        regularizedLowerGamma(k / 2, x / 2)
    }

    /// Kolmogorov's limiting distribution: P(sqrt(n) D_n > λ) as n → ∞.
    public static func kolmogorovSurvival(_ lambda: Double) -> Double {
        if lambda < 0.2 { return 1 }
        var sum = 0.0
        for k in 1...100 {
            let term = exp(-2 * Double(k * k) * lambda * lambda)
            sum += (k % 2 == 1 ? 2 : -2) * term
            if term < 1e-18 { break }
        }
        return min(1, max(0, sum))
    }
}
