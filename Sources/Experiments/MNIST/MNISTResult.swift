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
        let assessment = MNISTAssessment(configuration: c, runs: runs, rows: rows, data: data)
        return (assessment.checks(), c.momenta.flatMap(assessment.sweepClaims) + assessment.anchorClaims() + assessment.warmStartClaims())
    }
}
