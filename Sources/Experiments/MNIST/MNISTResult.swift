import Foundation
import NeuralNets
import Numerics
import Problems

/// What `sgdiff mnist` writes as result.json (schema "sgdiff.mnist/1").
public struct MNISTResult: Sendable, Codable {
    public var schema = "sgdiff.mnist/1"
    public var configuration: MNISTConfiguration
    public var software: SoftwareInfo
    public var data: DataInfo
    public var runs: [MNISTRun]
    public var sweep: [SweepRow]
    public var checks: [Check]
    public var claims: [Claim]
    /// Aggregated over `checks` (the software's own correctness); the paper's qualitative
    /// claims are reported in `claims` and do not enter it.
    public var verdict: Verdict

    public struct DataInfo: Sendable, Codable, Equatable {
        public var directory: String
        public var trainCount: Int
        public var testCount: Int
        public var parameterCount: Int
    }

    /// One point of Figs 3–4 and of the sharpness / noise-scale table, over the replicates.
    public struct SweepRow: Sendable, Codable, Equatable {
        public var momentum: Double
        public var batchSize: Int
        /// A non-constant batch schedule (then `batchSize` is its first size), as text.
        public var schedule: String?
        public var injectedNoise: Double
        public var replicates: Int
        /// Across seeds when there are several; otherwise the binomial standard error of an
        /// accuracy measured on n examples, √(p(1-p)/n) (the test set's sampling error).
        public var trainAccuracy: Estimate
        public var testAccuracy: Estimate
        public var errorBars: String
        public var finalDistance: Double
        public var finalLoss: Double
        /// Top and bottom Hessian eigenvalues at the end point, averaged over the replicates; the
        /// largest Lanczos residual bound of the top one; with several seeds, the standard error of
        /// the top eigenvalue across them (the run-to-run variation, which dwarfs the residual).
        public var sharpness: Double?
        public var sharpnessResidual: Double?
        public var sharpnessStandardError: Double?
        public var smallestEigenvalue: Double?
        /// The error bar of `sharpness`: across seeds when there are several, else the residual bound.
        public var sharpnessError: Double? { sharpnessStandardError ?? sharpnessResidual }
        /// tr Σ₀ at the last measurement and the diffusion strength of SME at this batch size:
        /// the SDE's noise covariance is η Σ₀/m, so its trace is η tr(Σ₀)/m (plus η σ² d for
        /// injected noise, which enters as ε ~ N(0, σ² I) inside the gradient).
        public var traceSigma0: Estimate?
        public var noiseScale: Double?
        public var diffusionTrace: Double?
    }

    /// A correctness check of the software, theory against measurement.
    public struct Check: Sendable, Codable, Equatable {
        public var name: String
        public var statement: String
        public var measured: String
        public var verdict: Verdict
    }

    /// A qualitative claim of the paper's §6 and whether this run reproduced it (nil: the
    /// difference is within its error bars).
    public struct Claim: Sendable, Codable, Equatable {
        public var name: String
        public var statement: String
        public var measured: String
        public var reproduced: Bool?
    }

    init(configuration: MNISTConfiguration, software: SoftwareInfo, data: DataInfo, runs: [MNISTRun]) {
        self.configuration = configuration
        self.software = software
        self.data = data
        self.runs = runs
        sweep = Self.sweepRows(configuration, runs, data)
        (checks, claims) = Self.assess(configuration, runs, sweep, data)
        let verdicts = checks.map(\.verdict)
        verdict = verdicts.contains(.fail) ? .fail : (verdicts.allSatisfy { $0 == .pass } ? .pass : .inconclusive)
    }

    public func run(_ name: String) -> MNISTRun? { runs.first { $0.name == name } }

    static func binomial(_ p: Double, _ n: Int) -> Estimate { Estimate(mean: p, standardError: (p * (1 - p) / Double(n)).squareRoot(), count: n) }

    /// How many standard errors a difference of two sweep rows' means must exceed: 2 for the
    /// binomial error of one seed's accuracy (≈ normal); with seeds, the 97.5% Student t quantile
    /// on the pooled degrees of freedom, since a standard error from 3 seeds is itself uncertain
    /// and 2 would be crossed by chance about one time in five.
    static func criticalValue(_ a: SweepRow, _ b: SweepRow) -> Double {
        guard a.replicates > 1, b.replicates > 1 else { return 2 }
        return Distributions.studentTQuantile(0.975, degreesOfFreedom: Double(a.replicates + b.replicates - 2))
    }

    static func sweepRows(_ c: MNISTConfiguration, _ runs: [MNISTRun], _ data: DataInfo) -> [SweepRow] {
        var rows: [SweepRow] = []
        let sweep = runs.filter { $0.role == .sweep }
        var keys: [(Double, Int, Double, String?)] = []
        for r in sweep where !keys.contains(where: { $0 == (r.momentum, r.batchSize, r.injectedNoise, r.schedule?.description) }) {
            keys.append((r.momentum, r.batchSize, r.injectedNoise, r.schedule?.description))
        }
        for (rho, b, sigma, schedule) in keys {
            let group = sweep.filter { $0.momentum == rho && $0.batchSize == b && $0.injectedNoise == sigma && $0.schedule?.description == schedule }
                .sorted { $0.seed < $1.seed }
            let train = group.compactMap(\.record.finalTrainAccuracy), test = group.compactMap(\.record.finalTestAccuracy)
            guard !train.isEmpty, !test.isEmpty else { continue }
            // error bars across seeds need two of them with the measurement
            let several = train.count > 1 && test.count > 1
            let first = group[0]
            let lastScale = group.compactMap { $0.record.noiseScale.last }
            let trace: Estimate? = lastScale.isEmpty ? nil
                : lastScale.count > 1 ? Estimate(sample: lastScale.map(\.traceSigma0))
                : Estimate(mean: lastScale[0].traceSigma0, standardError: lastScale[0].traceSigma0StandardError, count: 1)
            // the batch in force at the end sets the diffusion there
            let last = first.schedule?.batchSize(atStep: first.iterations - 1) ?? b
            let scale = trace.map { $0.mean / Double(last) }
            let spectra = group.compactMap(\.sharpness)
            let top = spectra.count > 1 ? Estimate(sample: spectra.map(\.largest)) : spectra.first.map { Estimate(mean: $0.largest, standardError: .nan, count: 1) }
            rows.append(SweepRow(
                momentum: rho, batchSize: b, schedule: schedule, injectedNoise: sigma, replicates: group.count,
                trainAccuracy: several ? Estimate(sample: train) : binomial(train[0], data.trainCount),
                testAccuracy: several ? Estimate(sample: test) : binomial(test[0], data.testCount),
                errorBars: several ? "standard error across \(test.count) seeds" : "binomial standard error of the evaluation set",
                finalDistance: group.compactMap(\.record.distance.last).reduce(0, +) / Double(group.count),
                finalLoss: group.compactMap(\.record.loss.last).reduce(0, +) / Double(group.count),
                sharpness: top?.mean, sharpnessResidual: spectra.map(\.largestResidual).max(),
                sharpnessStandardError: spectra.count > 1 ? top?.standardError : nil,
                smallestEigenvalue: spectra.isEmpty ? nil : spectra.map(\.smallest).reduce(0, +) / Double(spectra.count),
                traceSigma0: trace, noiseScale: scale,
                diffusionTrace: scale.map { c.learningRate * ($0 + sigma * sigma * Double(data.parameterCount)) }))
        }
        return rows
    }

    static func assess(_ c: MNISTConfiguration, _ runs: [MNISTRun], _ rows: [SweepRow], _ data: DataInfo) -> ([Check], [Claim]) {
        var checks: [Check] = [], claims: [Claim] = []
        let small = c.batchSizes.min()!, large = c.batchSizes.max()!
        func sweepRun(_ rho: Double, _ b: Int, noise: Bool = false, seed: UInt64? = nil) -> MNISTRun? {
            runs.first { $0.role == .sweep && $0.schedule == nil && $0.momentum == rho && $0.batchSize == b && ($0.injectedNoise > 0) == noise && $0.seed == (seed ?? c.seed) }
        }
        func row(_ rho: Double, _ b: Int, noise: Bool = false) -> SweepRow? {
            rows.first { $0.schedule == nil && $0.momentum == rho && $0.batchSize == b && ($0.injectedNoise > 0) == noise }
        }

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
        for rho in c.momenta {
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
                let gap = scheduled.testAccuracy.mean - l.testAccuracy.mean
                let se = (scheduled.testAccuracy.standardError * scheduled.testAccuracy.standardError + l.testAccuracy.standardError * l.testAccuracy.standardError).squareRoot()
                let k = criticalValue(scheduled, l)
                claims.append(Claim(name: "batch-schedule-rho\(rho)",
                                    statement: "§5 (\(tag)): small batches early and large ones late (\(scheduled.schedule!)) generalise better than the large batch throughout (beyond \(String(format: "%.2g", k)) standard errors, \(l.errorBars))",
                                    measured: String(format: "test accuracy %.2f%% (schedule) vs %.2f%% (batch %d throughout) vs %.2f%% (batch %d throughout): %+.2f ± %.2f points",
                                                     100 * scheduled.testAccuracy.mean, 100 * l.testAccuracy.mean, large,
                                                     100 * (row(rho, small)?.testAccuracy.mean ?? .nan), small, 100 * gap, 100 * se),
                                    reproduced: gap > k * se ? true : (gap < -k * se ? false : nil)))
            }
            if let s = row(rho, small), let l = row(rho, large) {
                let gap = s.testAccuracy.mean - l.testAccuracy.mean
                let se = (s.testAccuracy.standardError * s.testAccuracy.standardError + l.testAccuracy.standardError * l.testAccuracy.standardError).squareRoot()
                let k = criticalValue(s, l)
                claims.append(Claim(name: "generalisation-gap-rho\(rho)",
                                    statement: "Fig \(rho == 0 ? 3 : 4) (\(tag)): at equal iterations the large batch tests worse than the small one (difference beyond \(String(format: "%.2g", k)) standard errors, \(s.errorBars))",
                                    measured: String(format: "test accuracy %.2f%% (batch %d) − %.2f%% (batch %d) = %+.2f ± %.2f points; train %.2f%% vs %.2f%%",
                                                     100 * s.testAccuracy.mean, small, 100 * l.testAccuracy.mean, large, 100 * gap, 100 * se,
                                                     100 * s.trainAccuracy.mean, 100 * l.trainAccuracy.mean),
                                    reproduced: gap > k * se ? true : (gap < -k * se ? false : nil)))
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
        }
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
        return (checks, claims)
    }
}
