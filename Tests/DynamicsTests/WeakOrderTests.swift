import Foundation
import Numerics
import Problems
import Randomness
import Testing
import TestSupport
@testable import Dynamics

/// Geometric Brownian motion dX = μX dt + σX dW (diagonal, state-dependent noise).
struct GeometricBrownianMotion: DiffusionProcess {
    var mu = -0.5, sigma = 0.4
    func drift(at x: Double, time: Double) -> Double { mu * x }
    func diffusion(at x: Double, time: Double) -> SquareMatrix<Double> { .scalar(sigma * x) }
    var noiseStructure: NoiseStructure { .diagonal }
}

/// Ornstein–Uhlenbeck dX = -θX dt + σ dW (additive noise).
struct OrnsteinUhlenbeck: DiffusionProcess {
    var theta = 0.5, sigma = 0.7
    func drift(at x: Double, time: Double) -> Double { -theta * x }
    func diffusion(at x: Double, time: Double) -> SquareMatrix<Double> { .scalar(sigma) }
    var noiseStructure: NoiseStructure { .additive }
}

/// dX = A X dt + B₁X dW₁ + B₂X dW₂ with non-commuting B₁, B₂: the general branch of the weak
/// scheme, Lévy-area stand-ins included. Second moments solve P' = AP + PAᵀ + Σ_j B_j P B_jᵀ.
struct LinearNoncommuting: DiffusionProcess {
    static let a = SquareMatrix<Point2>(columns: [Point2(-0.5, -0.2), Point2(0.3, -0.4)])
    static let b1 = SquareMatrix<Point2>(columns: [Point2(0.4, 0), Point2(0.1, 0.2)])
    static let b2 = SquareMatrix<Point2>(columns: [Point2(0, 0.3), Point2(-0.3, 0.1)])
    var declared: NoiseStructure = .general
    func drift(at x: Point2, time: Double) -> Point2 { Self.a * x }
    func diffusion(at x: Point2, time: Double) -> SquareMatrix<Point2> { SquareMatrix(columns: [Self.b1 * x, Self.b2 * x]) }
    var noiseStructure: NoiseStructure { declared }

    /// E|X(T)|² from the moment ODE by RK4 with 20 000 steps (error ~1e-16).
    static func exactSecondMoment(x0: Point2, horizon: Double) -> Double {
        func rhs(_ p: SquareMatrix<Point2>) -> SquareMatrix<Point2> {
            a * p + p * a.transposed + b1 * p * b1.transposed + b2 * p * b2.transposed
        }
        var p = SquareMatrix.outer(x0, x0)
        let n = 20_000, h = horizon / Double(n)
        for _ in 0..<n {
            let k1 = rhs(p), k2 = rhs(p + (h / 2) * k1), k3 = rhs(p + (h / 2) * k2), k4 = rhs(p + h * k3)
            p = p + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4)
        }
        return p.trace
    }
}

/// Estimates Δ(n) = E φ(X with n steps) - E φ(X with 2n steps) on coupled Brownian paths (the
/// coarse increments are sums of fine pairs), and E φ at the finest level.
func coupledDifferences<P: DiffusionProcess, S: SDEStepper>(
    _ process: P, _ stepper: S, x0: P.State, horizon: Double, levels: [Int], paths: Int, seed: UInt64,
    phi: (P.State) -> Double
) -> (deltas: [Estimate], finest: Estimate) where P.State.Scalar == Double {
    let d = P.State.dimension
    let normals = GaussianStream(seed: seed), bits = GaussianStream(seed: seed, stream: .auxiliary)
    let coarseBits = GaussianStream(seed: seed, stream: .independent(7))
    var accumulators = levels.map { _ in MomentAccumulator() }
    var finest = MomentAccumulator()
    for path in 0..<paths {
        for (li, n) in levels.enumerated() {
            let fineSteps = 2 * n
            let hf = horizon / Double(fineSteps), hc = horizon / Double(n)
            var fine = x0, coarse = x0
            var w = [Double](repeating: 0, count: d)
            for k in 0..<fineSteps {
                // fine increments are draws of the finest grid folded down, so levels share paths
                let ratio = 2 * levels.last! / fineSteps
                var dW = P.State.zero
                for c in 0..<d {
                    var s = 0.0
                    for q in 0..<ratio { s += normals.normal(path: path, draw: (k * ratio + q) * d + c) }
                    dW.setComponent(c, to: s * (hf / Double(ratio)).squareRoot())
                }
                fine = stepper.step(process, from: fine, time: Double(k) * hf, dt: hf, dW: dW,
                                    auxiliaryBits: bits.bits(path: path, draw: li * 1_000_000 + k))
                for c in 0..<d { w[c] += dW.component(c) }
                if k % 2 == 1 {
                    var dWc = P.State.zero
                    for c in 0..<d { dWc.setComponent(c, to: w[c]) }
                    coarse = stepper.step(process, from: coarse, time: Double(k / 2) * hc, dt: hc, dW: dWc,
                                          auxiliaryBits: coarseBits.bits(path: path, draw: li * 1_000_000 + k / 2))
                    w = [Double](repeating: 0, count: d)
                }
            }
            accumulators[li].add(phi(coarse) - phi(fine))
            if li == levels.count - 1 { finest.add(phi(fine)) }
        }
    }
    return (accumulators.map(\.estimate), finest.estimate)
}

/// Weighted slope of log|Δ| against log h with its standard error.
func orderOf(_ deltas: [Estimate], levels: [Int], horizon: Double) throws -> (slope: Double, se: Double) {
    let fit = try WeightedLinearFit(x: levels.map { log(horizon / Double($0)) }, y: deltas.map { log(abs($0.mean)) },
                                    standardErrors: deltas.map { $0.standardError / abs($0.mean) })
    return (fit.slope, fit.slopeStandardError)
}

@Suite struct WeakOrderTests {
    // Tolerance on a fitted order: 0.25 for pre-asymptotic curvature over the step range used,
    // plus 4 standard errors of the fitted slope (errors from the Monte Carlo standard errors).

    @Test func eulerMaruyamaIsWeakOrderOneOnGBM() throws {
        let levels = [2, 4, 8, 16]
        let r = coupledDifferences(GeometricBrownianMotion(), EulerMaruyama(), x0: 1.0, horizon: 1, levels: levels, paths: 40_000, seed: 1) { $0 * $0 }
        let (slope, se) = try orderOf(r.deltas, levels: levels, horizon: 1)
        #expect(abs(slope - 1) <= 0.25 + 4 * se, "order \(slope) ± \(se)")
    }

    @Test func platenIsWeakOrderTwoOnGBM() throws {
        let levels = [2, 4, 8, 16]
        let gbm = GeometricBrownianMotion()
        let r = coupledDifferences(gbm, PlatenWeak2(), x0: 1.0, horizon: 1, levels: levels, paths: 200_000, seed: 2) { $0 * $0 }
        let (slope, se) = try orderOf(r.deltas, levels: levels, horizon: 1)
        #expect(abs(slope - 2) <= 0.25 + 4 * se, "order \(slope) ± \(se)")
        // and the finest level agrees with E X² = exp((2μ + σ²)T), up to 5 se plus its own bias
        let exact = exp(2 * gbm.mu + gbm.sigma * gbm.sigma)
        let bias = abs(r.deltas.last!.mean) / 3
        #expect(abs(r.finest.mean - exact) <= monteCarloZ * r.finest.standardError + 2 * bias)
    }

    @Test func ornsteinUhlenbeckOrders() throws {
        // θh <= 1/8: coarser grids are pre-asymptotic for Euler (local slopes 1.35 at h = 1/2)
        let levels = [4, 8, 16, 32]
        let ou = OrnsteinUhlenbeck()
        let em = coupledDifferences(ou, EulerMaruyama(), x0: 1.0, horizon: 1, levels: levels, paths: 40_000, seed: 3) { $0 * $0 }
        let weak2 = coupledDifferences(ou, PlatenWeak2(), x0: 1.0, horizon: 1, levels: levels, paths: 40_000, seed: 4) { $0 * $0 }
        let (s1, se1) = try orderOf(em.deltas, levels: levels, horizon: 1)
        let (s2, se2) = try orderOf(weak2.deltas, levels: levels, horizon: 1)
        #expect(abs(s1 - 1) <= 0.25 + 4 * se1, "EM order \(s1) ± \(se1)")
        #expect(abs(s2 - 2) <= 0.25 + 4 * se2, "weak2 order \(s2) ± \(se2)")
        let e2 = exp(-2 * ou.theta)
        let exact = e2 + ou.sigma * ou.sigma * (1 - e2) / (2 * ou.theta)
        #expect(abs(weak2.finest.mean - exact) <= monteCarloZ * weak2.finest.standardError + abs(weak2.deltas.last!.mean))
    }

    @Test func platenIsWeakOrderTwoWithNoncommutingNoise() throws {
        let levels = [2, 4, 8, 16]
        let x0 = Point2(1, 0.5)
        let r = coupledDifferences(LinearNoncommuting(), PlatenWeak2(), x0: x0, horizon: 1, levels: levels, paths: 100_000, seed: 5) { $0.squaredNorm }
        let (slope, se) = try orderOf(r.deltas, levels: levels, horizon: 1)
        #expect(abs(slope - 2) <= 0.25 + 4 * se, "order \(slope) ± \(se)")
        let exact = LinearNoncommuting.exactSecondMoment(x0: x0, horizon: 1)
        #expect(abs(r.finest.mean - exact) <= monteCarloZ * r.finest.standardError + abs(r.deltas.last!.mean), "\(r.finest.mean) vs \(exact)")
    }

    /// Without the two-point variables V the general scheme is not weak order 2: dropping them
    /// (all bits zero makes V antisymmetric but no longer mean-zero per pair... it biases the
    /// cross terms) changes E|X|² beyond the Monte Carlo error. This guards the V terms.
    @Test func levyAreaStandInsMatter() {
        let stepper = PlatenWeak2(), process = LinearNoncommuting()
        let x0 = Point2(1, 0.5)
        let normals = GaussianStream(seed: 6), bits = GaussianStream(seed: 6, stream: .auxiliary)
        var with = MomentAccumulator(), without = MomentAccumulator()
        let n = 4, h = 0.25
        for path in 0..<100_000 {
            var a = x0, b = x0
            for k in 0..<n {
                let dW = Point2(normals.normal(path: path, draw: 2 * k), normals.normal(path: path, draw: 2 * k + 1))
                a = stepper.step(process, from: a, time: 0, dt: h, dW: h.squareRoot() * dW, auxiliaryBits: bits.bits(path: path, draw: k))
                b = stepper.step(process, from: b, time: 0, dt: h, dW: h.squareRoot() * dW, auxiliaryBits: 0)
            }
            with.add(a.squaredNorm)
            without.add(b.squaredNorm)
        }
        let exact = LinearNoncommuting.exactSecondMoment(x0: x0, horizon: 1)
        #expect(abs(with.mean - exact) < abs(without.mean - exact))
    }

    @Test func generalBranchReducesToDiagonalBranch() {
        // GBM written as a general-noise process must step exactly like the diagonal branch.
        struct GeneralGBM: DiffusionProcess {
            var inner = GeometricBrownianMotion()
            func drift(at x: Double, time: Double) -> Double { inner.drift(at: x, time: time) }
            func diffusion(at x: Double, time: Double) -> SquareMatrix<Double> { inner.diffusion(at: x, time: time) }
            var noiseStructure: NoiseStructure { .general }
        }
        for (x, dW) in [(1.0, 0.3), (0.2, -0.8), (2.5, 0.05)] {
            let a = PlatenWeak2().step(GeometricBrownianMotion(), from: x, time: 0, dt: 0.1, dW: dW, auxiliaryBits: 0)
            let b = PlatenWeak2().step(GeneralGBM(), from: x, time: 0, dt: 0.1, dW: dW, auxiliaryBits: 0)
            #expect(isClose(a, b, relative: 1e-14))
        }
    }
}
