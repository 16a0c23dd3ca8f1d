import Foundation
import Testing
import TestSupport
import Dynamics
import Ensembles
import Numerics
import Problems
@testable import Escape
@testable import Experiments
import FiniteSums

/// Every estimator on the ensemble engine, held to `LayoutIndependence`: the same tally, bit for
/// bit, on 1 or 3 threads, from 2 or 3 shards merged, and after a kill and resume. Each case is
/// small (a second or less) but reaches the estimator's branches: exits and censoring, the
/// bridge test, angle bins, discrete mini-batch sampling, AMS branching.
@Suite struct EstimatorLayoutTests {
    static let saddle = NoisyObjective(Quadratic(curvature: .diagonal(Point2(-1, 2)), name: "saddle"), noise: AdditiveNoise<Point2>(sigma: 0.5))

    static func exitTask<Dyn: ExitDynamics, D: Domain>(_ ensemble: ExitEnsemble<Dyn, D>, paths: Int) throws -> (EnsemblePlan, (EnsembleRunner, Range<Int>?) throws -> TaskProgress) {
        let plan = try EnsemblePlan(paths: paths, blockSize: 64)
        return (plan, { runner, blocks in
            try runner.run(task: "t", plan: plan, blocks: blocks, emptyTally: ensemble.emptyTally) { ensemble.simulate(paths: $0) }
        })
    }

    /// SDE exits from a ball around a saddle, with the bridge test and every angle bin in play;
    /// short enough a horizon that some paths are censored.
    @Test func sdeExitEnsemble() throws {
        let sde = SGDDiffusionProcess(Self.saddle, eta: 0.1, order: .first)
        let ensemble = ExitEnsemble(dynamics: SDEExitDynamics(process: sde, stepper: PlatenWeak2(), step: 0.02),
                                    domain: Ball(center: Point2.zero, radius: 1), start: .zero, center: .zero, reference: .basis(0),
                                    maxSteps: 150, seed: 11)
        let (plan, run) = try Self.exitTask(ensemble, paths: 400)
        let statistics = ExitStatistics(try run(EnsembleRunner(threads: 2), nil).tally)
        #expect(statistics.exited > 0 && statistics.censored > 0 && statistics.angles.filter { $0 > 0 }.count >= 4)
        try LayoutIndependence.expect(plan: plan, run: run)
    }

    /// SGD (Gaussian gradient noise) and heavy-ball SGD through the same exit engine.
    @Test func sgdAndMomentumExitEnsembles() throws {
        let sgd = ExitEnsemble(dynamics: SGDExitDynamics(problem: Self.saddle, method: SGDMethod(eta: 0.1), seed: 3),
                               domain: Ball(center: Point2.zero, radius: 1), start: .zero, center: .zero, reference: .basis(0),
                               maxSteps: 40, seed: 12)
        let (plan, run) = try Self.exitTask(sgd, paths: 300)
        try LayoutIndependence.expect(plan: plan, run: run)
        let heavyBall = ExitEnsemble(dynamics: HeavyBallExitDynamics(problem: Self.saddle, eta: 0.1, beta: 0.5, seed: 4),
                                     domain: PositionDomain(Ball(center: Point2.zero, radius: 1)), start: .zero, center: .zero,
                                     reference: .basis(0), maxSteps: 40, seed: 13)
        let (plan2, run2) = try Self.exitTask(heavyBall, paths: 300)
        try LayoutIndependence.expect(plan: plan2, run: run2)
    }

    /// Mini-batch SGD on a finite sum, by the generic engine and by the eight-lane loop.
    @Test func finiteSumExitEnsembles() throws {
        let problem = try OneFeatureSGDExitTests.problem(.welsch, batch: 4)
        let minimum = -0.67
        func ensemble<Dyn: ExitDynamics>(_ d: Dyn) -> ExitEnsemble<Dyn, Interval> where Dyn.State == Double {
            ExitEnsemble(dynamics: d, domain: Interval(minimum - 0.2, minimum + 0.2), start: minimum, center: minimum, reference: 1,
                         maxSteps: 60, seed: 5)
        }
        let generic = ensemble(SGDExitDynamics(problem: try FiniteSumLandscape<LearningModel, Double>(problem), method: SGDMethod(eta: 0.2), seed: 8))
        let (plan, run) = try Self.exitTask(generic, paths: 300)
        try LayoutIndependence.expect(plan: plan, run: run)
        let fast = try #require(OneFeatureSGDExit(ensemble(try OneFeatureSGD(problem, eta: 0.2, seed: 8))))
        try LayoutIndependence.expect(plan: plan) { runner, blocks in
            try runner.run(task: "t", plan: plan, blocks: blocks, emptyTally: fast.emptyTally) { fast.simulate(paths: $0) }
        }
    }

    /// The AMS runs of a splitting estimate, and the estimate assembled from merged shards.
    @Test func splittingRuns() throws {
        let problem = NoisyObjective(DoubleWell(), noise: AdditiveNoise<Double>(sigma: 1))
        let splitter = SplittingEstimator(process: SGDDiffusionProcess(problem, eta: 0.1, order: .first), stepper: PlatenWeak2(), step: 0.01,
                                          domain: Interval(-2, 0), start: -1.0, coordinate: { $0 }, levelA: -0.9, levelSigma: -0.8, seed: 5)
        let cycles = splitter.directCycles(200)
        let plan = try EnsemblePlan.items(8)
        try LayoutIndependence.expect(plan: plan) { runner, blocks in
            try splitter.runs(8, replicas: 30, from: cycles, runner: runner, task: "t", blocks: blocks)
        }
        var merged = Tally(SplittingObservable.self)
        for i in 1...3 {
            let shard = try Shard(parsing: "\(i)/3")
            merged.merge(try splitter.runs(8, replicas: 30, from: cycles, runner: EnsembleRunner(threads: 1), task: "t", blocks: shard.blocks(of: plan)).tally)
        }
        let direct = try splitter.estimate(runs: 8, replicas: 30, cycles: 200, threads: 2)
        let assembled = splitter.estimate(cycles: cycles, runs: merged, replicas: 30)
        #expect(assembled.meanExitTime.bitPattern == direct.meanExitTime.bitPattern && assembled.steps == direct.steps)
        #expect(direct.probability > 0 && direct.probability < 1)
    }

    /// The coupled SGD/SME-1/SME-2 weak-error kernel (fixed horizon, antithetic pairs).
    @Test func coupledWeakErrorPaths() throws {
        let plan = try EnsemblePlan(paths: 2048)
        try LayoutIndependence.expect(plan: plan) { runner, blocks in
            let kernel = CoupledPathsKernel(task: "t", eta: 0.1, steps: 6, observationSteps: [3, 6], substeps: 2, stepper: .weak2,
                                            testFunctions: [.x, .square], antithetic: true, seed: 9, paths: 2048, runner: runner,
                                            blocks: { plan in blocks ?? 0..<plan.blockCount })
            return try kernel.visit(Self.saddle, initial: Point2(0.3, -0.2))
        }
    }
}
