import Foundation
import NeuralNets
import Numerics

/// The §6 verdicts of an MNIST result: Proposition 1's checks, and the paper's and Keskar et
/// al.'s claims, per momentum on the sweep, on the anchors and on the warm starts, in the order
/// the report lists them.
struct MNISTAssessment {
    typealias SweepRow = MNISTResult.SweepRow
    typealias DataInfo = MNISTResult.DataInfo
    typealias Check = MNISTResult.Check
    typealias Claim = MNISTResult.Claim
    let c: MNISTConfiguration
    let runs: [MNISTRun]
    let rows: [SweepRow]
    let data: DataInfo
    let small: Int
    let large: Int

    init(configuration: MNISTConfiguration, runs: [MNISTRun], rows: [SweepRow], data: DataInfo) {
        (c, self.runs, self.rows, self.data) = (configuration, runs, rows, data)
        small = configuration.batchSizes.min()!
        large = configuration.batchSizes.max()!
    }

    func sweepRun(_ rho: Double, _ b: Int, noise: Bool = false, seed: UInt64? = nil) -> MNISTRun? {
        runs.first { $0.role == .sweep && $0.schedule == nil && $0.momentum == rho && $0.batchSize == b && ($0.injectedNoise > 0) == noise && $0.seed == (seed ?? c.seed) }
    }

    func row(_ rho: Double, _ b: Int, noise: Bool = false) -> SweepRow? {
        rows.first { $0.schedule == nil && $0.momentum == rho && $0.batchSize == b && ($0.injectedNoise > 0) == noise }
    }

    /// Test accuracy of `a` minus `b`, its standard error, the critical value k, and the verdict:
    /// reproduced beyond k standard errors, refuted beyond −k, else undecided.
    func accuracyGap(_ a: SweepRow, _ b: SweepRow) -> (gap: Double, se: Double, k: Double, reproduced: Bool?) {
        let gap = a.testAccuracy.mean - b.testAccuracy.mean
        let se = (a.testAccuracy.standardError * a.testAccuracy.standardError + b.testAccuracy.standardError * b.testAccuracy.standardError).squareRoot()
        let k = MNISTResult.criticalValue(a, b)
        return (gap, se, k, gap > k * se ? true : (gap < -k * se ? false : nil))
    }

    func checks() -> [Check] {
        var checks: [Check] = []
        // Proposition 1 on a deep network: E|g_B - ḡ|² = (1/m - 1/M) tr Σ₀, so tr Σ₀ estimated at two
        // batch sizes from the same weights (iteration 0, same seed) must agree. |z| ≤ 3 is a
        // two-sided test at the 0.3% level (the two estimates' draws are independent batches).
        if let rho = c.momenta.first, let a = sweepRun(rho, small)?.record.noiseScale.first, let b = sweepRun(rho, large)?.record.noiseScale.first,
           a.iteration == 0, b.iteration == 0 {
            let z = (a.traceSigma0 - b.traceSigma0) / (a.traceSigma0StandardError * a.traceSigma0StandardError + b.traceSigma0StandardError * b.traceSigma0StandardError).squareRoot()
            checks.append(Check(name: "proposition-1-batch-scaling",
                                statement: "tr Σ₀ at the initial weights, estimated from the variance of batch gradients of size \(small) and \(large) through Proposition 1's factor (1/m − 1/M), agrees (|z| ≤ 3)",
                                measured: String(format: "%.4g ± %.2g (m = %d) vs %.4g ± %.2g (m = %d), z = %.2f", a.traceSigma0, a.traceSigma0StandardError, small,
                                                 b.traceSigma0, b.traceSigma0StandardError, large, z),
                                verdict: abs(z) <= 3 ? .pass : .fail))
        }
        // the accuracy anchor refers to the full training set; on a subset it does not apply
        if let anchor = runs.first(where: { $0.name == "anchor/small" }), let best = anchor.record.bestTestAccuracy, data.trainCount >= 60_000 {
            checks.append(Check(name: "small-batch-accuracy",
                                statement: "the small-batch anchor (batch \(c.smallBatch), \(c.smallAnchorEpochs) epochs) reaches ≥ 98.0% test accuracy (Keskar et al.: 98.03 ± 0.07% for F1)",
                                measured: String(format: "best %.2f%% over %d evaluations", 100 * best, anchor.record.evaluations.count),
                                verdict: best >= 0.98 ? .pass : .fail))
        }
        return checks
    }

    /// Figs 1–4 and the §5 schedule, for momentum ρ.
    func sweepClaims(_ rho: Double) -> [Claim] {
        var claims: [Claim] = []
        let tag = rho == 0 ? "SGD" : "momentum \(rho)"
        if let s = row(rho, small)?.finalDistance, let l = row(rho, large)?.finalDistance {
            // each seed's pair must agree in sign, so one lucky seed cannot carry the claim
            let seeds = (0..<c.replicates).map { c.seed &+ UInt64($0) }
            let perSeed = seeds.compactMap { seed -> Double? in
                guard let a = sweepRun(rho, small, seed: seed)?.record.distance.last, let b = sweepRun(rho, large, seed: seed)?.record.distance.last else { return nil }
                return a / b
            }
            var text = String(format: "‖w − w₀‖ after %d iterations: %.3f vs %.3f (ratio %.2f)", c.iterations, s, l, s / l)
            if perSeed.count > 1 { text += String(format: ", means of %d seeds; per-seed ratios %.2f–%.2f", perSeed.count, perSeed.min()!, perSeed.max()!) }
            claims.append(Claim(name: "diffusion-by-batch-size-rho\(rho)",
                                statement: "Fig \(rho == 0 ? 1 : 2) (\(tag)): at equal iterations the weights of batch \(small) travel further from w₀ than those of batch \(large)",
                                measured: text, reproduced: perSeed.isEmpty ? s > l : perSeed.allSatisfy { $0 > 1 }))
            if let n = row(rho, c.largeBatch, noise: true)?.finalDistance {
                var text = String(format: "‖w − w₀‖: %.3f with noise σ = %g vs %.3f at batch %d (ratio %.2f)", n, c.injectedNoise, s, small, n / s)
                if let trace = row(rho, small)?.traceSigma0?.mean {
                    // the σ that gives batch `large` the small batch's gradient-noise trace
                    let sigmaEq = (trace * (1 / Double(small) - 1 / Double(large)) / Double(data.parameterCount)).squareRoot()
                    text += String(format: "; matching tr Σ₀(1/%d − 1/%d) = d σ² needs σ = %.2g", small, large, sigmaEq)
                }
                claims.append(Claim(name: "noise-injection-rho\(rho)",
                                    statement: "Fig \(rho == 0 ? 1 : 2) (\(tag)): injected noise σ = \(c.injectedNoise) makes the batch-\(c.largeBatch) distance curve similar to batch \(small)'s (read as: within 25% at the end)",
                                    measured: text, reproduced: abs(log(n / s)) <= log(1.25)))
            }
        }
        if let l = row(rho, large), let scheduled = rows.first(where: { $0.momentum == rho && $0.schedule != nil }) {
            let (gap, se, k, reproduced) = accuracyGap(scheduled, l)
            claims.append(Claim(name: "batch-schedule-rho\(rho)",
                                statement: "§5 (\(tag)): small batches early and large ones late (\(scheduled.schedule!)) generalise better than the large batch throughout (beyond \(String(format: "%.2g", k)) standard errors, \(l.errorBars))",
                                measured: String(format: "test accuracy %.2f%% (schedule) vs %.2f%% (batch %d throughout) vs %.2f%% (batch %d throughout): %+.2f ± %.2f points",
                                                 100 * scheduled.testAccuracy.mean, 100 * l.testAccuracy.mean, large,
                                                 100 * (row(rho, small)?.testAccuracy.mean ?? .nan), small, 100 * gap, 100 * se),
                                reproduced: reproduced))
        }
        if let s = row(rho, small), let l = row(rho, large) {
            let (gap, se, k, reproduced) = accuracyGap(s, l)
            claims.append(Claim(name: "generalisation-gap-rho\(rho)",
                                statement: "Fig \(rho == 0 ? 3 : 4) (\(tag)): at equal iterations the large batch tests worse than the small one (difference beyond \(String(format: "%.2g", k)) standard errors, \(s.errorBars))",
                                measured: String(format: "test accuracy %.2f%% (batch %d) − %.2f%% (batch %d) = %+.2f ± %.2f points; train %.2f%% vs %.2f%%",
                                                 100 * s.testAccuracy.mean, small, 100 * l.testAccuracy.mean, large, 100 * gap, 100 * se,
                                                 100 * s.trainAccuracy.mean, 100 * l.trainAccuracy.mean),
                                reproduced: reproduced))
            if let ss = s.sharpness, let ls = l.sharpness {
                let text: String, margin: Double
                if let se1 = s.sharpnessStandardError, let se2 = l.sharpnessStandardError {
                    // across seeds; the Lanczos residuals are orders of magnitude smaller
                    margin = k * (se1 * se1 + se2 * se2).squareRoot()
                    text = String(format: "λ_max %.3g ± %.2g (batch %d) vs %.3g ± %.2g (batch %d), standard errors across %d seeds; end points at different training losses",
                                  ss, se1, small, ls, se2, large, s.replicates)
                } else {
                    margin = (s.sharpnessResidual ?? 0) + (l.sharpnessResidual ?? 0)
                    text = String(format: "λ_max %.3g (batch %d) vs %.3g (batch %d), Lanczos residuals ±%.2g (seed %llu only: run-to-run variation not included; end points at different training losses)",
                                  ss, small, ls, large, margin, c.seed)
                }
                claims.append(Claim(name: "sharpness-rho\(rho)",
                                    statement: "(Keskar et al., \(tag)) at equal iterations the large batch ends at a sharper point: larger top Hessian eigenvalue" + (s.sharpnessStandardError == nil ? "" : String(format: " (beyond %.2g standard errors across seeds)", k)),
                                    measured: text, reproduced: ls - ss > margin ? true : (ss - ls > margin ? false : nil)))
            }
        }
        return claims
    }

    func anchorClaims() -> [Claim] {
        var claims: [Claim] = []
        if let s = runs.first(where: { $0.name == "anchor/small" })?.record.bestTestAccuracy,
           let l = runs.first(where: { $0.name == "anchor/large" })?.record.bestTestAccuracy {
            let se = (s * (1 - s) / Double(data.testCount) + l * (1 - l) / Double(data.testCount)).squareRoot()
            claims.append(Claim(name: "generalisation-gap-anchors",
                                statement: "(Keskar et al.'s protocol: train each to its best) the large batch tests worse than the small one, though given \(c.largeAnchorEpochs) epochs against \(c.smallAnchorEpochs) (beyond 2 binomial standard errors)",
                                measured: String(format: "best test accuracy %.2f%% (batch %d) vs %.2f%% (batch %d): gap %+.2f ± %.2f points", 100 * s, c.smallBatch, 100 * l, c.largeBatch, 100 * (s - l), 100 * se),
                                reproduced: s - l > 2 * se ? true : (s - l < -2 * se ? false : nil)))
        }
        if let s = runs.first(where: { $0.name == "anchor/small" })?.sharpness, let l = runs.first(where: { $0.name == "anchor/large" })?.sharpness {
            let bound = s.largestResidual + l.largestResidual
            claims.append(Claim(name: "sharpness-anchors",
                                statement: "(Keskar et al.; the paper's flat/sharp reading of Figs 5–6) trained to their best test accuracy, the large batch sits at a sharper minimiser than the small one",
                                measured: String(format: "λ_max %.3g (batch %d anchor) vs %.3g (batch %d anchor), Lanczos residuals ±%.2g (one seed: run-to-run variation not included)", s.largest, c.smallBatch, l.largest, c.largeBatch, bound),
                                reproduced: l.largest - s.largest > bound ? true : (s.largest - l.largest > bound ? false : nil)))
        }
        return claims
    }

    /// Figs 5–6.
    func warmStartClaims() -> [Claim] {
        var claims: [Claim] = []
        func finalAccuracy(_ name: String) -> Double? { runs.first { $0.name == name }?.record.evaluations.last?.testAccuracy }
        let se2 = 2 * (2 * 0.98 * 0.02 / Double(data.testCount)).squareRoot()
        if let a = finalAccuracy("warm/small/b\(c.smallBatch)"), let b = finalAccuracy("warm/small/b\(c.largeBatch)") {
            claims.append(Claim(name: "warm-start-flat",
                                statement: "Fig 5: from the best small-batch weights (a flat region) the large batch does at least as well as the small one",
                                measured: String(format: "final test accuracy %.2f%% (batch %d) vs %.2f%% (batch %d)", 100 * b, c.largeBatch, 100 * a, c.smallBatch),
                                reproduced: b - a > -se2 ? (b - a >= se2 ? true : nil) : false))
        }
        if let anchor = runs.first(where: { $0.name == "anchor/large" })?.record.bestTestAccuracy,
           let warm = runs.first(where: { $0.name == "warm/large/b\(c.smallBatch)" })?.record.evaluations.dropFirst().map(\.testAccuracy).max() {
            claims.append(Claim(name: "warm-start-sharp",
                                statement: "Fig 6: from the best large-batch weights (a sharp region) small-batch SGD escapes to better test accuracy",
                                measured: String(format: "best test accuracy %.2f%% after warm start at batch %d vs %.2f%% at the large-batch anchor", 100 * warm, c.smallBatch, 100 * anchor),
                                reproduced: warm - anchor >= se2 ? true : (warm - anchor <= -se2 ? false : nil)))
        }
        return claims
    }
}
