import Ensembles
import Foundation
import Numerics
import Persistence
import Problems
import Randomness

/// Appendix A: the gradient-flow limit (A.4), the normal deviations of Theorems 4–5 and the
/// linear-noise (van Kampen) approximation (A.6)–(A.7), measured on SGD paths for several η.
///
/// Per η one ensemble task ("eta/η") runs SGD with its linearised twin (`NormalDeviationsPaths`);
/// the gradient flow, the Lyapunov ODE and the twin's exact covariance are deterministic.
/// Rates are fitted on log–log axes with the existing `SlopeFit` and fail only when the 95%
/// interval lies entirely below theory × (1 − tolerance).
public enum NormalDeviationsStudy {
    public static let experiment = "normal-deviations"

    struct Entry: ProblemVisitor {
        typealias Output = NormalDeviationsResult
        let configuration: NormalDeviationsConfiguration
        let options: RunOptions
        func visit<P: StochasticGradientProblem>(_ problem: P, initial: P.State) throws -> NormalDeviationsResult {
            try NormalDeviationsStudy.run(problem: problem, initial: initial, configuration: configuration, options: options)
        }
    }

    public static func run(_ c: NormalDeviationsConfiguration, options: RunOptions) throws -> NormalDeviationsResult {
        try c.validate()
        return try c.problem.accept(Entry(configuration: c, options: options))
    }

    /// The generic entry point: any problem, with `configuration.problem` describing it.
    public static func run<P: StochasticGradientProblem>(problem: P, initial x0: P.State, configuration c: NormalDeviationsConfiguration,
                                                         options: RunOptions) throws -> NormalDeviationsResult {
        try c.validate()
        try c.problem.requireDescribes(problem, initial: x0)
        guard options.shard == .whole else { throw NormalDeviationsError.invalid("--shard", "normal-deviations runs whole") }
        let started = Date()
        let runner = try options.runner(experiment: experiment, fingerprint: try fingerprint(c))
        let plan = try EnsemblePlan(paths: c.paths)
        let times = c.observationTimes
        let theory = NormalDeviationsTheory.lyapunov(problem, from: x0, times: times)
        var rows: [NormalDeviationsEtaRow] = []
        for (eta, steps) in zip(c.etas, c.steps) {
            let flow = NormalDeviationsTheory.flow(problem, from: x0, eta: eta, steps: steps)
            let observationSteps = times.map { Int(($0 / eta).rounded()) }
            let paths = NormalDeviationsPaths(problem: problem, eta: eta, flow: flow, observationSteps: observationSteps,
                                              testFunctions: c.testFunctions, seed: c.seed, normals: c.normals ?? .standard)
            let progress = try runner.run(task: "eta/\(eta)", plan: plan, emptyTally: paths.emptyTally, work: Double(steps),
                                          unit: "SGD steps") { paths.simulate(paths: $0) }
            try ExperimentInterrupted.check(experiment, [progress])
            let discrete = NormalDeviationsTheory.discreteLyapunov(problem, flow: flow, eta: eta)
            rows.append(row(problem, eta: eta, steps: steps, flow: flow, discrete: discrete, observationSteps: observationSteps,
                            theory: theory, tally: progress.tally, testFunctions: c.testFunctions))
        }
        return analyse(c, dimension: P.State.dimension, rows: rows, threads: options.threads, wallSeconds: Date().timeIntervalSince(started))
    }

    /// a·b with the standard error of a product of two independent estimates.
    static func product(_ a: Estimate, _ b: Estimate) -> (Double, Double) {
        (a.mean * b.mean, ((b.mean * a.standardError) * (b.mean * a.standardError) + (a.mean * b.standardError) * (a.mean * b.standardError)).squareRoot())
    }

    static func row<P: StochasticGradientProblem>(_ problem: P, eta: Double, steps: Int, flow: [P.State], discrete: [SquareMatrix<P.State>],
                                                  observationSteps: [Int], theory: [NormalDeviationsTheory.FlowPoint<P.State>], tally: Tally,
                                                  testFunctions: [TestFunction]) -> NormalDeviationsEtaRow {
        let d = P.State.dimension
        var points: [NormalDeviationsTimePoint] = []
        for (j, k) in observationSteps.enumerated() {
            let means = (0..<d).map { tally["\(j)/Z\($0)"].estimate }
            let offsets = (0..<d).map { tally["\(j)/D\($0)"].estimate }
            var entries: [CovarianceEntry] = []
            for (a, b) in NormalDeviationsPaths<P>.pairs {
                let second = tally["\(j)/ZZ\(a)\(b)"].estimate, w = tally["\(j)/W\(a)\(b)"].estimate
                // plain: mean(Z_aZ_b) − mean(Z_a) mean(Z_b); control variate: P^η + mean(W) − mean(D_a) mean(D_b),
                // since E z = 0 and E z_a z_b = P^η exactly (standard errors combined as if independent)
                let (mm, mmSE) = product(means[a], means[b]), (dd, ddSE) = product(offsets[a], offsets[b])
                let plain = Estimate(mean: second.mean - mm, standardError: (second.standardError * second.standardError + mmSE * mmSE).squareRoot(),
                                     count: second.count)
                let cv = Estimate(mean: discrete[k][a, b] + w.mean - dd, standardError: (w.standardError * w.standardError + ddSE * ddSE).squareRoot(),
                                  count: w.count)
                entries.append(CovarianceEntry(row: a, column: b, lyapunov: theory[j].covariance[a, b], driftless: theory[j].driftless[a, b],
                                               discreteLyapunov: discrete[k][a, b], monteCarlo: plain, controlVariate: cv))
            }
            // E Z^η = E(Z^η − z) since E z = 0: the control variate again
            points.append(NormalDeviationsTimePoint(time: Double(k) * eta, flow: flow[k].components, meanDeviation: offsets, entries: entries))
        }
        let last = points[points.count - 1], end = theory[theory.count - 1]
        let norm = frobenius(last.entries.map { ($0.row, $0.column, $0.lyapunov, 0.0) })
        func discrepancy(_ reference: (CovarianceEntry) -> Double) -> Estimate {
            let raw = frobenius(last.entries.map { ($0.row, $0.column, $0.controlVariate.mean - reference($0), $0.controlVariate.standardError) })
            return Estimate(mean: raw.value / norm.value, standardError: raw.error / norm.value, count: last.entries[0].controlVariate.count)
        }
        let diagonal = last.entries.filter { $0.row == $0.column }
        let trace = diagonal.reduce(0) { $0 + $1.controlVariate.mean }, traceP = diagonal.reduce(0) { $0 + $1.lyapunov }
        let traceSE = diagonal.reduce(0) { $0 + $1.controlVariate.standardError * $1.controlVariate.standardError }.squareRoot()
        let meanNorm = frobenius(last.meanDeviation.enumerated().map { ($0.offset, $0.offset, $0.element.mean, $0.element.standardError) })
        let y = end.y
        let linear = testFunctions.map { phi -> LinearNoiseRow in
            let sgd = tally["phi/\(phi.rawValue)"].estimate, diff = tally["dphi/\(phi.rawValue)"].estimate
            let exact = NormalDeviationsTheory.gaussianExpectation(phi, mean: y, covariance: eta * end.covariance)
            let twin = NormalDeviationsTheory.gaussianExpectation(phi, mean: flow[steps], covariance: eta * discrete[steps])
            // E φ(x) − E φ(Y + √η Z) = E[φ(x) − φ(Y_n + √η z)] + (E φ(Y_n + √η z) − E φ(Y(T) + √η Z)), the bracket exact
            return LinearNoiseRow(testFunction: phi, sgd: sgd, linearNoise: exact, flow: phi(y),
                                  linearNoiseError: Estimate(mean: diff.mean + twin - exact, standardError: diff.standardError, count: diff.count),
                                  flowError: Estimate(mean: sgd.mean - phi(y), standardError: sgd.standardError, count: sgd.count))
        }
        let supAccumulator = tally["sup"]
        return NormalDeviationsEtaRow(eta: eta, steps: steps, points: points, supError: supAccumulator.estimate,
                                      gradientDescentSupError: NormalDeviationsTheory.gradientDescentSupError(problem, flow: flow, eta: eta),
                                      covarianceDiscrepancy: discrepancy { $0.lyapunov }, driftlessDiscrepancy: discrepancy { $0.driftless },
                                      traceRatio: Estimate(mean: trace / traceP, standardError: traceSE / abs(traceP), count: supAccumulator.count),
                                      meanDeviation: Estimate(mean: meanNorm.value, standardError: meanNorm.error, count: supAccumulator.count),
                                      linearNoise: linear, diverged: supAccumulator.nonFinite)
    }

    /// The Frobenius norm of a symmetric matrix given by its upper entries (a, b, value, se), with
    /// the delta-method standard error (off-diagonal entries count twice).
    static func frobenius(_ entries: [(Int, Int, Double, Double)]) -> (value: Double, error: Double) {
        var sum = 0.0, gradient = 0.0
        for (a, b, v, se) in entries {
            let w: Double = a == b ? 1 : 2
            sum += w * v * v
            gradient += (w * v * se) * (w * v * se)
        }
        let value = sum.squareRoot()
        return (value, value > 0 ? gradient.squareRoot() / value : entries.map(\.3).max() ?? 0)
    }

    /// log error against log η; points whose error is not resolved from 0 (|mean| < 2 se) are left out.
    static func rate(_ name: String, etas: [Double], errors: [Estimate], theory: Double, tolerance: Double) -> RateFit {
        let used = zip(etas, errors).filter { $0.1.mean.isFinite && abs($0.1.mean) > 2 * $0.1.standardError && $0.1.mean != 0 }
        let y = used.map { Estimate(mean: log(abs($0.1.mean)), standardError: max($0.1.standardError / abs($0.1.mean), 1e-12), count: $0.1.count) }
        let fit = SlopeFit.make(name: name, x: used.map { log($0.0) }, y: y, theory: theory, tolerance: tolerance)
        var verdict = Verdict.inconclusive
        if used.count >= 3, let interval = fit.interval {
            let floor = theory * (1 - tolerance)
            verdict = interval[0] >= floor ? .pass : interval[1] < floor ? .fail : .inconclusive
        }
        return RateFit(fit: fit, etas: used.map(\.0), verdict: verdict)
    }

    static func analyse(_ c: NormalDeviationsConfiguration, dimension: Int, rows: [NormalDeviationsEtaRow], threads: Int,
                        wallSeconds: Double) -> NormalDeviationsResult {
        let etas = rows.map(\.eta), tol = c.rateTolerance
        let sup = rate("E max_k |x_k − Y(kη)| ∝ η^r (A.4)", etas: etas, errors: rows.map(\.supError), theory: 0.5, tolerance: tol)
        let cov = rate("‖Cov Z^η(T) − P(T)‖/‖P(T)‖ ∝ η^r (Theorem 5)", etas: etas, errors: rows.map(\.covarianceDiscrepancy), theory: 1, tolerance: tol)
        let mean = rate("|E Z^η(T)| ∝ η^r", etas: etas, errors: rows.map(\.meanDeviation), theory: 0.5, tolerance: tol)
        let weak = c.testFunctions.enumerated().map { i, phi in
            rate("E φ(x^η(T)) − E φ(Y + √η Z) ∝ η^r, φ = \(phi.formula)", etas: etas, errors: rows.map { $0.linearNoise[i].linearNoiseError },
                 theory: 1, tolerance: tol)
        }
        let gd = rows.filter { $0.gradientDescentSupError > 0 }
        let gdRate = gd.count >= 2 ? AnnealingAnalysis.slope(gd.map { log($0.eta) }, gd.map { log($0.gradientDescentSupError) }) : nil
        let smallest = rows.min { $0.eta < $1.eta }!
        let a7 = smallest.driftlessDiscrepancy
        let verdict = Verdict(combining: [sup.verdict, cov.verdict, mean.verdict] + weak.map(\.verdict))
        return NormalDeviationsResult(software: .current(threads: threads), configuration: c, dimension: dimension, rows: rows,
                                      supRate: sup, gradientDescentRate: gdRate, covarianceRate: cov, meanRate: mean, linearNoiseRates: weak,
                                      driftlessRejected: a7.mean > 3 * a7.standardError, verdict: verdict, wallSeconds: wallSeconds)
    }
}
