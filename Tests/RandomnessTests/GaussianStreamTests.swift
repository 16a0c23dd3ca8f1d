import Foundation
import Numerics
import Testing
import TestSupport
@testable import Randomness

@Suite struct GaussianStreamTests {
    @Test func fillAgreesWithScalarAccessForAnyWindow() {
        let g = GaussianStream(seed: 2024, stream: .driving)
        let lanes = 13, draws = 7, firstDraw = 3, firstPath = 1000
        let stride = GaussianStream.paddedLanes(lanes)
        var buffer = [Double](repeating: .nan, count: stride * draws)
        buffer.withUnsafeMutableBufferPointer {
            g.fill(firstPath: firstPath, lanes: lanes, firstDraw: firstDraw, draws: draws, stride: stride, into: $0.baseAddress!)
        }
        for j in 0..<draws {
            for i in 0..<lanes {
                #expect(buffer[j * stride + i] == g.normal(path: firstPath + i, draw: firstDraw + j))
            }
        }
    }

    @Test func floatFillAgreesWithScalarAccess() {
        let g = GaussianStream(seed: 5, stream: .driving)
        let lanes = 9, draws = 10, firstDraw = 2
        let stride = GaussianStream.paddedLanes(lanes)
        var buffer = [Float](repeating: .nan, count: stride * draws)
        buffer.withUnsafeMutableBufferPointer {
            g.fill(firstPath: 0, lanes: lanes, firstDraw: firstDraw, draws: draws, stride: stride, into: $0.baseAddress!)
        }
        for j in 0..<draws {
            for i in 0..<lanes { #expect(buffer[j * stride + i] == g.normalFloat(path: i, draw: firstDraw + j)) }
        }
    }

    @Test func splittingTheDrawRangeDoesNotChangeValues() {
        let g = GaussianStream(seed: 77)
        let stride = 8
        var whole = [Double](repeating: 0, count: stride * 10)
        var parts = [Double](repeating: 0, count: stride * 10)
        whole.withUnsafeMutableBufferPointer { g.fill(firstPath: 0, lanes: 8, firstDraw: 0, draws: 10, stride: stride, into: $0.baseAddress!) }
        parts.withUnsafeMutableBufferPointer { p in
            g.fill(firstPath: 0, lanes: 8, firstDraw: 0, draws: 3, stride: stride, into: p.baseAddress!)
            g.fill(firstPath: 0, lanes: 8, firstDraw: 3, draws: 7, stride: stride, into: p.baseAddress! + 3 * stride)
        }
        #expect(whole == parts)
    }

    @Test func streamsAndSeedsAreDistinct() {
        let a = GaussianStream(seed: 1, stream: .driving), b = GaussianStream(seed: 1, stream: .auxiliary)
        let c = GaussianStream(seed: 2, stream: .driving)
        #expect(a.normal(path: 0, draw: 0) != b.normal(path: 0, draw: 0))
        #expect(a.normal(path: 0, draw: 0) != c.normal(path: 0, draw: 0))
        #expect(a.normal(path: 0, draw: 0) != a.normal(path: 1, draw: 0))
    }

    /// Moments of 2^20 variates against N(0,1): each sample moment's tolerance is 5 standard
    /// errors, se(m_k) = sqrt((m_2k - m_k²)/n) with the Gaussian m_2k.
    @Test(arguments: [false, true]) func momentsMatchTheStandardNormal(float: Bool) {
        let n = 1 << 20
        let g = GaussianStream(seed: 31_337)
        var s1 = 0.0, s2 = 0.0, s3 = 0.0, s4 = 0.0
        for p in 0..<(n / 64) {
            for d in 0..<64 {
                let z = float ? Double(g.normalFloat(path: p, draw: d)) : g.normal(path: p, draw: d)
                s1 += z; s2 += z * z; s3 += z * z * z; s4 += z * z * z * z
            }
        }
        let m = Double(n)
        let tol = { (variance: Double) in monteCarloZ * (variance / m).squareRoot() }
        #expect(abs(s1 / m) < tol(1))
        #expect(abs(s2 / m - 1) < tol(3 - 1))
        #expect(abs(s3 / m) < tol(15))
        #expect(abs(s4 / m - 3) < tol(105 - 9))
    }

    /// Kolmogorov–Smirnov against Φ on 200 000 variates; reject at p < 1e-4.
    @Test func kolmogorovSmirnov() {
        let n = 200_000
        let g = GaussianStream(seed: 9)
        var z = (0..<n).map { g.normal(path: $0 % 1000, draw: $0 / 1000) }
        z.sort()
        var d = 0.0
        for (i, v) in z.enumerated() {
            let f = Distributions.normalCDF(v)
            d = max(d, abs(f - Double(i) / Double(n)), abs(Double(i + 1) / Double(n) - f))
        }
        let p = Distributions.kolmogorovSurvival(d * Double(n).squareRoot())
        #expect(p > 1e-4, "KS statistic \(d), p = \(p)")
    }

    /// The vectorised log and sin/cos against libm: Box–Muller radius and angle within 4 ulp.
    @Test func transcendentalKernelsAreAccurate() {
        var worstLog = 0.0, worstTrig = 0.0
        var bits = LaneWords(1, 2, 3, 5, 8, 13, 21, 34)
        for _ in 0..<20_000 {
            bits = (bits &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407)
            let b = bits &>> 12
            let r = minusTwoLog(unitFrom: b)
            let (c, s) = cosSinTurns(b)
            for lane in 0..<8 {
                let u = (Double(b[lane]) + 0.5) * 0x1p-52
                worstLog = max(worstLog, ulpDistance(r[lane], -2 * log(u)))
                let angle = 2 * Double.pi * u
                worstTrig = max(worstTrig, abs(c[lane] - cos(angle)) / 0x1p-52, abs(s[lane] - sin(angle)) / 0x1p-52)
            }
        }
        #expect(worstLog <= 4, "log error \(worstLog) ulp")
        // absolute error in units of 2^-52 (|sin|, |cos| <= 1); libm's own argument 2πu is rounded
        #expect(worstTrig <= 8, "sin/cos error \(worstTrig) ulp(1)")
    }
}
