import Ensembles
import Foundation
import Numerics

/// Estimates and verdicts of the batch-schedule study.
enum BatchScheduleAnalysis {
    /// The two-state reduction needs the sharp basin's escape to be a rare event at every m the
    /// schedule uses, so that the first-entry law is exponential. Measured on the standard
    /// problem: at m = 1 (V₀/(ηc) = 0.96, E T only 14/F″) the SDE's first-entry curve departs
    /// from 1 − e^{−s/E T} by 20 binomial standard errors at 1024 paths (the entry comes after a
    /// relaxation delay); from m = 2 (1.92) on it is within the Bonferroni bound. Rows below the
    /// threshold are reported beside the theory, not judged.
    static let minimumExponent = 1.5

    /// A frequency's binomial standard error at probability p, floored at that of one event in
    /// N (a frequency of exactly 0 or 1 has a sample spread of 0).
    static func error(_ p: Double, count: Int) -> Double {
        let n = Double(max(count, 1)), q = min(max(p, 1 / n), 1 - 1 / n)
        return (q * (1 - q) / n).squareRoot()
    }

    static func error(_ e: Estimate) -> Double { error(e.mean, count: e.count) }

    static func measurement(_ tally: Tally, checkpoints n: Int, theory: BatchScheduleTheory.Curve, paths: Int, seconds: Double) -> BatchScheduleMeasurement {
        let flat = (0..<n).map { tally.moments[$0].estimate }, reached = (0..<n).map { tally.moments[n + $0].estimate }
        // z under the null hypothesis: the binomial error of the theory's probability (the sample
        // error of a frequency near 0 is itself near 0 and would overstate a deficit of one path)
        var z = 0.0
        for c in 0..<n {
            z = max(z, abs(flat[c].mean - theory.flat[c]) / error(theory.flat[c], count: flat[c].count),
                    abs(reached[c].mean - theory.reached[c]) / error(theory.reached[c], count: reached[c].count))
        }
        return BatchScheduleMeasurement(flat: flat, reached: reached, finalLoss: tally.moments[2 * n].estimate, excess: tally.moments[2 * n + 2].estimate,
                                        firstReach: tally.moments[2 * n + 1].estimate, paths: paths, seconds: seconds, maxZ: z)
    }

    static func result(_ c: BatchScheduleConfiguration, problem: String, samples: Int, landscape: BatchSizeLandscape, rates: [BatchScheduleRates],
                       rows: [BatchScheduleRow], threads: Int, wallSeconds: Double) -> BatchScheduleResult {
        // Bonferroni over every judged checkpoint (two curves each), two-sided 1%
        let judged = rows.filter(\.lawApplies)
        let tests = max(1, 2 * c.checkpoints * judged.count)
        let bound = Distributions.normalQuantile(1 - 0.005 / Double(tests))
        func agreement(_ pick: (BatchScheduleRow) -> BatchScheduleMeasurement?) -> Verdict {
            let zs = judged.compactMap { pick($0)?.maxZ }
            return zs.isEmpty ? .inconclusive : (zs.allSatisfy { $0 <= bound } ? .pass : .fail)
        }
        let (claim, detail) = claimVerdict(rows)
        let best = rows.max { ($0.sgd?.flat.last?.mean ?? $0.theory.flat.last!) < ($1.sgd?.flat.last?.mean ?? $1.theory.flat.last!) }!
        let sde = agreement(\.sde), sgd = agreement(\.sgd)
        return BatchScheduleResult(software: .current(threads: threads), configuration: c, problem: problem, samples: samples, landscape: landscape,
                                   rates: rates, rows: rows, sdeTheory: sde, sgdTheory: sgd, zBound: bound, increasingBeatsConstant: claim,
                                   claimDetail: detail, best: best.name, verdict: Verdict(combining: [sde, claim]), wallSeconds: wallSeconds)
    }

    /// The paper's claim, per method: some logarithmic schedule ends in the flat basin more often
    /// than the largest constant m (by 3 combined standard errors) while its final excess loss
    /// F − F(x*) is below the smallest constant m's (by 3 standard errors). Fails if for every log
    /// schedule one of the two is reversed by 3 standard errors; otherwise inconclusive.
    static func claimVerdict(_ rows: [BatchScheduleRow]) -> (Verdict, String) {
        let constants = rows.filter { $0.schedule.allSatisfy(\.isNumber) }
        let logs = rows.filter { $0.schedule.hasPrefix("log(") }
        guard let small = constants.min(by: { Int($0.schedule)! < Int($1.schedule)! }),
              let large = constants.max(by: { Int($0.schedule)! < Int($1.schedule)! }), small.name != large.name, !logs.isEmpty else {
            return (.inconclusive, "needs two constant schedules and a logarithmic one")
        }
        var verdicts: [Verdict] = [], notes: [String] = []
        for (method, pick) in [("SGD", \BatchScheduleRow.sgd), ("SDE", \BatchScheduleRow.sde)] {
            guard let l = large[keyPath: pick], let s = small[keyPath: pick] else { continue }
            var outcomes: [Verdict] = []
            for row in logs {
                guard let r = row[keyPath: pick] else { continue }
                let pf = r.flat.last!, pl = l.flat.last!
                let dp = pf.mean - pl.mean, sp = (error(pf) * error(pf) + error(pl) * error(pl)).squareRoot()
                let de = s.excess.mean - r.excess.mean
                let se = (s.excess.standardError * s.excess.standardError + r.excess.standardError * r.excess.standardError).squareRoot()
                let outcome: Verdict = (dp > 3 * sp && de > 3 * se) ? .pass : ((dp < -3 * sp || de < -3 * se) ? .fail : .inconclusive)
                outcomes.append(outcome)
                notes.append(String(format: "%@ %@: P(flat) %.3f vs %.3f (constant large), excess %.3g vs %.3g (constant small) → %@", method, row.name,
                                    pf.mean, pl.mean, r.excess.mean, s.excess.mean, outcome.rawValue))
            }
            verdicts.append(outcomes.contains(.pass) ? .pass : (outcomes.allSatisfy { $0 == .fail } ? .fail : .inconclusive))
        }
        return (verdicts.isEmpty ? .inconclusive : Verdict(combining: verdicts), notes.joined(separator: "; "))
    }
}
