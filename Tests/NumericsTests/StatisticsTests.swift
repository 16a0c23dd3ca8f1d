import Foundation
import Testing
import TestSupport
@testable import Numerics

@Suite struct ExactSumTests {
    @Test func cancellationIsExact() {
        var s = ExactSum()
        for x in [1e16, 1.0, -1e16, 1e-300, -1e-300, 3.0] { s.add(x) }
        #expect(s.value == 4)
        var t = ExactSum()
        for x in [1e308, 1e308, -1e308, -1e308, 0x1p-1074] { t.add(x) }
        #expect(t.value == 0x1p-1074)
    }

    @Test func orderAndSplittingDoNotMatter() {
        var state: UInt64 = 99
        let values = (0..<10_000).map { i -> Double in
            state = state &* 6_364_136_223_846_793_005 &+ 1
            let mantissa = Double(state >> 11) * 0x1p-53 - 0.5
            return mantissa * pow(10, Double(i % 40) - 20)
        }
        var forward = ExactSum(), backward = ExactSum(), a = ExactSum(), b = ExactSum()
        for v in values { forward.add(v) }
        for v in values.reversed() { backward.add(v) }
        for v in values[..<3333] { a.add(v) }
        for v in values[3333...] { b.add(v) }
        a.merge(b)
        #expect(forward == backward)
        #expect(forward == a)
        #expect(forward.value == backward.value)
        // agrees with a compensated sum to double precision
        var kahan = 0.0, c = 0.0
        for v in values.sorted(by: { abs($0) < abs($1) }) {
            let y = v - c, t = kahan + y
            c = (t - kahan) - y
            kahan = t
        }
        #expect(isClose(forward.value, kahan, relative: 1e-15))
    }

    @Test func roundsToNearestEven() {
        var s = ExactSum()
        s.add(1)
        s.add(0x1p-53)  // exactly half an ulp of 1: ties to even, stays 1
        #expect(s.value == 1)
        s.add(0x1p-100)  // now just above half: rounds up
        #expect(s.value == 1 + 0x1p-52)
        var n = ExactSum()
        n.add(-3.5)
        n.add(0.25)
        #expect(n.value == -3.25)
    }

    @Test func nonFiniteValuesAreCountedNotAdded() {
        var s = ExactSum()
        s.add(2)
        s.add(.nan)
        s.add(.infinity)
        #expect(s.value == 2)
        #expect(s.nonFinite == 2)
    }

    @Test func codableRoundTrip() throws {
        var s = ExactSum()
        for x in [1.5, -2e-10, 3e200] { s.add(x) }
        let decoded = try JSONDecoder().decode(ExactSum.self, from: JSONEncoder().encode(s))
        #expect(decoded == s)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ExactSum.self, from: Data(#"{"chunks":[1,2],"nonFinite":0}"#.utf8)) }
    }

    @Test func momentsMatchTwoPassFormulas() {
        let xs = (0..<1000).map { sin(Double($0)) * 3 + 10 }
        var m = MomentAccumulator(shift: 10)
        xs.forEach { m.add($0) }
        let mean = xs.reduce(0, +) / 1000
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 999
        #expect(isClose(m.mean, mean, relative: 1e-14))
        #expect(isClose(m.variance, variance, relative: 1e-12))
        #expect(isClose(m.standardError, (variance / 1000).squareRoot(), relative: 1e-12))
        m.add(.nan)
        #expect(m.nonFinite == 1 && m.count == 1000)
    }
}

@Suite struct DistributionTests {
    @Test func normalQuantileAgainstTables() {
        #expect(isClose(Distributions.normalQuantile(0.975), 1.959963984540054, relative: 1e-15))
        #expect(isClose(Distributions.normalQuantile(0.5 + 0.6826894921370859 / 2), 1, relative: 1e-14))
        #expect(isClose(Distributions.normalQuantile(1e-10), -6.361340902404056, relative: 1e-14))
        for p in stride(from: 0.001, to: 1, by: 0.0117) {
            #expect(isClose(Distributions.normalCDF(Distributions.normalQuantile(p)), p, relative: 1e-13))
        }
    }

    @Test func studentTAgainstTables() {
        #expect(isClose(Distributions.studentTQuantile(0.975, degreesOfFreedom: 1), 12.706204736174704, relative: 1e-10))
        #expect(isClose(Distributions.studentTQuantile(0.975, degreesOfFreedom: 5), 2.570581835636314, relative: 1e-10))
        #expect(isClose(Distributions.studentTQuantile(0.95, degreesOfFreedom: 30), 1.697260886539, relative: 1e-9))
        #expect(isClose(Distributions.studentTCDF(0, degreesOfFreedom: 3), 0.5, relative: 1e-15))
    }

    @Test func chiSquaredAgainstTables() {
        #expect(isClose(Distributions.chiSquaredCDF(3.841458820694124, degreesOfFreedom: 1), 0.95, relative: 1e-12))
        #expect(isClose(Distributions.chiSquaredCDF(18.307038053275146, degreesOfFreedom: 10), 0.95, relative: 1e-12))
        #expect(isClose(Distributions.chiSquaredCDF(124.34211340400407, degreesOfFreedom: 100), 0.95, relative: 1e-11))
    }

    @Test func kolmogorov() {
        #expect(isClose(Distributions.kolmogorovSurvival(1.3580986393225505), 0.05, relative: 1e-6))
    }
}

@Suite struct WeightedFitTests {
    @Test func exactLineIsRecovered() throws {
        let x = [0.0, 1, 2, 3], y = x.map { 2 - 1.5 * $0 }
        let fit = try WeightedLinearFit(x: x, y: y, standardErrors: [0.1, 0.1, 0.2, 0.1])
        #expect(isClose(fit.slope, -1.5, relative: 1e-13))
        #expect(isClose(fit.intercept, 2, relative: 1e-13))
        #expect(fit.birgeRatio == 1)
        // known-variance slope error: 1/sqrt(S_xx)
        let w = [100.0, 100, 25, 100]
        let xm = zip(w, x).map(*).reduce(0, +) / w.reduce(0, +)
        let sxx = zip(w, x).map { $0 * ($1 - xm) * ($1 - xm) }.reduce(0, +)
        #expect(isClose(fit.slopeStandardError, 1 / sxx.squareRoot(), relative: 1e-13))
    }

    @Test func scatterInflatesTheError() throws {
        let fit = try WeightedLinearFit(x: [0, 1, 2, 3, 4], y: [0, 2, 1, 4, 3], standardErrors: [0.01, 0.01, 0.01, 0.01, 0.01])
        #expect(fit.birgeRatio > 10)
        #expect(fit.goodnessOfFitPValue < 1e-6)
        #expect(fit.slopeInterval.contains(fit.slope))
    }

    @Test func badInputIsRejected() {
        #expect(throws: WeightedLinearFit.Failure.tooFewPoints(1)) { try WeightedLinearFit(x: [1], y: [1], standardErrors: [1]) }
        #expect(throws: WeightedLinearFit.Failure.nonPositiveError(index: 1)) { try WeightedLinearFit(x: [1, 2], y: [1, 2], standardErrors: [1, 0]) }
        #expect(throws: WeightedLinearFit.Failure.degenerateAbscissae) { try WeightedLinearFit(x: [1, 1], y: [1, 2], standardErrors: [1, 1]) }
        #expect(throws: WeightedLinearFit.Failure.nonFinite(index: 0)) { try WeightedLinearFit(x: [.nan, 1], y: [1, 2], standardErrors: [1, 1]) }
    }
}

@Suite struct FastMathTests {
    @Test func sineAndCosineWithinTwoUlp() {
        var worst = 0.0
        var x = -1000.0
        while x < 1000 {
            let (s, c) = FastMath.sinCos(x)
            worst = max(worst, abs(s - sin(x)) / 0x1p-52, abs(c - cos(x)) / 0x1p-52)
            x += 0.0137
        }
        #expect(worst <= 2, "error \(worst) ulp(1)")
        var worstFloat: Float = 0
        for i in 0..<100_000 {
            let v = Float(i) * 0.001 - 50
            let (s, c) = FastMath.sinCos(v)
            worstFloat = max(worstFloat, abs(s - Float(sin(Double(v)))) / 0x1p-23, abs(c - Float(cos(Double(v)))) / 0x1p-23)
        }
        #expect(worstFloat <= 2, "float error \(worstFloat) ulp(1)")
    }
}

@Suite struct BinomialTestTests {
    /// Twice the smaller tail, each tail summed from the pmf (lgamma-based) for n = 20.
    @Test func matchesTheDirectSumOfThePMF() {
        let n = 20, p = 0.3
        var pmf: [Double] = []
        for i in 0...n {
            let logChoose: Double = lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1))
            let logP: Double = logChoose + Double(i) * log(p) + Double(n - i) * log(1 - p)
            pmf.append(exp(logP))
        }
        for k in 0...n {
            var below = 0.0, above = 0.0
            for i in 0...k { below += pmf[i] }
            for i in k...n { above += pmf[i] }
            let direct = min(1, 2 * min(below, above))
            let value = Distributions.binomialTwoSidedPValue(successes: k, trials: n, probability: p)
            #expect(abs(value - direct) < 1e-12 * max(1, direct) + 1e-15, "k = \(k): \(value) vs \(direct)")
        }
    }

    @Test func edgesAreExact() {
        #expect(Distributions.binomialTwoSidedPValue(successes: 0, trials: 10, probability: 0) == 1)
        #expect(Distributions.binomialTwoSidedPValue(successes: 1, trials: 10, probability: 0) == 0)
        #expect(Distributions.binomialTwoSidedPValue(successes: 10, trials: 10, probability: 1) == 1)
        // all 1000 successes under p = 0.999: P(X = 1000) = 0.999¹⁰⁰⁰ ≈ 0.368, doubled
        let allFlat = Distributions.binomialTwoSidedPValue(successes: 1000, trials: 1000, probability: 0.999)
        #expect(abs(allFlat - 2 * pow(0.999, 1000)) < 1e-12)
        // a 5σ deficit is rejected: 400 of 1000 against ½ (z = −6.3)
        #expect(Distributions.binomialTwoSidedPValue(successes: 400, trials: 1000, probability: 0.5) < 1e-8)
    }
}
