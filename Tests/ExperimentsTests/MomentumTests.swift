import Foundation
import Numerics
import Testing
import TestSupport
@testable import Dynamics
@testable import Experiments
import Escape
import Problems
import Randomness

/// Heavy ball, its underdamped SDE and the momentum study. Monte Carlo checks use fixed seeds and
/// tolerances of 4 standard errors (two-sided p ≈ 6e-5 each), the SE of a sample variance of N
/// Gaussian values being var·√(2/(N − 1)): both processes are linear with Gaussian noise here.
@Suite struct MomentumTests {
    static let saddle = NoisyObjective(Quadratic(curvature: .diagonal(Point2(-1, 1)), name: "saddle"), noise: AdditiveNoise<Point2>(sigma: 1))
    static func bowl(_ a: Double, sigma: Double) -> NoisyObjective<Quadratic<Double>, AdditiveNoise<Double>> {
        NoisyObjective(Quadratic(curvature: a), noise: AdditiveNoise<Double>(sigma: sigma))
    }

    /// β = 0 takes `SGDMethod`'s plain branch: the positions are plain SGD's bit for bit, on the
    /// saddle and on the double well.
    @Test func betaZeroHeavyBallIsPlainSGDBitForBit() {
        let normals = GaussianStream(seed: 7)
        let hb = HeavyBallExitDynamics(problem: Self.saddle, eta: 0.01, beta: 0, seed: 3)
        let sgd = SGDExitDynamics(problem: Self.saddle, method: SGDMethod(eta: 0.01), seed: 3)
        var p = PhasePoint<Point2>(position: Point2(0.1, -0.2), velocity: .zero), x = p.position
        for k in 0..<500 {
            let z = Point2(normals.normal(path: 0, draw: 2 * k), normals.normal(path: 0, draw: 2 * k + 1))
            p = hb.advance(p, path: 0, step: k, normals: PhasePoint(position: z, velocity: Point2(9, 9)), auxiliary: 0)
            x = sgd.advance(x, path: 0, step: k, normals: z, auxiliary: 0)
            #expect(p.position == x, "step \(k)")
        }
        let well = NoisyObjective(DoubleWell(), noise: AdditiveNoise<Double>(sigma: 1))
        let hb1 = HeavyBallExitDynamics(problem: well, eta: 0.2, beta: 0, seed: 3), sgd1 = SGDExitDynamics(problem: well, method: SGDMethod(eta: 0.2), seed: 3)
        var q = PhasePoint<Double>(position: -1, velocity: 0), y = -1.0
        for k in 0..<500 {
            let z = normals.normal(path: 1, draw: k)
            q = hb1.advance(q, path: 0, step: k, normals: PhasePoint(position: z, velocity: 0), auxiliary: 0)
            y = sgd1.advance(y, path: 0, step: k, normals: z, auxiliary: 0)
            #expect(q.position.bitPattern == y.bitPattern, "step \(k)")
        }
    }

    /// At β > 0 the engine's iteration is v' = βv − η∇f, x' = x + v' (to rounding: it stores −v/η);
    /// the gradient noise is ε = −σξ (`GradientNoise.sample`'s sign convention).
    @Test func heavyBallIsTheTextbookRecursion() {
        let normals = GaussianStream(seed: 11), problem = Self.bowl(2, sigma: 0.5)
        let hb = HeavyBallExitDynamics(problem: problem, eta: 0.05, beta: 0.9, seed: 1)
        var p = PhasePoint<Double>(position: 1, velocity: 0), x = 1.0, v = 0.0
        for k in 0..<300 {
            let z = normals.normal(path: 0, draw: k)
            p = hb.advance(p, path: 0, step: k, normals: PhasePoint(position: z, velocity: 0), auxiliary: 0)
            v = 0.9 * v - 0.05 * (2 * x - 0.5 * z)
            x += v
            #expect(abs(p.position - x) <= 1e-12 && abs(p.velocity * 0.05 - v) <= 1e-12, "step \(k)")
        }
    }

    /// (x, v) ↦ A(x, v) + bξ with A = [[1 − ηa, β], [−ηa, β]], b = −ησ(1, 1): the stationary
    /// covariance solves P = A P Aᵀ + b bᵀ, iterated here to its fixed point (ρ(A) = √β < 1).
    static func discreteLyapunov(eta: Double, beta: Double, a: Double, sigma: Double) -> (xx: Double, xv: Double, vv: Double) {
        let (a11, a12, a21, a22) = (1 - eta * a, beta, -eta * a, beta), b = eta * sigma
        var (pxx, pxv, pvv) = (0.0, 0.0, 0.0)
        for _ in 0..<20_000 {
            let r1x = a11 * pxx + a12 * pxv, r1v = a11 * pxv + a12 * pvv
            let r2x = a21 * pxx + a22 * pxv, r2v = a21 * pxv + a22 * pvv
            (pxx, pxv, pvv) = (r1x * a11 + r1v * a12 + b * b, r1x * a21 + r1v * a22 + b * b, r2x * a21 + r2v * a22 + b * b)
        }
        return (pxx, pxv, pvv)
    }

    @Test(arguments: [0.5, 0.9])
    func heavyBallStationaryVarianceIsTheDiscreteLyapunovSolution(beta: Double) {
        let (eta, a, sigma) = (0.1, 1.0, 1.0)
        let p = Self.discreteLyapunov(eta: eta, beta: beta, a: a, sigma: sigma)
        let closed = MomentumTheory.heavyBallStableVariance(eta: eta, beta: beta, curvature: a, sigma: sigma)
        #expect(abs(p.xx - closed) <= 1e-12 * closed)
        // Monte Carlo: N paths from rest, K steps (√β^K < 1e-9), the sample variance of x and of the step v = x_K − x_{K−1}
        let hb = HeavyBallExitDynamics(problem: Self.bowl(a, sigma: sigma), eta: eta, beta: beta, seed: 5), normals = GaussianStream(seed: 21)
        let n = 4000, steps = 400
        var xs: [Double] = [], vs: [Double] = []
        for path in 0..<n {
            var q = PhasePoint<Double>(position: 0, velocity: 0)
            for k in 0..<steps { q = hb.advance(q, path: path, step: k, normals: PhasePoint(position: normals.normal(path: path, draw: k), velocity: 0), auxiliary: 0) }
            xs.append(q.position)
            vs.append(q.velocity * eta)
        }
        for (sample, exact) in [(xs, p.xx), (vs, p.vv)] {
            let mean = sample.reduce(0, +) / Double(n)
            let variance = sample.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            #expect(abs(variance - exact) <= 4 * exact * (2 / Double(n - 1)).squareRoot(), "β = \(beta): \(variance) vs \(exact)")
        }
    }

    /// The SDE on F = a x²/2 is the Langevin equation at temperature T = ησ²/(2(1 − β)): its
    /// stationary law is N(0, T/a) × N(0, T/m), whatever m. Checked exactly from its coefficients
    /// (A P + P Aᵀ + B Bᵀ = 0 solved for the 2 × 2 P) and by Monte Carlo under Platen's scheme.
    @Test(arguments: [0.0, 0.5, 0.9])
    func underdampedStationaryVarianceIsGibbs(beta: Double) {
        let (eta, a, sigma) = (0.1, 1.5, 0.8)
        let process = UnderdampedProcess(Self.bowl(a, sigma: sigma), eta: eta, beta: beta)
        let m = eta * (1 + beta) / 2, temperature = eta * sigma * sigma / (2 * (1 - beta))
        #expect(process.mass == m)
        // the drift is linear: A's columns are its values at the unit vectors
        let c1 = process.drift(at: PhasePoint(position: 1, velocity: 0), time: 0), c2 = process.drift(at: PhasePoint(position: 0, velocity: 1), time: 0)
        let (a11, a21, a12, a22) = (c1.position, c1.velocity, c2.position, c2.velocity)
        let s = process.diffusion(at: PhasePoint(position: 0, velocity: 0), time: 0)
        let q = s[column: 1].velocity * s[column: 1].velocity + s[column: 0].velocity * s[column: 0].velocity
        #expect(s[column: 0].position == 0 && s[column: 1].position == 0)
        // with a11 = 0, a12 = 1: P_xv = 0, P_vv = −a21 P_xx, and 2 a22 P_vv + q = 0
        #expect(a11 == 0 && a12 == 1)
        let pvv = -q / (2 * a22), pxx = -pvv / a21
        #expect(abs(pxx - temperature / a) <= 1e-12 * pxx && abs(pvv - temperature / m) <= 1e-12 * pvv)
        // Monte Carlo: 4000 paths from rest to s = 12, where the slowest mode (rate ≥ 0.52 for these β) has
        // left e^(−12) of the initial transient in the variance; h = m/(1 − β)/20 keeps the scheme's O(h²) bias ≪ 1 SE
        let h = process.relaxationTime / 20, steps = Int((12 / h).rounded(.up)), n = 4000
        let dynamics = SDEExitDynamics(process: process, stepper: PlatenWeak2(), step: h, bridge: false), normals = GaussianStream(seed: 31)
        var xs: [Double] = [], vs: [Double] = []
        for path in 0..<n {
            var p = PhasePoint<Double>(position: 0, velocity: 0)
            for k in 0..<steps {
                let z = PhasePoint(position: normals.normal(path: path, draw: 2 * k), velocity: normals.normal(path: path, draw: 2 * k + 1))
                p = dynamics.advance(p, path: path, step: k, normals: z, auxiliary: 0)
            }
            xs.append(p.position)
            vs.append(p.velocity)
        }
        for (sample, exact) in [(xs, temperature / a), (vs, temperature / m)] {
            let mean = sample.reduce(0, +) / Double(n)
            let variance = sample.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
            #expect(abs(variance - exact) <= 4 * exact * (2 / Double(n - 1)).squareRoot(), "β = \(beta): \(variance) vs \(exact)")
        }
    }

    @Test func kramersFactorAndItsLimits() {
        // overdamped limit: κ → 1 as m → 0 (κ = 1 − q + O(q²))
        for eta in [1e-4, 1e-6] {
            let k = MomentumTheory.kramersFactor(eta: eta, beta: 0.5, barrierCurvature: 1), q = eta * 1.5 / (2 * 0.25)
            #expect(abs(k - (1 - q)) <= 3 * q * q)
        }
        // the brief's number: β = 0.9, η_eff = 0.25, |F″_b| = 1 gives q = 2.375 and 1/κ = 2.12
        let k = MomentumTheory.kramersFactor(eta: 0.025, beta: 0.9, barrierCurvature: 1)
        #expect(abs(1 / k - 2.375 / ((2.625).squareRoot() - 0.5)) <= 1e-12 && abs(1 / k - 2.12) < 0.005)
        // inertia only slows: κ < 1, decreasing in m
        #expect(MomentumTheory.kramersFactor(eta: 0.05, beta: 0.9, barrierCurvature: 1) < k)
    }

    @Test func heavyBallLinearLawReducesToTheorem3AtBetaZero() {
        let (z1, z2) = MomentumTheory.heavyBallRoots(eta: 0.01, beta: 0, gamma1: 1)
        #expect(abs(z1 - 1.01) <= 1e-15 && z2 == 0)
        // both roots solve z² − (1 + β + ηγ₁)z + β = 0
        let (r1, r2) = MomentumTheory.heavyBallRoots(eta: 0.01, beta: 0.9, gamma1: 1)
        for z in [r1, r2] { #expect(abs(z * z - 1.91 * z + 0.9) <= 1e-14) }
        // at small η, plain SGD's law is Theorem 3's linear-saddle law (its O(η) corrections vanish)
        let eta = 1e-6, law = MomentumTheory.heavyBallSaddleTime(eta: eta, beta: 0, gamma1: 1, lambda: 1, sigma: 1, radius: 1)
        let theorem3 = EscapeTheory.linearSaddleMeanExitTime(gamma1: 1, sigma: 1, radius: 1, eta: eta)
        #expect(abs(law - theorem3) <= 1e-3 * theorem3, "\(law) vs \(theorem3)")
        // the SDE's law tends to heavy ball's as η → 0
        let hb = MomentumTheory.heavyBallSaddleTime(eta: 1e-5, beta: 0.9, gamma1: 1, lambda: 1, sigma: 1, radius: 1)
        let sde = MomentumTheory.underdampedSaddleTime(eta: 1e-5, beta: 0.9, gamma1: 1, lambda: 1, sigma: 1, radius: 1, step: 0)
        #expect(abs(hb - sde) <= 1e-3 * hb, "\(hb) vs \(sde)")
    }

    @Test func badConfigurationsAreOneLineErrors() {
        func check(_ fragment: String, _ change: (inout MomentumConfiguration) -> Void) {
            var c = MomentumConfiguration()
            change(&c)
            expectOneLineError(fragment) { try c.validate() }
        }
        check("need 0 < β < 1") { $0.betas = [1] }
        check("need 0 < β < 1") { $0.betas = [-0.1] }
        check("need 0 < β < 1") { $0.betas = [0, 0.5] }
        check("the list is empty") { $0.betas = [] }
        check("need 0 < η < 0.5") { $0.saddleEtas = [0, 1e-3] }
        check("need 0 < η < 0.5") { $0.saddleEtas = [-1e-2, 1e-3] }
        check("need 0 < η_eff ≤ 0.5") { $0.minimumEtas = [0.6] }
        check("need at least two values") { $0.saddleEtas = [1e-2] }
        check("both grids are empty") { ($0.saddleEtas, $0.minimumEtas) = ([], []) }
        check("repeats a value") { $0.betas = [0.5, 0.5] }
        check("must be positive and finite") { $0.sigma = 0 }
        check("need 2 ≤ N") { $0.saddlePaths = 1 }
        check("SDE step fraction") { $0.stepFraction = 0 }
        check("time limit") { $0.maxTime = .infinity }
        check("past the barrier") { $0.target = -0.5 }
    }

    static func tiny(threads: Int) throws -> MomentumResult {
        let c = MomentumConfiguration(saddleEtas: [1e-2, 3e-3], minimumEtas: [0.25], betas: [0.9], saddlePaths: 256, minimumPaths: 256, seed: 4)
        return try MomentumStudy.run(c, options: RunOptions(threads: threads, quiet: true))
    }

    /// Noise is named by (seed, path, step): the tallies do not depend on the thread count.
    @Test func smallStudyIsThreadIndependentAndComplete() throws {
        let one = try Self.tiny(threads: 1), two = try Self.tiny(threads: 2)
        #expect(one.saddle == two.saddle && one.minimum == two.minimum)
        #expect(one.saddle.count == 4 && one.minimum.count == 1 && one.slopes.count == 4)
        for row in one.saddle where row.beta == 0 { #expect(row.ratio.mean == 1 && row.sgd == row.heavyBall) }
        for row in one.saddle + [] { #expect(row.heavyBall.censored == 0 && row.sde.censored == 0) }
        #expect(one.minimum[0].ratio.mean > 1, "inertia slows the escape from the minimum")
        #expect(one.schema == "sgdiff.momentum/1")
    }
}
