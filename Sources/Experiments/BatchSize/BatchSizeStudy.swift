import Dynamics
import Ensembles
import Escape
import FiniteSums
import Foundation
import Numerics
import Persistence
import Problems
import Randomness

/// §5: batch size as temperature. For each basin (sharp, flat) of a 1-D finite sum and each m:
///  1. theory: the quasi-potential V₀ (quadrature and minimum action), the Kramers law with
///     the state-dependent noise, and the exact E T of the SDE (quadrature of the 1-D formula);
///  2. the SDE by direct simulation (weak order-2 Platen with the Brownian-bridge test), or by
///     splitting where E T/η exceeds the direct budget;
///  3. SGD itself with mini-batches of m distinct samples, where direct simulation reaches;
///  4. P(SGD has left the basin by the training time S), against the exponential law;
///  5. P(in the flat basin at S) from the sharp minimum over (η, m), SGD and the SDE against
///     the exact Fokker–Planck law (`BasinChoice`).
/// The SDE runs on a Hermite table of F′ and Σ₀ (O(1) per step, checked against the exact sum);
/// SGD runs on the data.
public enum BatchSizeStudy {
    public static let experiment = "batch-size"

    public static func run(_ c: BatchSizeConfiguration, options: RunOptions, mnist: MNISTSource = MNISTSource(download: false)) throws -> BatchSizeResult {
        try c.validate()
        guard options.shard == .whole else { throw BatchSizeError.invalid("--shard", "batch-size runs whole (its splitting and PDE parts are not sharded)") }
        let started = Date()
        let setup = try TwoBasinProblem(c.problem, scan: c.scan, tableNodes: c.tableNodes, study: "batch-size", mnist: mnist,
                                        invalid: { BatchSizeError.invalid($0, $1) }) { total in
            for m in c.batches where m >= total { throw BatchSizeError.invalid("batch size", "\(m) (need 1 ≤ m < M = \(total): at m = M there is no noise)") }
        }
        let (problem, table, land) = (setup.problem, setup.table, setup.landscape)
        let total = problem.count
        let runner = try options.runner(experiment: experiment, fingerprint: try fingerprint(c))

        var rows: [BatchSizeRow] = []
        for basin in land.basins {
            for m in c.batches.sorted() {
                let factor = 1 / Double(m) - 1 / Double(total)
                var row = try theoryRow(basin, batch: m, factor: factor, table: table, c: c)
                let process = SGDDiffusionProcess(table.with(covarianceFactor: factor), eta: c.eta, order: .first)
                let domain = Interval(basin.lower, basin.upper)
                let maxTime = c.censorFactor * row.exact
                let taskName = "\(basin.name)/m\(m)"
                if row.exact / c.sdeStep <= c.directBudget {
                    row.sde = try exitTimes(task: "sde/\(taskName)", SDEExitDynamics(process: process, stepper: PlatenWeak2(), step: c.sdeStep),
                                            domain: domain, basin: basin, maxTime: maxTime, paths: c.sdePaths, seed: seed(c, basin, m, 1), runner: runner, normals: c.normals)
                } else if c.splittingRuns > 0 {
                    row.splitting = try split(task: "splitting/\(taskName)", process: process, domain: domain, basin: basin, factor: factor, c: c, runner: runner)
                }
                if row.direct {
                    let sgdProblem = try FiniteSumProblem(model: problem.model, data: problem.data, l2: problem.l2, batchSchedule: .constant(m))
                    func simulate<Dyn: ExitDynamics>(_ sgd: Dyn) throws where Dyn.State == Double {
                        row.sgd = try exitTimes(task: "sgd/\(taskName)", sgd, domain: domain, basin: basin, maxTime: maxTime, paths: c.sgdPaths,
                                                seed: seed(c, basin, m, 3), runner: runner, normals: c.normals)
                        let horizon = try exitTimes(task: "horizon/\(taskName)", sgd, domain: domain, basin: basin, maxTime: c.horizon, paths: c.horizonPaths,
                                                    seed: seed(c, basin, m, 4), runner: runner, normals: c.normals)
                        if let horizon { row.horizonEscape = binomial(exited: horizon.paths - horizon.censored, of: horizon.paths) }
                    }
                    // the same iterates bit for bit; the fast path where the model allows it
                    if let fast = try? OneFeatureSGD(sgdProblem, eta: c.eta, seed: seed(c, basin, m, 2)) {
                        try simulate(fast)
                    } else {
                        try simulate(SGDExitDynamics(problem: try FiniteSumLandscape<LearningModel, Double>(sgdProblem), method: SGDMethod(eta: c.eta),
                                                     seed: seed(c, basin, m, 2)))
                    }
                }
                if let sde = row.sde, sde.standardError > 0 { row.sdeZ = (sde.meanExitTime - row.exact) / sde.standardError }
                if let s = row.splitting, s.standardError > 0 { row.sdeZ = (s.meanExitTime - row.exact) / s.standardError }
                if let sgd = row.sgd { row.sgdOverExact = Estimate(mean: sgd.meanExitTime / row.exact, standardError: sgd.standardError / row.exact, count: sgd.paths) }
                rows.append(row)
            }
        }
        let (choices, choiceSummary) = try BasinChoice.run(c, setup: setup, runner: runner)
        return BatchSizeAnalysis.result(c, problem: c.problem.summaryWithoutBatch, samples: total, landscape: land, rows: rows,
                                        choices: choices, choiceSummary: choiceSummary, threads: options.threads, wallSeconds: Date().timeIntervalSince(started))
    }

    static func seed(_ c: BatchSizeConfiguration, _ basin: BatchSizeBasin, _ m: Int, _ purpose: UInt64) -> UInt64 {
        let b: UInt64 = basin.name == "sharp" ? 1 : 2
        return c.seed &+ (b &* 1_000_003 &+ UInt64(m) &* 101 &+ purpose) &* 0x9E37_79B9_7F4A_7C15
    }

    /// The deterministic parts of a row: exponent, Kramers, the exact E T.
    static func theoryRow(_ basin: BatchSizeBasin, batch m: Int, factor: Double, table: TabulatedLandscape1D, c: BatchSizeConfiguration) throws -> BatchSizeRow {
        let exponent = basin.quasiPotential / (c.eta * factor)
        guard exponent <= 600 else {
            throw BatchSizeError.invalid("batch size", "\(m): the escape exponent V₀/(η(1/m − 1/M)) = \(String(format: "%.4g", exponent)) for the \(basin.name) minimum overflows E T; use smaller m or larger η")
        }
        let exact = ExactMeanExitTime1D.solve(lower: basin.lower, upper: basin.upper, drift: { -table.gradient(at: $0) },
                                              diffusion: { 0.5 * c.eta * factor * table.sampleCovariance(at: $0) }, intervals: 200_000)
            .value(at: basin.minimum)
        return BatchSizeRow(basin: basin.name, batch: m, inverseFactor: 1 / factor, exponent: exponent,
                            kramers: basin.kramersPrefactor * exp(exponent), exact: exact, direct: exact / c.eta <= c.directBudget,
                            horizonTheory: -expm1(-c.horizon / exact))
    }

    static func binomial(exited k: Int, of n: Int) -> Estimate {
        let p = Double(k) / Double(max(n, 1))
        return Estimate(mean: p, standardError: (p * (1 - p) / Double(max(n, 1))).squareRoot(), count: n)
    }

    static func exitTimes<Dyn: ExitDynamics>(task: String, _ dynamics: Dyn, domain: Interval, basin: BatchSizeBasin, maxTime: Double, paths: Int,
                                             seed: UInt64, runner: EnsembleRunner, normals: NormalMethod?) throws -> ExitTimeEstimate? where Dyn.State == Double {
        guard paths > 0 else { return nil }
        let ensemble = ExitEnsemble(dynamics: dynamics, domain: domain, start: basin.minimum, center: basin.minimum, reference: 1,
                                    maxSteps: max(1, Int(min(maxTime / dynamics.timeStep, 1e15).rounded(.up))), seed: seed, normals: normals ?? .standard)
        // the one-feature SGD's own exit loop where it applies: the same tallies bit for bit
        if let sgd = ensemble as? ExitEnsemble<OneFeatureSGD, Interval>, let fast = OneFeatureSGDExit(sgd) {
            return try estimate(task: task, basin: basin, paths: paths, maxSteps: ensemble.maxSteps, emptyTally: ensemble.emptyTally,
                                runner: runner) { fast.simulate(paths: $0) }
        }
        return try estimate(task: task, basin: basin, paths: paths, maxSteps: ensemble.maxSteps, emptyTally: ensemble.emptyTally,
                            runner: runner) { ensemble.simulate(paths: $0) }
    }

    static func estimate(task: String, basin: BatchSizeBasin, paths: Int, maxSteps: Int, emptyTally: Tally, runner: EnsembleRunner,
                         simulate: @Sendable (Range<Int>) -> Tally) throws -> ExitTimeEstimate {
        let t0 = Date()
        let progress = try runner.run(task: task, plan: try EnsemblePlan(paths: paths, blockSize: 64), emptyTally: emptyTally,
                                      work: 1, unit: "paths", kernel: simulate)
        try ExperimentInterrupted.check(BatchSizeStudy.experiment, [progress])
        let statistics = ExitStatistics(progress.tally)
        let t = statistics.time.estimate, steps = statistics.steps
        let exited = statistics.exited, censored = statistics.censored
        let overBarrier = statistics.sides[basin.barrier > basin.minimum ? 1 : 0]
        let censoredSteps = Double(censored) * Double(maxSteps)
        return ExitTimeEstimate(meanExitTime: t.mean, standardError: t.standardError, paths: exited + censored, censored: censored,
                                overBarrier: exited > 0 ? Double(overBarrier) / Double(exited) : 0,
                                steps: steps.mean * Double(steps.count) + censoredSteps, seconds: Date().timeIntervalSince(t0))
    }

    /// AMS on ξ = ±(x − x*) increasing towards the barrier: A one stationary standard deviation
    /// from x*, Σ at two, both capped well inside the basin.
    static func split<P: DiffusionProcess>(task: String, process: P, domain: Interval, basin: BatchSizeBasin, factor: Double,
                                           c: BatchSizeConfiguration, runner: EnsembleRunner) throws -> SplittingExitTime where P.State == Double {
        let sign: Double = basin.barrier > basin.minimum ? 1 : -1
        let spread = (c.eta * factor * basin.covariance / (2 * basin.curvature)).squareRoot()
        let distance = abs(basin.barrier - basin.minimum)
        let levelA = min(spread, 0.15 * distance), levelSigma = min(2 * spread, 0.3 * distance)
        let origin = sign * basin.minimum
        let splitter = SplittingEstimator(process: process, stepper: PlatenWeak2(), step: c.sdeStep, domain: domain, start: basin.minimum,
                                          coordinate: { sign * $0 }, levelA: origin + levelA, levelSigma: origin + levelSigma,
                                          seed: c.seed &+ 0xA5A5 &+ UInt64(factor.bitPattern))
        let t0 = Date()
        guard let e = try splitter.estimate(runs: c.splittingRuns, replicas: c.splittingReplicas, cycles: c.splittingCycles, runner: runner, task: task) else {
            throw ExperimentInterrupted(experiment: experiment, completedPaths: 0, totalPaths: c.splittingRuns)
        }
        return SplittingExitTime(meanExitTime: e.meanExitTime, standardError: e.meanExitTimeStandardError, probability: e.probability, runs: e.runs,
                                 replicas: e.replicas, steps: e.steps, seconds: Date().timeIntervalSince(t0))
    }
}
