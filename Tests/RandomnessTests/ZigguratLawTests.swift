import Foundation
import Numerics
import Testing
import TestSupport
@testable import Randomness

/// The law of the ziggurat's variates against the exact normal law, on 10^7 variates from the
/// production fill (1000 paths x 10^4 draws, fixed seed). Every tolerance is 5 Monte Carlo
/// standard errors (`monteCarloZ`) of the statistic under the exact law, or a p-value floor of
/// 1e-4 for the goodness-of-fit tests, so a correct generator fails with probability < 1e-4 each.
@Suite struct ZigguratLawTests {
    static let paths = 1000, draws = 10_000

    static func sample(float: Bool) -> [Double] {
        let g = GaussianStream(seed: 31_337, method: .ziggurat)
        let chunk = 100
        var out = [Double]()
        out.reserveCapacity(paths * draws)
        var doubles = [Double](repeating: 0, count: paths * chunk)
        var floats = [Float](repeating: 0, count: paths * chunk)
        for first in stride(from: 0, to: draws, by: chunk) {
            if float {
                floats.withUnsafeMutableBufferPointer { g.fill(firstPath: 0, lanes: paths, firstDraw: first, draws: chunk, stride: paths, into: $0.baseAddress!) }
                out.append(contentsOf: floats.lazy.map(Double.init))
            } else {
                doubles.withUnsafeMutableBufferPointer { g.fill(firstPath: 0, lanes: paths, firstDraw: first, draws: chunk, stride: paths, into: $0.baseAddress!) }
                out.append(contentsOf: doubles)
            }
        }
        return out
    }

    /// Sample moments 1-4 and tail frequencies P(|Z| > t) for t = 1...5 and t = r (where the
    /// exact tail route takes over): se(m_k) = sqrt((m_2k - m_k²)/n) with Gaussian m_2k, and
    /// se(count) = sqrt(n p (1 - p)) for p = 2 Q(t). Beyond 5σ a sample of 10^7 holds fewer than
    /// 6 points, so those tails are checked exactly instead (`tailQuantileInvertsTheNormalTail`).
    @Test(arguments: [false, true]) func momentsAndTailsMatchTheNormalLaw(float: Bool) {
        let z = Self.sample(float: float)
        let n = Double(z.count)
        var s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0
        for v in z { let v2 = v * v; s1 += v; s2 += v2; s3 += v2 * v; s4 += v2 * v2 }
        let tol = { (variance: Double) in monteCarloZ * (variance / n).squareRoot() }
        #expect(abs(s1 / n) < tol(1))
        #expect(abs(s2 / n - 1) < tol(2))
        #expect(abs(s3 / n) < tol(15))
        #expect(abs(s4 / n - 3) < tol(96))
        for t in [1, 2, 3, 4, 5, Ziggurat.r] {
            let count = Double(z.reduce(0) { $0 + (abs($1) > t ? 1 : 0) })
            let p = erfc(t / 2.0.squareRoot())
            let se = (n * p * (1 - p)).squareRoot()
            #expect(abs(count - n * p) < monteCarloZ * se, "P(|Z| > \(t)): \(count) of \(n), expected \(n * p) ± \(se)")
        }
    }

    /// Kolmogorov–Smirnov and Anderson–Darling (the latter weights the tails) against Φ.
    @Test(arguments: [false, true]) func goodnessOfFit(float: Bool) {
        var z = Self.sample(float: float)
        z.sort()
        let n = Double(z.count)
        var d = 0.0, a = 0.0
        for (i, v) in z.enumerated() {
            let f = Distributions.normalCDF(v)
            d = max(d, abs(f - Double(i) / n), abs(Double(i + 1) / n - f))
            let mirror = z[z.count - 1 - i]
            a += Double(2 * i + 1) * (log(f) + log(Distributions.normalCDF(-mirror)))
        }
        let ksP = Distributions.kolmogorovSurvival(d * n.squareRoot())
        #expect(ksP > 1e-4, "KS statistic \(d), p = \(ksP)")
        let aSquared = -n - a / n
        let adP = 1 - Self.andersonDarlingLimitCDF(aSquared)
        #expect(adP > 1e-4, "Anderson–Darling A² = \(aSquared), p = \(adP)")
    }

    /// The limiting distribution of A² for a fully specified law, by Marsaglia & Marsaglia,
    /// "Evaluating the Anderson–Darling distribution", JSS 9(2), 2004 (error < 2e-6, ample for n = 10^7).
    static func andersonDarlingLimitCDF(_ z: Double) -> Double {
        if z < 2 {
            return exp(-1.2337141 / z) / z.squareRoot()
                * (2.00012 + (0.247105 - (0.0649821 - (0.0347962 - (0.0116720 - 0.00168691 * z) * z) * z) * z) * z)
        }
        return exp(-exp(1.0776 - (2.30695 - (0.43424 - (0.082433 - (0.008056 - 0.0003146 * z) * z) * z) * z) * z))
    }

    /// The transcription above against the classical critical values of A² (95%: 2.492, 99%: 3.857).
    @Test func andersonDarlingLimitMatchesPublishedQuantiles() {
        #expect(abs(Self.andersonDarlingLimitCDF(2.492) - 0.95) < 5e-4)
        #expect(abs(Self.andersonDarlingLimitCDF(3.857) - 0.99) < 5e-4)
    }
}
