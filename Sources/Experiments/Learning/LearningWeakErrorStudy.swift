import Ensembles
import FiniteSums
import Foundation
import Numerics
import Persistence
import Randomness

/// Theorem 1 on a learning problem of any dimension (see `LearningWeakErrorConfiguration`).
public enum LearningWeakErrorStudy {
    public static let experiment = "learning-weak-error"
    public typealias Outcome = StudyOutcome<LearningWeakErrorResult>

    /// Paths per block: a GEMM over 64 columns runs near the machine's peak, and the M × 64
    /// buffers of a block stay in cache for M of a few thousand.
    static let blockSize = 64

    static func taskName(_ eta: Double) -> String { "eta=\(eta)" }

    public static func run(_ configuration: LearningWeakErrorConfiguration, options: RunOptions, mnist: MNISTSource) throws -> Outcome {
        try configuration.validate()
        let problem = try configuration.problem.build(mnist: mnist)
        return try run(problem: problem, configuration: configuration, options: options)
    }

    /// OpenBLAS's thread count is the caller's: the ensemble runner's threads each multiply their
    /// own block, so a process that runs only this should set `BLASRuntime.threads = 1` (the CLI
    /// and `reproduce` do; the library does not change process-wide state under concurrent callers).
    ///
    /// Runs on a problem already built (the Swift API: any `TrainingSet` and a `LinearModel` or
    /// `MLPModel`); `configuration.problem` is then only the description recorded in the result.
    /// Without `initial`, x₀ is 0 for a linear model and `configuration.problem.initialization`'s
    /// draw for an MLP.
    public static func run(problem: FiniteSumProblem<LearningModel>, initial: [Double]? = nil, configuration: LearningWeakErrorConfiguration,
                           options: RunOptions) throws -> Outcome {
        try configuration.validate()
        let x0 = initial ?? configuration.problem.initialPoint(of: problem)
        guard x0.count == problem.dimension, x0.allSatisfy(\.isFinite) else {
            throw LearningProblemSpec.Failure.invalid("the initial point needs \(problem.dimension) finite values, got \(x0.count)")
        }
        let started = Date()
        let print = try fingerprint(configuration)
        let runner = try options.runner(experiment: experiment, fingerprint: print,
                                        otherGenerators: try otherGeneratorFingerprints(configuration, \.normals))
        var tasks: [String: TaskProgress] = [:]
        for (index, eta) in configuration.etas.sorted(by: >).enumerated() {
            let kernel = LearningWeakErrorKernel(problem: try configuration.problem.scheduled(problem, eta: eta), x0: x0, eta: eta, steps: configuration.steps(at: eta), substeps: configuration.substeps,
                                                 levels: configuration.svagLevels, seed: configuration.seed &+ UInt64(index) &* 0x9E37_79B9,
                                                 normals: configuration.normals ?? .standard)
            let start = BlockEngine(problem: problem, ld: 1).observeOne(x0)
            let empty = kernel.emptyTally(start)
            let plan = try EnsemblePlan(paths: configuration.paths, blockSize: blockSize)
            let diffusionSteps = Double(configuration.steps(at: eta) * 3 * configuration.substeps)
            tasks[taskName(eta)] = try runner.run(task: taskName(eta), plan: plan, blocks: options.shard.blocks(of: plan), emptyTally: empty,
                                                  work: diffusionSteps, unit: "SDE steps") { range in kernel.run(range, template: empty) }
            try ExperimentInterrupted.check(experiment, Array(tasks.values))
        }
        if options.shard.count > 1 {
            return .partial(PartialResult(experiment: experiment, fingerprint: print, configuration: try canonicalJSON(configuration),
                                          shard: options.shard, tasks: tasks))
        }
        return .complete(finalize(configuration, problem: problem, tasks: tasks, threads: options.threads,
                                  wallSeconds: Date().timeIntervalSince(started)))
    }

    /// A linear model's problem, as before `LearningModel`: the same run.
    public static func run(problem: FiniteSumProblem<LinearModel>, initial: [Double]? = nil, configuration: LearningWeakErrorConfiguration,
                           options: RunOptions) throws -> Outcome {
        let wrapped = try FiniteSumProblem(model: LearningModel.linear(problem.model), data: problem.data, test: problem.test, l2: problem.l2,
                                           batchSchedule: problem.batchSchedule)
        return try run(problem: wrapped, initial: initial, configuration: configuration, options: options)
    }

    public static func finalize(_ c: LearningWeakErrorConfiguration, problem: FiniteSumProblem<LearningModel>, tasks: [String: TaskProgress],
                                threads: Int, wallSeconds: Double) -> LearningWeakErrorResult {
        var rows: [LearningWeakErrorRow] = []
        let observables = LearningWeakErrorConfiguration.observables.filter { $0 != "test-loss" || problem.test != nil }
        for o in observables {
            for eta in c.etas.sorted(by: >) {
                guard let tally = tasks[taskName(eta)]?.tally else { continue }
                let q = { (name: String) in tally[LearningWeakErrorKernel.name(o, name)].estimate }
                var svag = [LearningWeakErrorRow.SVAGPoint(level: 1, value: q("sgd"), gap: q("e1"))]
                for l in c.svagLevels.sorted() {
                    svag.append(.init(level: l, value: tally[LearningWeakErrorKernel.svagName(o, l, gap: false)].estimate,
                                      gap: tally[LearningWeakErrorKernel.svagName(o, l, gap: true)].estimate))
                }
                rows.append(LearningWeakErrorRow(observable: o, eta: eta, steps: c.steps(at: eta), paths: c.paths, sgd: q("sgd"), sme1: q("sme1"),
                                                 sme2: q("sme2"), error1: q("e1"), error2: q("e2"), correction1: q("c1"), correction2: q("c2"),
                                                 svag: svag, divergedSGD: tally.count(of: Divergence.sgd),
                                                 divergedSDE: tally.count(of: Divergence.sde)))
            }
        }
        var fits: [LearningOrderFit] = []
        var svagFits: [SVAGFit] = []
        for o in observables {
            let mine = rows.filter { $0.observable == o }
            for p in [1, 2] { fits.append(fitOrder(mine, observable: o, approximation: p)) }
            for row in mine where !c.svagLevels.isEmpty { svagFits.append(fitSVAG(row)) }
        }
        let verdict = Verdict(combining: fits.map(\.verdict) + svagFits.map(\.verdict))
        return LearningWeakErrorResult(software: .current(threads: threads), configuration: c, samples: problem.count, dimension: problem.dimension,
                                       testSamples: problem.test?.count ?? 0, dataSource: problem.data.source, rows: rows, fits: fits,
                                       svagFits: svagFits, verdict: verdict, wallSeconds: wallSeconds)
    }

    /// Weighted fit of log |e_p| against log η over the resolved (|e| > 3 se), non-diverged η.
    static func fitOrder(_ rows: [LearningWeakErrorRow], observable: String, approximation p: Int) -> LearningOrderFit {
        let tolerance = 0.25
        var x: [Double] = [], y: [Double] = [], sigma: [Double] = [], used: [Double] = [], excluded: [String] = []
        for row in rows.sorted(by: { $0.eta > $1.eta }) {
            let e = p == 1 ? row.error1 : row.error2
            if row.divergedSGD + row.divergedSDE > 0 {
                excluded.append("η=\(row.eta): \(row.divergedSGD) SGD and \(row.divergedSDE) SDE paths diverged")
                continue
            }
            guard e.standardError.isFinite, abs(e.mean) > 3 * e.standardError else {
                excluded.append(String(format: "η=%g: e%d = %.2e is within 3 standard errors (%.1e) of 0", row.eta, p, e.mean, e.standardError))
                continue
            }
            x.append(log(row.eta))
            y.append(log(abs(e.mean)))
            sigma.append(relativeError(e))
            used.append(row.eta)
        }
        var fit = LearningOrderFit(observable: observable, approximation: p, theory: Double(p), etas: used, excluded: excluded,
                                   tolerance: tolerance, verdict: .inconclusive)
        guard let line = try? WeightedLinearFit(x: x, y: y, standardErrors: sigma) else { return fit }
        fit.slope = line.slope
        fit.standardError = line.slopeStandardError
        fit.interval = [line.slopeInterval.lowerBound, line.slopeInterval.upperBound]
        fit.verdict = boundVerdict(line.slopeInterval, theory: Double(p), tolerance: tolerance, largerIsFaster: true)
        return fit
    }

    /// log |SVAG_l − SME-1| against log l over the resolved levels; theory: slope −1.
    static func fitSVAG(_ row: LearningWeakErrorRow) -> SVAGFit {
        var x: [Double] = [], y: [Double] = [], sigma: [Double] = [], used: [Int] = [], excluded: [String] = []
        for point in row.svag {
            let g = point.gap
            guard g.standardError.isFinite, abs(g.mean) > 3 * g.standardError else {
                excluded.append(String(format: "l=%d: gap %.2e is within 3 standard errors (%.1e) of 0", point.level, g.mean, g.standardError))
                continue
            }
            x.append(log(Double(point.level)))
            y.append(log(abs(g.mean)))
            sigma.append(relativeError(g))
            used.append(point.level)
        }
        var fit = SVAGFit(observable: row.observable, eta: row.eta, levels: used, excluded: excluded, verdict: .inconclusive)
        guard row.divergedSGD + row.divergedSDE == 0, let line = try? WeightedLinearFit(x: x, y: y, standardErrors: sigma) else { return fit }
        fit.slope = line.slope
        fit.interval = [line.slopeInterval.lowerBound, line.slopeInterval.upperBound]
        fit.verdict = boundVerdict(line.slopeInterval, theory: -1, tolerance: 0.3, largerIsFaster: false)
        return fit
    }

    /// The error of log |e|; with m = M there is no noise and every path is the same
    /// deterministic iterate (standard error 0), and the fit is then one of exact values, to
    /// rounding (1e-9 relative).
    static func relativeError(_ e: Estimate) -> Double { max(e.standardError / abs(e.mean), 1e-9) }

    /// Theorem 1 (and SVAG's theorem) bound the error by C η^p (C/l): a fitted rate inside
    /// theory ± tolerance passes; a rate significantly *faster* is consistent with the bound but
    /// means the leading term was not seen (on learning problems drift and noise terms can cancel
    /// at O(η)), so it is inconclusive; only a rate significantly slower than the bound fails.
    static func boundVerdict(_ interval: ClosedRange<Double>, theory: Double, tolerance: Double, largerIsFaster: Bool) -> Verdict {
        let band = (theory - tolerance)...(theory + tolerance)
        if band.contains(interval.lowerBound) && band.contains(interval.upperBound) { return .pass }
        if interval.overlaps(band) { return .inconclusive }
        let aboveBand = interval.lowerBound > band.upperBound
        return aboveBand == largerIsFaster ? .inconclusive : .fail
    }

    /// Paths that diverged make E φ undefined at their η: the command fails with this.
    public static func divergenceError(_ result: LearningWeakErrorResult) -> LearningProblemSpec.Failure? {
        let bad = result.rows.filter { $0.divergedSGD + $0.divergedSDE > 0 }
        guard let first = bad.first else { return nil }
        return .invalid("paths diverged (η = \(first.eta): \(first.divergedSGD) SGD and \(first.divergedSDE) SDE of \(first.paths)); lower η")
    }
}

extension BlockEngine {
    /// The observables at one point (for the tallies' reference values).
    func observeOne(_ x: [Double]) -> (train: Double, test: Double, distance: Double) {
        observe(ParameterBlock(initial: x, ld: ld), from: x, lanes: 1)[0]
    }
}
