import Dynamics
import Ensembles
import Foundation
import Numerics
import Persistence
import Problems
import Randomness

/// The weak-error laboratory of Theorem 1.
public enum WeakErrorStudy {
    public static let experiment = "weak-error"

    @usableFromInline static func taskName(_ eta: Double) -> String { "eta=\(eta)" }

    public typealias Outcome = StudyOutcome<WeakErrorResult>

    /// Runs the study on the built-in problem the configuration names.
    public static func run(_ configuration: WeakErrorConfiguration, options: RunOptions) throws -> Outcome {
        try runBuiltin(configuration, options: options)
    }

    /// Runs the study on any problem: a built-in one, or the user's own type described by
    /// `configuration.problem = ProblemSpec(describing: problem, initial: x0)`.
    @inlinable
    public static func run<P: StochasticGradientProblem>(problem: P, initial: P.State, configuration: WeakErrorConfiguration,
                                                         options: RunOptions) throws -> Outcome {
        try configuration.validate()
        try configuration.problem.requireDescribes(problem, initial: initial)
        let started = Date()
        let print = try fingerprint(configuration)
        let runner = try options.runner(experiment: experiment, fingerprint: print,
                                        otherGenerators: try otherGeneratorFingerprints(configuration, \.normals))
        var tasks: [String: TaskProgress] = [:]
        let shard = options.shard
        for (index, eta) in configuration.etas.sorted(by: >).enumerated() {
            let steps = configuration.steps(at: eta)
            let kernel = CoupledPathsKernel(
                task: taskName(eta), eta: eta, steps: steps, observationSteps: [steps], substeps: configuration.substeps(at: eta),
                stepper: configuration.stepper, testFunctions: configuration.testFunctions, antithetic: configuration.antithetic,
                seed: configuration.seed(forEtaIndex: index), paths: configuration.paths(at: eta), runner: runner,
                blocks: { shard.blocks(of: $0) }, normals: configuration.normals ?? .standard)
            tasks[taskName(eta)] = try kernel.visit(problem, initial: initial)
            try ExperimentInterrupted.check(experiment, Array(tasks.values))
        }
        if options.shard.count > 1 {
            return .partial(PartialResult(experiment: experiment, fingerprint: print,
                                          configuration: try canonicalJSON(configuration), shard: options.shard, tasks: tasks))
        }
        return .complete(finalize(configuration, tasks: tasks, threads: options.threads, wallSeconds: Date().timeIntervalSince(started)))
    }

    /// Turns complete tallies into estimates, fits and verdicts.
    /// Paths whose SGD or SDE state became non-finite make E φ undefined at that η; the result
    /// records them (and leaves those η out of the fits), and the command then fails with this.
    public static func divergenceError(_ result: WeakErrorResult) -> WeakErrorError? {
        let bad = result.rows.filter { $0.divergedSGD + $0.divergedSDE > 0 }
        guard !bad.isEmpty else { return nil }
        var seen = Set<Double>()
        let parts = bad.filter { seen.insert($0.eta).inserted }.map { "η = \($0.eta): \($0.divergedSGD) SGD and \($0.divergedSDE) SDE of \($0.paths) paths" }
        return .diverged(parts.joined(separator: "; "))
    }

    public static func finalize(_ configuration: WeakErrorConfiguration, tasks: [String: TaskProgress],
                                threads: Int, wallSeconds: Double) -> WeakErrorResult {
        let order = configuration.stepper == .weak2 ? 2.0 : 1.0
        let richardson = pow(2, order) - 1
        var rows: [WeakErrorRow] = []
        for phi in configuration.testFunctions {
            for eta in configuration.etas.sorted(by: >) {
                guard let tally = tasks[taskName(eta)]?.tally else { continue }
                let m = CoupledPathsKernel.quantities.map { tally[CoupledPathsKernel.name(observation: 0, phi: phi, quantity: $0)].estimate }
                let scaled = { (e: Estimate) in Estimate(mean: e.mean / richardson, standardError: e.standardError / richardson, count: e.count) }
                var row = WeakErrorRow(
                    testFunction: phi, eta: eta, steps: configuration.steps(at: eta), paths: configuration.paths(at: eta),
                    sdeStep: eta / Double(2 * configuration.substeps(at: eta)),
                    sgd: m[0], sme1: m[1], sme2: m[2], error1: m[3], error2: m[4],
                    sdeBias1: scaled(m[5]), sdeBias2: scaled(m[6]),
                    divergedSGD: tally.count(of: Divergence.sgd), divergedSDE: tally.count(of: Divergence.sde))
                row.exact = exactValues(configuration, phi: phi, eta: eta)
                rows.append(row)
            }
        }
        var fits: [OrderFit] = []
        for phi in configuration.testFunctions {
            let mine = rows.filter { $0.testFunction == phi }
            fits.append(fitOrder(mine, phi: phi, approximation: 1))
            fits.append(fitOrder(mine, phi: phi, approximation: 2))
        }
        let checks = closedFormChecks(rows)
        var worstRatio = 0.0
        for row in rows where row.divergedSGD == 0 && row.divergedSDE == 0 {
            for (bias, error) in [(row.sdeBias1, row.error1), (row.sdeBias2, row.error2)] {
                let resolved = abs(error.mean) > 3 * error.standardError
                guard resolved else { continue }
                worstRatio = max(worstRatio, (abs(bias.mean) + 2 * bias.standardError) / abs(error.mean))
            }
        }
        // a standard error that is not a number (too few samples) or overflowed resolves nothing:
        // the check cannot pass on it
        let unresolved = rows.contains { row in
            row.divergedSGD == 0 && row.divergedSDE == 0
                && [row.error1, row.error2, row.sdeBias1, row.sdeBias2].contains { !$0.standardError.isFinite }
        }
        let sdeAccuracy: Verdict = unresolved ? .inconclusive : (worstRatio <= 0.1 ? .pass : (worstRatio <= 0.3 ? .inconclusive : .fail))
        let all = fits.map(\.verdict) + checks.map(\.verdict) + [sdeAccuracy]
        let verdict = Verdict(combining: all)
        return WeakErrorResult(software: .current(threads: threads), configuration: configuration, rows: rows, fits: fits,
                               closedFormChecks: checks, sdeBiasRatio: worstRatio, sdeAccuracy: sdeAccuracy,
                               verdict: verdict, wallSeconds: wallSeconds)
    }

    static func exactValues(_ c: WeakErrorConfiguration, phi: TestFunction, eta: Double) -> WeakErrorRow.ExactValues? {
        guard c.problem.custom == nil, c.problem.name == QuadraticProblem.name, c.problem.noise.kind == .multiplicative else { return nil }
        return QuadraticClosedForm.values(phi: phi, x0: c.problem.initial[0], curvature: ProblemParameters(c.problem.parameters)[QuadraticProblem.curvature],
                                          sigma: c.problem.noise.scale, eta: eta, steps: c.steps(at: eta))
    }

    /// Weighted fit of log e_p against log η over the resolved, non-diverged points.
    static func fitOrder(_ rows: [WeakErrorRow], phi: TestFunction, approximation p: Int) -> OrderFit {
        let tolerance = 0.2
        var x: [Double] = [], y: [Double] = [], sigma: [Double] = [], used: [Double] = [], excluded: [String] = []
        for row in rows {
            let e = p == 1 ? row.error1 : row.error2
            if row.divergedSGD > 0 || row.divergedSDE > 0 {
                excluded.append("η=\(row.eta): \(row.divergedSGD) SGD and \(row.divergedSDE) SDE paths diverged")
                continue
            }
            guard abs(e.mean) > 3 * e.standardError else {
                excluded.append("η=\(row.eta): e\(p) = \(e.mean) is within 3 standard errors (\(e.standardError)) of 0")
                continue
            }
            x.append(log(row.eta))
            y.append(log(abs(e.mean)))
            sigma.append(e.standardError / abs(e.mean))
            used.append(row.eta)
        }
        var fit = OrderFit(testFunction: phi, approximation: p, theory: Double(p), etas: used, excluded: excluded,
                           tolerance: tolerance, verdict: .inconclusive)
        guard let line = try? WeightedLinearFit(x: x, y: y, standardErrors: sigma) else { return fit }
        fit.slope = line.slope
        fit.standardError = line.slopeStandardError
        fit.interval = [line.slopeInterval.lowerBound, line.slopeInterval.upperBound]
        fit.chiSquared = line.chiSquared
        fit.degreesOfFreedom = line.degreesOfFreedom
        let band = (Double(p) - tolerance)...(Double(p) + tolerance)
        if band.contains(line.slopeInterval.lowerBound) && band.contains(line.slopeInterval.upperBound) {
            fit.verdict = .pass
        } else if line.slopeInterval.overlaps(band) {
            fit.verdict = .inconclusive
        } else {
            fit.verdict = .fail
        }
        return fit
    }

    /// Monte Carlo against closed forms: |z| <= 4 passes (a correct estimator fails with
    /// probability 6e-5 per check).
    static func closedFormChecks(_ rows: [WeakErrorRow]) -> [ClosedFormCheck] {
        var checks: [ClosedFormCheck] = []
        for row in rows {
            guard let exact = row.exact else { continue }
            let pairs: [(String, Estimate, Double)] = [
                ("E φ(SGD)", row.sgd, exact.sgd), ("E φ(SME-1)", row.sme1, exact.sme1), ("E φ(SME-2)", row.sme2, exact.sme2),
                ("e1 (signed)", row.error1, exact.error1), ("e2 (signed)", row.error2, exact.error2),
            ]
            for (name, estimate, value) in pairs {
                let z = estimate.zScore(against: value)
                checks.append(ClosedFormCheck(testFunction: row.testFunction, eta: row.eta, quantity: name, estimate: estimate.mean,
                                              standardError: estimate.standardError, exact: value, z: z,
                                              verdict: abs(z) <= 4 ? .pass : .fail))
            }
        }
        return checks
    }
}

@usableFromInline func canonicalJSON<C: Encodable>(_ value: C) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
