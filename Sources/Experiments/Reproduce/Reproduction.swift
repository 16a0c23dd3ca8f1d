import Ensembles
import Foundation
import Report

/// `sgdiff reproduce`: every study of the paper at one fidelity, written as result files and one
/// self-contained HTML report with theory, measurement and verdict side by side.
public enum Reproduction {
    public enum Fidelity: String, Sendable, Codable, CaseIterable {
        /// About a minute on two cores: the same studies with fewer paths and shorter grids.
        case quick
        /// The resolution quoted in the report and README.
        case paper
    }

    public struct SectionSummary: Sendable, Codable {
        public var name: String
        public var title: String
        public var verdict: Verdict
        public var directory: String
        public var seconds: Double
    }

    public struct Summary: Sendable, Codable {
        public var schema = "sgdiff.reproduce/1"
        public var fidelity: Fidelity
        public var software: SoftwareInfo
        public var sections: [SectionSummary]
        public var report: String
        public var verdict: Verdict
    }

    /// The weak-error study on the quadratic with multiplicative noise (closed forms known).
    public static func weakErrorQuadratic(_ fidelity: Fidelity, seed: UInt64) throws -> WeakErrorConfiguration {
        WeakErrorConfiguration(problem: try ProblemSpec(name: "quadratic", noise: NoiseSpec(kind: .multiplicative, distribution: .gaussian, scale: 1)),
                               testFunctions: [.square, .x], horizon: 1,
                               etas: fidelity == .quick ? [0.1, 0.05, 0.025, 0.0125] : [0.1, 0.05, 0.025, 0.0125, 0.00625],
                               paths: fidelity == .quick ? 1_000_000 : 16_000_000, substeps: 4, seed: seed)
    }

    /// The weak-error study on the double well with Rademacher gradient noise.
    public static func weakErrorDoubleWell(_ fidelity: Fidelity, seed: UInt64) throws -> WeakErrorConfiguration {
        WeakErrorConfiguration(problem: try ProblemSpec(name: "double-well", noise: NoiseSpec(kind: .additive, distribution: .rademacher, scale: 1),
                                                        initial: [0.5]),
                               testFunctions: [.x], horizon: 1,
                               etas: fidelity == .quick ? [0.1, 0.05, 0.025, 0.0125] : [0.1, 0.05, 0.025, 0.0125, 0.00625],
                               paths: fidelity == .quick ? 4_000_000 : 64_000_000, substeps: 4, seed: seed)
    }

    public static func run(fidelity: Fidelity, output: URL, options base: RunOptions, seed: UInt64,
                           log: (String) -> Void = { _ in }) throws -> Summary {
        var report = HTMLReport(title: "On the diffusion approximation of nonconvex SGD — reproduced",
                                subtitle: "sgd-diffusion \(SoftwareInfo.currentVersion), fidelity \(fidelity.rawValue), seed \(seed), \(ISO8601DateFormatter().string(from: Date()))")
        var sections: [SectionSummary] = []

        let weakStudies: [(String, String, WeakErrorConfiguration, String)] = [
            ("weak-error-quadratic", "Theorem 1: weak orders on the quadratic with multiplicative noise", try weakErrorQuadratic(fidelity, seed: seed),
             "f(x; g) = ½(1 + g)x² with g ~ N(0, 1), so ∇f = (1 + g)x and Σ(x) = x². SGD is x<sub>k+1</sub> = (1 − η − ηg<sub>k</sub>)x<sub>k</sub>; its moments and those of SME-1 (dX = −X ds + √η |X| dB) and SME-2 (drift −(1 + η/2)X) are known in closed form, so this study checks the Monte Carlo machinery against exact numbers as well as Theorem 1's orders: e₁(η) = O(η), e₂(η) = O(η²)."),
            ("weak-error-double-well", "Theorem 1: weak orders on a nonconvex double well with non-Gaussian noise", try weakErrorDoubleWell(fidelity, seed: seed),
             "F(x) = x⁴/4 − x²/2 from x₀ = 0.5 near the barrier, with gradient noise ±1 (Rademacher): ∇f(x; ζ) = x³ − x + ζ. Theorem 1 asserts that SME-2 (drift −F′ − (η/2)F″F′, diffusion √η) approximates SGD with weak order 2 and SME-1 with order 1, for any noise law with bounded derivatives; nothing here is Gaussian on the SGD side. SGD shares its randomness with both SDEs through ζ = sign(ξ)."),
        ]
        for (name, title, configuration, intro) in weakStudies {
            let directory = output.appendingPathComponent(name)
            var options = base
            options.checkpointDirectory = directory
            let started = Date()
            log("[\(name)] running (\(fidelity.rawValue))")
            guard case .complete(let result) = try WeakErrorStudy.run(configuration, options: options) else {
                throw ValidationFailure("reproduce does not support --shard; shard the individual experiments instead")
            }
            try WeakErrorArtifacts.write(result, to: directory)
            report.sections.append(WeakErrorArtifacts.section(result, title: title, intro: intro))
            sections.append(SectionSummary(name: name, title: title, verdict: result.verdict, directory: directory.path,
                                           seconds: Date().timeIntervalSince(started)))
            log("[\(name)] \(result.verdict.rawValue)")
        }

        let reportURL = output.appendingPathComponent("report.html")
        try AtomicFile.write(report.html, to: reportURL)
        let verdicts = sections.map(\.verdict)
        let verdict: Verdict = verdicts.contains(.fail) ? .fail : (verdicts.allSatisfy { $0 == .pass } ? .pass : .inconclusive)
        let summary = Summary(fidelity: fidelity, software: .current(threads: base.threads), sections: sections,
                              report: reportURL.path, verdict: verdict)
        try AtomicFile.write(try JSONOutput.encode(summary), to: output.appendingPathComponent("summary.json"))
        return summary
    }
}

/// A configuration error raised by library code.
public struct ValidationFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
