import Foundation
import Numerics
import Testing
import TestSupport
@testable import Randomness

/// The ziggurat's law beyond r = 4.04, out to 6σ and past it, with Monte Carlo error bars.
///
/// Every |z| > r comes from the tail route (layer 0's cells beyond r; the other layers are narrower
/// than r), which maps a uniform U to z = Q⁻¹(U Q(r)). So the conditional law of the tail can be
/// sampled directly, 10^7 times, at a cost no unconditional sample could reach (P(|Z| > 6) = 2e-9):
/// P(Z > t | Z > r) = Q(t) / Q(r) is checked for t = 4.5 ... 7. The route's frequency, P(|Z| > r),
/// is checked on the production fill in `ZigguratLawTests`, and the kernels' tail values equal the
/// Swift ones bit for bit (`ZigguratKernelTests.longRunEqualsReference`), so together these pin the
/// generated law beyond r. Tolerance: `monteCarloZ` (5) binomial standard errors sqrt(n p (1 - p)) of each count.
@Suite struct ZigguratTailTests {
    @Test func conditionalTailMatchesTheNormalLawTo7Sigma() {
        let n = 10_000_000
        var g = PhiloxGenerator(seed: 4242, stream: .independent(77), path: 0)
        let thresholds: [Double] = [4.5, 5, 5.5, 6, 6.5, 7]
        var counts = [Int](repeating: 0, count: thresholds.count)
        var i = 0
        while i < n {
            // the route's input: 52 bits of a Philox word as U = (b + 1/2) 2^-52, as the fallback forms it
            var bits = LaneWords()
            for l in 0..<8 { bits[l] = g.next() >> 12 }
            let z = ZigguratFallback.tailQuantile(minusTwoLogU: minusTwoLog(unitFrom: bits))
            for l in 0..<8 {
                for (k, t) in thresholds.enumerated() where z[l] > t { counts[k] += 1 }
            }
            i += 8
        }
        let qr = 0.5 * erfc(Ziggurat.r / 2.0.squareRoot())
        for (k, t) in thresholds.enumerated() {
            let p = 0.5 * erfc(t / 2.0.squareRoot()) / qr
            let expected = Double(n) * p, se = (Double(n) * p * (1 - p)).squareRoot()
            #expect(abs(Double(counts[k]) - expected) < monteCarloZ * se,
                    "P(Z > \(t) | Z > r): \(counts[k]) of \(n), expected \(expected) ± \(se)")
        }
    }
}
