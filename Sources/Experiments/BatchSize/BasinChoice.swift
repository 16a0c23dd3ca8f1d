import Dynamics
import Ensembles
import Escape
import FiniteSums
import Foundation
import Numerics
import Randomness

/// One (η, m) of the basin-choice grid: P(X in the flat basin at time S) from the sharp minimum.
public struct BasinChoiceRow: Sendable, Codable, Equatable {
    public var eta: Double
    public var batch: Int
    /// The SDE's law at S (reflecting Fokker–Planck on the scan), its discretisation error
    /// (against the same solve on a grid twice as fine in space and time), and the stationary
    /// P(flat), the S → ∞ limit.
    public var fokkerPlanck: Double
    public var fokkerPlanckError: Double
    public var stationary: Double
    public var sde: Estimate?
    public var sgd: Estimate?
    /// Two-sided exact binomial p-values of the SDE's and SGD's counts under the law's probability
    /// (exact, so a row whose law is 0.999 and whose sample is all flat is not a 10σ outlier).
    public var sdePValue: Double?
    public var sgdPValue: Double?
}

/// The grid's verdicts.
public struct BasinChoiceSummary: Sendable, Codable, Equatable {
    /// The SDE's frequencies against the Fokker–Planck law: every row's p-value above 1%/rows.
    public var sdeAgreement: Verdict
    public var smallestPValue: Double
    public var pValueBound: Double
    /// §5: at every η, SGD from the sharp minimum ends in the flat basin more often at the
    /// smallest m than at the largest (by 3 standard errors of the difference).
    public var smallBatchesReachFlat: Verdict
    /// §5 says larger η does the same. The law is not monotone in η (at large η the basins mix
    /// and the stationary split takes over), so SGD is judged against the law's own direction:
    /// for neighbouring η at each m where the law moves by more than 3 SGD standard errors,
    /// SGD must not move the other way by more than 3 standard errors.
    public var etaEffectFollowsLaw: Verdict
    public var etaPairsJudged: Int
    public var verdict: Verdict
}

enum BasinChoice {
    /// Cells and time steps per unit time of the Fokker–Planck solve; the error estimate
    /// doubles both.
    static let cells = 1500
    static let stepsPerUnitTime = 50.0

    static func run(_ c: BatchSizeConfiguration, setup: TwoBasinProblem, runner: EnsembleRunner) throws -> ([BasinChoiceRow], BasinChoiceSummary?) {
        guard !c.choiceEtas.isEmpty else { return ([], nil) }
        let (problem, table, land) = (setup.problem, setup.table, setup.landscape)
        let total = problem.count
        let flatSide: Double = land.flat.minimum > land.sharp.barrier ? 1 : -1
        let isFlat = { (x: Double) in (x - land.sharp.barrier) * flatSide > 0 }
        let loss: @Sendable (Double) -> Double = { table.value(at: $0) }
        var rows: [BasinChoiceRow] = []
        for (e, eta) in c.choiceEtas.enumerated() {
            let iterations = Int((c.choiceHorizon / eta).rounded()), substeps = Int((eta / c.sdeStep).rounded())
            for m in c.batches.sorted() {
                let factor = 1 / Double(m) - 1 / Double(total)
                func law(cells: Int, steps: Int) throws -> (ReflectedFokkerPlanck1D, Double) {
                    let fp = try ReflectedFokkerPlanck1D(lower: c.scan[0], upper: c.scan[1], cells: cells, drift: { -table.gradient(at: $0) },
                                                         diffusion: { 0.5 * eta * factor * table.sampleCovariance(at: $0) })
                    return (fp, fp.mass(try fp.evolve(from: land.sharp.minimum, time: c.choiceHorizon, steps: steps), where: isFlat))
                }
                let steps = max(1, Int((c.choiceHorizon * stepsPerUnitTime).rounded(.up)))
                let (fp, p) = try law(cells: cells, steps: steps)
                let (_, fine) = try law(cells: 2 * cells, steps: 2 * steps)
                var row = BasinChoiceRow(eta: eta, batch: m, fokkerPlanck: fine, fokkerPlanckError: abs(fine - p),
                                         stationary: fp.mass(fp.stationary, where: isFlat))
                func measure<I: HorizonIteration>(_ method: String, _ iteration: I, paths: Int) throws -> (Estimate, Double)? {
                    guard paths > 0 else { return nil }
                    let ensemble = BatchSchedulePaths(iteration: iteration, start: land.sharp.minimum, eta: eta, checkpoints: [iterations],
                                                      barrier: land.sharp.barrier, flatSide: flatSide, loss: loss,
                                                      sharpValue: land.sharp.value, flatValue: land.flat.value)
                    let progress = try runner.run(task: "choice/\(method)/eta\(e)/m\(m)", plan: try EnsemblePlan(paths: paths, blockSize: 64),
                                                  emptyTally: ensemble.emptyTally, work: 1, unit: "paths") { ensemble.simulate(paths: $0) }
                    try ExperimentInterrupted.check(BatchSizeStudy.experiment, [progress])
                    let estimate = progress.tally.moments[0].estimate
                    let flatCount = Int((estimate.mean * Double(estimate.count)).rounded())
                    return (estimate, Distributions.binomialTwoSidedPValue(successes: flatCount, trials: estimate.count, probability: fine))
                }
                let sgdProblem = try FiniteSumProblem(model: problem.model, data: problem.data, l2: problem.l2, batchSchedule: .constant(m))
                let sgd = try OneFeatureSGD(sgdProblem, eta: eta, seed: seed(c, e, m, 1))
                (row.sgd, row.sgdPValue) = try measure("sgd", SGDIteration(sgd: sgd), paths: c.choicePaths).map { ($0.0, $0.1) } ?? (nil, nil)
                let process = ScheduledDiffusion(table: table, eta: eta, schedule: .constant(m), samples: total, iterations: 1)
                let sde = SDEIteration(process: process, step: eta / Double(substeps), substeps: substeps,
                                       normals: GaussianStream(seed: seed(c, e, m, 2), stream: .driving, method: c.normals ?? .standard))
                (row.sde, row.sdePValue) = try measure("sde", sde, paths: c.choiceSDEPaths).map { ($0.0, $0.1) } ?? (nil, nil)
                rows.append(row)
            }
        }
        return (rows, summary(rows))
    }

    static func seed(_ c: BatchSizeConfiguration, _ etaIndex: Int, _ m: Int, _ purpose: UInt64) -> UInt64 {
        c.seed &+ (UInt64(etaIndex) &* 7_000_003 &+ UInt64(m) &* 131 &+ purpose &+ 0xC401) &* 0x9E37_79B9_7F4A_7C15
    }

    static func summary(_ rows: [BasinChoiceRow]) -> BasinChoiceSummary {
        // Bonferroni over the rows, 1% in all
        let pValues = rows.compactMap(\.sdePValue)
        let bound = 0.01 / Double(max(1, pValues.count))
        let smallest = pValues.min() ?? 1
        let agreement: Verdict = pValues.isEmpty ? .inconclusive : (smallest >= bound ? .pass : .fail)

        func difference(_ a: Estimate, _ b: Estimate) -> (Double, Double) {
            (a.mean - b.mean, (a.standardError * a.standardError + b.standardError * b.standardError).squareRoot())
        }
        var batchVerdicts: [Verdict] = []
        for eta in Set(rows.map(\.eta)).sorted() {
            let mine = rows.filter { $0.eta == eta }.sorted { $0.batch < $1.batch }
            guard mine.count >= 2, let small = mine.first!.sgd, let large = mine.last!.sgd else { continue }
            let (d, se) = difference(small, large)
            batchVerdicts.append(d > 3 * se ? .pass : (d < -3 * se ? .fail : .inconclusive))
        }
        var etaVerdicts: [Verdict] = []
        for m in Set(rows.map(\.batch)).sorted() {
            let mine = rows.filter { $0.batch == m }.sorted { $0.eta < $1.eta }
            for (a, b) in zip(mine, mine.dropFirst()) {
                guard let sa = a.sgd, let sb = b.sgd else { continue }
                let (d, se) = difference(sb, sa)
                let lawMove = b.fokkerPlanck - a.fokkerPlanck
                // a pair where SGD cannot tell the law's move from noise is not judged
                guard se > 0, abs(lawMove) > 3 * se else { continue }
                etaVerdicts.append(d * lawMove < 0 && abs(d) > 3 * se ? .fail : .pass)
            }
        }
        let batch = batchVerdicts.isEmpty ? Verdict.inconclusive : Verdict(combining: batchVerdicts)
        let etaEffect = etaVerdicts.isEmpty ? Verdict.inconclusive : Verdict(combining: etaVerdicts)
        return BasinChoiceSummary(sdeAgreement: agreement, smallestPValue: smallest, pValueBound: bound, smallBatchesReachFlat: batch,
                                  etaEffectFollowsLaw: etaEffect, etaPairsJudged: etaVerdicts.count,
                                  verdict: Verdict(combining: [agreement, batch, etaEffect]))
    }
}
