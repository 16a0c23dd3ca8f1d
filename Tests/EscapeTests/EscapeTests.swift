import Synchronization
import Foundation
import Numerics
import Problems
import Dynamics
import Ensembles
import Randomness
import Testing
import TestSupport
@testable import Escape

/// dX = σ dB on (0, 1): E_x T = x(1 - x)/σ² exactly.
struct BrownianMotion: DiffusionProcess {
    var sigma = 1.0
    func drift(at x: Double, time: Double) -> Double { 0 }
    func diffusion(at x: Double, time: Double) -> SquareMatrix<Double> { .scalar(sigma) }
    var noiseStructure: NoiseStructure { .additive }
}

@Suite struct DomainTests {
    @Test func signedDistancesAndNormals() {
        let i = Interval(-1, 2)
        #expect(i.signedDistance(0) == -1 && i.signedDistance(2.5) == 0.5 && i.outwardNormal(1.9) == 1 && i.outwardNormal(-0.5) == -1)
        let b = Ball(center: Point2(1, 1), radius: 2)
        #expect(isClose(b.signedDistance(Point2(1, 2)), -1, relative: 1e-15))
        #expect(b.outwardNormal(Point2(1, 2)) == Point2(0, 1))
        let box = Box(lower: Point2(0, -.infinity), upper: Point2(1, .infinity))
        #expect(box.signedDistance(Point2(0.9, 100)) == -0.1 * 1 + 0 || isClose(box.signedDistance(Point2(0.9, 100)), -0.1, relative: 1e-12))
        #expect(box.outwardNormal(Point2(0.9, 5)) == Point2(1, 0))
        let level = LevelSetDomain<Point2>(name: "disc") { $0.squaredNorm - 1 }
        #expect(level.contains(Point2(0.5, 0)) && !level.contains(Point2(1.5, 0)))
        #expect(isClose(level.outwardNormal(Point2(0.6, 0.8)).x, 0.6, relative: 1e-6))
    }
}

@Suite struct ExitTimeTests {
    static func brownianExit(bridge: Bool, h: Double, paths: Int) -> MomentAccumulator {
        let ensemble = ExitEnsemble(dynamics: SDEExitDynamics(process: BrownianMotion(), stepper: EulerMaruyama(), step: h, bridge: bridge),
                                    domain: Interval(0, 1), start: 0.3, center: 0.3, reference: 1, maxSteps: 1_000_000, seed: 4)
        return ensemble.simulate(paths: 0..<paths)["T"]
    }

    /// Brownian motion leaving (0, 1) from 0.3: E T = 0.21. With the bridge test the estimate
    /// agrees within 5 standard errors at h = 0.01; checking grid points only overestimates E T
    /// by O(√h) (about 0.6 √h E|B|... here 10%), far outside the error bars.
    @Test func bridgeTestRemovesTheGridBias() {
        let with = Self.brownianExit(bridge: true, h: 0.01, paths: 40_000)
        let without = Self.brownianExit(bridge: false, h: 0.01, paths: 40_000)
        #expect(abs(with.mean - 0.21) <= monteCarloZ * with.standardError, "with bridge \(with.mean) ± \(with.standardError)")
        #expect(without.mean - 0.21 > 10 * without.standardError, "without bridge \(without.mean) ± \(without.standardError)")
    }

    @Test func resultsDoNotDependOnLaneCount() {
        let a = ExitEnsemble(dynamics: SDEExitDynamics(process: BrownianMotion(), stepper: EulerMaruyama(), step: 0.01),
                             domain: Interval(0, 1), start: 0.3, center: 0.3, reference: 1, maxSteps: 100_000, seed: 9, lanes: 8)
        let b = ExitEnsemble(dynamics: SDEExitDynamics(process: BrownianMotion(), stepper: EulerMaruyama(), step: 0.01),
                             domain: Interval(0, 1), start: 0.3, center: 0.3, reference: 1, maxSteps: 100_000, seed: 9, lanes: 64)
        #expect(a.simulate(paths: 0..<500) == b.simulate(paths: 0..<500))
    }

    @Test func censoredPathsAreCountedNotAveraged() {
        let ensemble = ExitEnsemble(dynamics: SDEExitDynamics(process: BrownianMotion(sigma: 0.01), stepper: EulerMaruyama(), step: 0.01),
                                    domain: Interval(0, 1), start: 0.5, center: 0.5, reference: 1, maxSteps: 100, seed: 1)
        let tally = ensemble.simulate(paths: 0..<64)
        #expect(tally.count(of: ExitOutcome.censored) == 64 && tally.count(of: ExitOutcome.exited) == 0)
        #expect(tally[ExitObservable.time].count == 0)
    }
}

@Suite struct PDETests {
    @Test func brownianMotionMeanExitTime() throws {
        let pde = try MeanExitTime1D.solve(lower: 0, upper: 1, drift: { _ in 0 }, diffusion: { _ in 0.5 }, points: 999)
        // central differences are exact for a quadratic solution
        for x in [0.1, 0.3, 0.5] { #expect(isClose(pde.value(at: x), x * (1 - x), relative: 1e-9)) }
        // μ₁ of -½ d²/dx² on (0, 1) is π²/2 (discretisation error O(Δx²))
        #expect(isClose(pde.principalEigenvalue!, Double.pi * Double.pi / 2, relative: 1e-5))
        #expect(pde.maximum * pde.principalEigenvalue! >= 1)
    }

    /// The double well from its minimum: finite differences against the independent
    /// double-integral formula (relative 2e-4 at 4000 points), and Lemma 1.
    @Test(arguments: [0.25, 0.1, 0.05])
    func finiteDifferencesAgreeWithQuadrature(eta: Double) throws {
        let drift = { (x: Double) in x - x * x * x }, diffusion = { (_: Double) in eta / 2 }
        let pde = try MeanExitTime1D.solve(lower: -2, upper: 0, drift: drift, diffusion: diffusion, points: 4000)
        let exact = ExactMeanExitTime1D.solve(lower: -2, upper: 0, drift: drift, diffusion: diffusion)
        #expect(isClose(pde.value(at: -1), exact.value(at: -1), relative: 2e-4), "\(pde.value(at: -1)) vs \(exact.value(at: -1))")
        #expect(abs(exact.values.last!) < 1e-6 * exact.maximum)
        #expect(pde.maximum * pde.principalEigenvalue! >= 1)
        // metastability: u(x*) ≈ 1/μ₁
        #expect(isClose(pde.value(at: -1) * pde.principalEigenvalue!, 1, relative: 0.05))
    }

    @Test func coarseGridsAreRefusedWithTheNeededResolution() {
        #expect(throws: MeanExitTime1D.Failure.self) {
            try MeanExitTime1D.solve(lower: -2, upper: 0, drift: { $0 - $0 * $0 * $0 }, diffusion: { _ in 0.005 }, points: 50)
        }
        do {
            _ = try MeanExitTime1D.solve(lower: -2, upper: 0, drift: { $0 - $0 * $0 * $0 }, diffusion: { _ in 0.005 }, points: 50)
        } catch let MeanExitTime1D.Failure.gridTooCoarse(points, peclet, needed) {
            #expect(points == 50 && peclet > 1 && needed > 50)
            // and the resolution it asks for works
            #expect(throws: Never.self) {
                try MeanExitTime1D.solve(lower: -2, upper: 0, drift: { $0 - $0 * $0 * $0 }, diffusion: { _ in 0.005 }, points: needed + 1)
            }
        } catch { Issue.record("unexpected \(error)") }
    }

    /// Pure diffusion in the unit square: μ₁ = 2 D π²; and a problem whose y-motion is a fast
    /// OU process matches the 1-D solution in x.
    @Test func twoDimensionalSolver() throws {
        let square = Box(lower: Point2(0, 0), upper: Point2(1, 1))
        let pde = try MeanExitTime2D.solve(domain: square, box: Point2(0, 0), Point2(1, 1), points: (79, 79),
                                           drift: { _ in .zero }, diffusion: { _ in .scalar(1) })
        #expect(isClose(pde.principalEigenvalue!, Double.pi * Double.pi, relative: 1e-3))
        // series solution of ½Δu = -1 on the unit square at the centre: 0.0736713... x 2
        #expect(isClose(pde.value(at: Point2(0.5, 0.5)), 2 * 0.07367135328, relative: 1e-3))
        #expect(pde.maximum * pde.principalEigenvalue! >= 1)
    }
}

@Suite struct TheoryTests {
    @Test func stationaryPointsAreClassifiedAndBadOnesRejected() throws {
        let saddle = NoisyObjective(DoubleWell2D(), noise: AdditiveNoise<Point2>(sigma: 1))
        let s = try StationaryPoint(saddle, at: Point2(0, 0))
        #expect(s.kind == .saddle && s.gamma1 == 1 && abs(s.unstableDirection[0]) == 1)
        #expect(try StationaryPoint(saddle, at: Point2(1, 0)).kind == .minimum)
        #expect(throws: StationaryPoint.Failure.self) { try StationaryPoint(saddle, at: Point2(0.5, 0)) }
        let flat = NoisyObjective(DoubleWell2D(stiffness: 0), noise: AdditiveNoise<Point2>(sigma: 1))
        #expect(throws: StationaryPoint.Failure.degenerate(point: [0, 0], eigenvalues: [-1, 0])) { try StationaryPoint(flat, at: Point2(0, 0)) }
        #expect(throws: StationaryPoint.Failure.self) { try s.require(.minimum) }
    }

    @Test func minimumActionFindsTheQuasiPotential() {
        // gradient system, S = I: V = 2ΔF = 1/2 from (-1, 0) to the saddle, from a bowed start
        let problem = NoisyObjective(DoubleWell2D(), noise: AdditiveNoise<Point2>(sigma: 1))
        let bowed = (0...100).map { k -> Point2 in
            let t = Double(k) / 100
            return Point2(-1 + t, 0.4 * sin(Double.pi * t))
        }
        let path = MinimumAction.minimize(from: Point2(-1, 0), to: Point2(0, 0), drift: { -problem.gradient(at: $0) },
                                          diffusion: { problem.noiseFactor(at: $0, step: 0) }, segments: 100, initial: bowed)
        #expect(isClose(path.action, 0.5, relative: 0.01), "action \(path.action)")
        #expect(path.points.allSatisfy { abs($0.y) < 0.02 })
        // state-dependent noise: against the 1-D integral along y = 0
        let modulated = NoisyObjective(DoubleWell2D(), noise: ModulatedNoise<Point2>(scale: 1, amplitudes: Point2(0.5, 0)))
        let m = MinimumAction.minimize(from: Point2(-1, 0), to: Point2(0, 0), drift: { -modulated.gradient(at: $0) },
                                       diffusion: { modulated.noiseFactor(at: $0, step: 0) }, segments: 100, initial: bowed)
        let integral = EscapeTheory.oneDimensionalQuasiPotential(from: -1, to: 0, gradient: { $0 * $0 * $0 - $0 },
                                                                 noise: { 1 + 0.5 * sin($0) })
        #expect(isClose(m.action, integral, relative: 0.01), "\(m.action) vs \(integral)")
    }

    /// Eyring–Kramers with ε = ησ²/2 against the exact 1-D mean exit time (hitting the saddle):
    /// within 5% at η = 0.03, while the paper's ε = √η is off by orders of magnitude.
    @Test func kramersScaling() {
        let eta = 0.03
        let exact = ExactMeanExitTime1D.solve(lower: -2, upper: 0, drift: { $0 - $0 * $0 * $0 }, diffusion: { _ in eta / 2 }).value(at: -1)
        let kramers = EscapeTheory.eyringKramers(eta: eta, sigma: 1, barrier: 0.25, saddleUnstableEigenvalue: -1, saddleDeterminant: -1,
                                                 minimumDeterminant: 2, hittingSaddle: true)
        let paper = EscapeTheory.eyringKramersPaperScaling(eta: eta, barrier: 0.25, saddleUnstableEigenvalue: -1, saddleDeterminant: -1,
                                                           minimumDeterminant: 2, hittingSaddle: true)
        #expect(isClose(exact, kramers, relative: 0.05), "\(exact) vs \(kramers)")
        #expect(exact / paper > 1e4)
    }

    /// Adaptive multilevel splitting against the exact mean exit time where direct simulation
    /// would take ~1.6e5 time units per path (η = 0.04): within 4 standard errors.
    @Test func splittingAgreesWithTheExactMeanExitTime() throws {
        let eta = 0.04
        let problem = NoisyObjective(DoubleWell(), noise: AdditiveNoise<Double>(sigma: 1))
        let splitter = SplittingEstimator(process: SGDDiffusionProcess(problem, eta: eta, order: .first), stepper: PlatenWeak2(), step: 0.01,
                                          domain: Interval(-2, 0), start: -1.0, coordinate: { $0 }, levelA: -0.9, levelSigma: -0.8, seed: 11)
        let e = try splitter.estimate(runs: 60, replicas: 100, cycles: 2000, threads: 2)
        let exact = ExactMeanExitTime1D.solve(lower: -2, upper: 0, drift: { $0 - $0 * $0 * $0 }, diffusion: { _ in eta / 2 }).value(at: -1)
        #expect(abs(e.meanExitTime - exact) <= 4 * e.meanExitTimeStandardError, "\(e.meanExitTime) ± \(e.meanExitTimeStandardError) vs \(exact)")
        #expect(e.probability > 0 && e.probability < 1e-3)
    }

    @Test func gradientFlowExitTime() {
        // x' = x from 0.3 leaves |x| < 1 at log(1/0.3)
        let problem = NoisyObjective(Quadratic(curvature: SquareMatrix<Point2>.diagonal(Point2(-1, 1))), noise: AdditiveNoise<Point2>(sigma: 1))
        let theta = EscapeTheory.gradientFlowExitTime(problem, domain: Ball(center: Point2(0, 0), radius: 1), from: Point2(0.3, 0))
        #expect(isClose(theta!, log(1 / 0.3), relative: 1e-6))
        #expect(EscapeTheory.gradientFlowExitTime(problem, domain: Ball(center: Point2(0, 0), radius: 1), from: Point2(0, 0.5), horizon: 50) == nil)
    }

    /// Splitting runs through the ensemble engine and sums exactly: the estimate is bitwise the
    /// same on 1 and 3 threads, and a run stopped half-way and resumed from its checkpoint ends
    /// with the uninterrupted estimate.
    @Test func splittingIsThreadIndependentAndResumable() throws {
        let problem = NoisyObjective(DoubleWell(), noise: AdditiveNoise<Double>(sigma: 1))
        let splitter = SplittingEstimator(process: SGDDiffusionProcess(problem, eta: 0.1, order: .first), stepper: PlatenWeak2(), step: 0.01,
                                          domain: Interval(-2, 0), start: -1.0, coordinate: { $0 }, levelA: -0.9, levelSigma: -0.8, seed: 5)
        let one = try splitter.estimate(runs: 12, replicas: 40, cycles: 200, threads: 1)
        let three = try splitter.estimate(runs: 12, replicas: 40, cycles: 200, threads: 3)
        #expect(one.meanExitTime.bitPattern == three.meanExitTime.bitPattern)
        #expect(one.probabilityStandardError.bitPattern == three.probabilityStandardError.bitPattern)
        #expect(one.steps == three.steps)

        let dir = TemporaryDirectory()
        let url = dir.url.appendingPathComponent("checkpoint.json")
        let budget = Mutex(5)
        var stopping = try EnsembleRunner(threads: 1, checkpoint: try CheckpointStore(url: url, fingerprint: "f", interval: 0, restart: false))
        stopping.shouldContinue = { budget.withLock { b in b -= 1; return b >= 0 } }
        #expect(try splitter.estimate(runs: 12, replicas: 40, cycles: 200, runner: stopping, task: "s") == nil)
        let resumed = try splitter.estimate(runs: 12, replicas: 40, cycles: 200,
                                            runner: try EnsembleRunner(threads: 2, checkpoint: try CheckpointStore(url: url, fingerprint: "f", interval: 0, restart: false)),
                                            task: "s")
        #expect(resumed?.meanExitTime.bitPattern == one.meanExitTime.bitPattern)
    }
}
