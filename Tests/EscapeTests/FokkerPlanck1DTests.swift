import Foundation
import Testing
import TestSupport
@testable import Escape

@Suite struct ReflectedFokkerPlanck1DTests {
    static func moments(_ fp: ReflectedFokkerPlanck1D, _ p: [Double]) -> (mean: Double, variance: Double) {
        var m1 = 0.0, m2 = 0.0
        for (x, q) in zip(fp.nodes, p) { m1 += q * x; m2 += q * x * x }
        return (m1, m2 - m1 * m1)
    }

    /// Ornstein–Uhlenbeck dX = −X ds + dB from x₀ = 1: at s = 1 the law is normal with mean e^{−1}
    /// and variance (1 − e^{−2})/2. The scheme is second order in Δx and in Δt, so halving both
    /// must cut the error by close to 4 (at least 2.5), and the fine grid must be within 1e-4.
    @Test func ornsteinUhlenbeckMomentsConvergeAtSecondOrder() throws {
        let mean = exp(-1.0), variance = -expm1(-2.0) / 2
        var errors: [Double] = []
        for level in 0..<3 {
            let scale = 1 << level
            let fp = try ReflectedFokkerPlanck1D(lower: -6, upper: 6, cells: 300 * scale, drift: { -$0 }, diffusion: { _ in 0.5 })
            let (m, v) = Self.moments(fp, try fp.evolve(from: 1, time: 1, steps: 25 * scale))
            errors.append(max(abs(m - mean), abs(v - variance)))
        }
        #expect(errors[2] < 1e-4, "\(errors)")
        #expect(errors[0] / errors[1] > 2.5 && errors[1] / errors[2] > 2.5, "\(errors)")
    }

    /// State-dependent noise: b = −x, D = (1 + x²)/4. The stationary law is ∝ e^{−Ψ}/D with
    /// Ψ = ∫ x/D = 2 log(1 + x²), i.e. ∝ (1 + x²)^{−3}: its mass on [½, 4] by Simpson on a fine
    /// grid against the chain's stationary law (O(Δx²) apart) and against a long evolution.
    @Test func stationaryLawWithStateDependentNoise() throws {
        let fp = try ReflectedFokkerPlanck1D(lower: -4, upper: 4, cells: 1600, drift: { -$0 }, diffusion: { (1 + $0 * $0) / 4 })
        func density(_ x: Double) -> Double { pow(1 + x * x, -3) }
        func simpson(_ a: Double, _ b: Double, _ n: Int) -> Double {
            let h = (b - a) / Double(n)
            var s = density(a) + density(b)
            for i in 1..<n { s += (i % 2 == 1 ? 4 : 2) * density(a + Double(i) * h) }
            return s * h / 3
        }
        // The chain's law is exactly ∝ e^{−Ψ_i}/D_i at the nodes (Ψ by Simpson per cell), so its
        // mass on the nodes of [½, 4] is a node sum of the density: the trapezoid rule plus half
        // an end value at each end. Left: the trapezoid rule's (Δx²/12)|d′| ≈ 3e-6, hence 1e-5.
        let dx = 8.0 / 1600
        let exact = (simpson(0.5, 4, 20_000) + dx / 2 * (density(0.5) + density(4))) / (simpson(-4, 4, 40_000) + dx / 2 * (density(-4) + density(4)))
        let inside = fp.mass(fp.stationary) { $0 >= 0.5 - 1e-12 }
        #expect(abs(inside - exact) < 1e-5, "\(inside) vs \(exact)")
        let evolved = try fp.evolve(from: -2, time: 60, steps: 3000)
        for (a, b) in zip(evolved, fp.stationary) { #expect(abs(a - b) < 1e-9) }
        let total = evolved.reduce(0, +)
        #expect(abs(total - 1) < 1e-12)
    }

    @Test func badInputsAreOneLineErrors() throws {
        expectOneLineError("a < c") { _ = try ReflectedFokkerPlanck1D(lower: 1, upper: 1, cells: 10, drift: { _ in 0 }, diffusion: { _ in 1 }) }
        expectOneLineError("cells") { _ = try ReflectedFokkerPlanck1D(lower: 0, upper: 1, cells: 2, drift: { _ in 0 }, diffusion: { _ in 1 }) }
        expectOneLineError("D > 0") { _ = try ReflectedFokkerPlanck1D(lower: -1, upper: 1, cells: 10, drift: { _ in 0 }, diffusion: { $0 }) }
        let fp = try ReflectedFokkerPlanck1D(lower: 0, upper: 1, cells: 10, drift: { _ in 0 }, diffusion: { _ in 1 })
        expectOneLineError("outside") { _ = try fp.evolve(from: 2, time: 1, steps: 1) }
        expectOneLineError("time steps") { _ = try fp.evolve(from: 0.5, time: 1, steps: 0) }
        expectOneLineError("time") { _ = try fp.evolve(from: 0.5, time: -1, steps: 1) }
    }
}
