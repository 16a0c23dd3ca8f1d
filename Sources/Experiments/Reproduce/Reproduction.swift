import Ensembles
import Foundation
import Numerics
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

    /// A section that should have run but could not (§6 without MNIST), with the fix.
    public struct NotRun: Sendable, Codable {
        public var name: String
        public var title: String
        public var reason: String
        public var fix: String
    }

    /// The exit status of `sgdiff reproduce` and `scripts/reproduce`; the first that applies wins.
    /// (1 is an error that stopped the run, 64 a usage error: the argument parser's codes.)
    public enum Outcome: String, Sendable, Codable {
        /// Every section ran and passed.
        case pass
        /// Some verdict is fail.
        case fail
        /// No verdict failed, but some section could not run (see `notRun`).
        case incomplete
        /// Everything ran, nothing failed, some verdict is inconclusive.
        case inconclusive

        public var exitStatus: Int32 {
            switch self {
            case .pass: 0
            case .fail: 2
            case .incomplete: 3
            case .inconclusive: 4
            }
        }
    }

    public struct Summary: Sendable, Codable {
        public var schema = "sgdiff.reproduce/1"
        public var fidelity: Fidelity
        public var software: SoftwareInfo
        public var sections: [SectionSummary]
        public var notRun: [NotRun]
        public var report: String
        /// Over the sections that ran.
        public var verdict: Verdict
        public var outcome: Outcome
    }

    /// Section names in the order they run, for `--only`.
    public static let sectionNames = ["weak-error-quadratic", "weak-error-double-well", "weak-error-logistic-synthetic", "weak-error-logistic-mnist",
                                      "escape-saddle-gamma1", "escape-saddle-gamma2",
                                      "escape-saddle-state-dependent", "escape-maximum", "escape-minimum-double-well",
                                      "escape-minimum-state-dependent", "batch-size", BatchScheduleReproduction.name, "anneal", NormalDeviationsReproduction.name, MomentumReproduction.name, MNISTStudy.experiment]
    static let mnistTitle = "§6: the F1 network on MNIST — batch size, diffusion, noise scale and sharpness"

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

    /// Theorem 1 on logistic regression in d = 101 (synthetic data, M = 500, batch 16).
    public static func weakErrorLogisticSynthetic(_ fidelity: Fidelity, seed: UInt64) -> LearningWeakErrorConfiguration {
        LearningWeakErrorConfiguration(
            problem: LearningProblemSpec(source: .synthetic(samples: 500, features: 100, testSamples: 2000, seed: seed), model: .logistic, batch: 16),
            etas: fidelity == .quick ? [0.5, 0.25, 0.125] : [0.5, 0.25, 0.125, 0.0625], horizon: 1, paths: fidelity == .quick ? 4096 : 32_768,
            substeps: 2, svagLevels: [2, 4], seed: seed)
    }

    /// Theorem 1 on real data: logistic regression of MNIST 5 against 3 (d = 785) on the 3s and
    /// 5s among the first 4000 training images.
    public static func weakErrorLogisticMNIST(_ fidelity: Fidelity, seed: UInt64) -> LearningWeakErrorConfiguration {
        LearningWeakErrorConfiguration(
            problem: LearningProblemSpec(source: .mnist(directory: nil, digits: [3, 5], trainSubset: 4000), model: .logistic, batch: 16),
            etas: [0.5, 0.25, 0.125], horizon: 1, paths: fidelity == .quick ? 1024 : 8192, substeps: 2, svagLevels: [2, 4], seed: seed)
    }

    static let learningIntro = "The paper's SDE is about finite sums: F(x) = (1/M) Σ f<sub>i</sub>(x) with mini-batches of m drawn without replacement, whose gradient noise has covariance Σ = (1/m − 1/M) Σ₀(x) (Proposition 1). Here f<sub>i</sub> is the logistic loss of sample i and SME-1/SME-2 are simulated exactly in law in any dimension: Σ<sub>i</sub> (z<sub>i</sub> − z̄) ∇f<sub>i</sub>(x) with z ~ N(0, I<sub>M</sub>) is a sample of N(0, (M − 1) Σ₀(x)), so one weighted full-data gradient per step replaces the d × d square root. SVAG (Li, Malladi &amp; Arora 2021) with l = 2, 4 converges to the same SDE at rate 1/l. Test functions: the training loss, the test loss, and |x − x₀|²."

    /// Theorem 3 on two saddles with different γ₁, one with state-dependent noise, and a maximum.
    public static func saddleStudies(_ fidelity: Fidelity, seed: UInt64) throws -> [(String, String, EscapeSaddleConfiguration, String)] {
        let quick = fidelity == .quick
        let paths = quick ? 4000 : 40_000, sgdPaths = quick ? 1000 : 4000
        let sgdEtas = quick ? [1e-2, 1e-3, 1e-4] : [1e-2, 1e-3, 1e-4, 1e-5]
        func config(_ spec: ProblemSpec, radius: Double = 1, off: Double = 0.3) -> EscapeSaddleConfiguration {
            EscapeSaddleConfiguration(problem: spec, radius: radius, offManifoldDistance: off, sgdEtas: sgdEtas, paths: paths, sgdPaths: sgdPaths, seed: seed)
        }
        return [
            ("escape-saddle-gamma1", "Theorem 3: escape from a saddle with γ₁ = 1", config(try ProblemSpec(name: "saddle")),
             "F(x, y) = (−x² + y²)/2 with isotropic noise σ = 1, D the unit ball around the saddle. Theorem 3: E T / log(1/η) → 1/(2γ₁) from the saddle (on its stable manifold {x = 0}); from any point off it, E T → θ(x₀), the gradient flow's exit time. For this linear saddle the full small-η law, constant included, is E T = log(1/η)/(2γ₁) + [log(R√(2γ₁)/σ) + (γ_E + log 2)/2]/γ₁ (derived in EscapeTheory.swift), shown as the theory column."),
            ("escape-saddle-gamma2", "Theorem 3: a steeper saddle, γ₁ = 2", config(try ProblemSpec(name: "saddle", parameters: ["gamma1": 2, "lambda": 0.5])),
             "F(x, y) = (−2x² + 0.5y²)/2: doubling γ₁ halves the slope of E T against log(1/η)."),
            ("escape-saddle-state-dependent", "Theorem 3 with state-dependent noise: the double well's saddle",
             config(try ProblemSpec(name: "double-well-2d"), radius: 0.5, off: 0.2),
             "F(x, y) = (x² − 1)²/4 + y²/2 with S(x) = diag(1 + ½ sin x, 1): a nonlinear landscape with multiplicative noise; D the ball of radius ½ (radius 1 would put the minima (±1, 0) on ∂D, where the gradient flow never arrives)."),
            ("escape-maximum", "Theorem 3 at a local maximum", config(try ProblemSpec(name: "maximum")),
             "F(x, y) = −(x² + 0.5y²)/2: every direction is unstable; E T / log(1/η) → 1/(2γ₁) with γ₁ = 1 from the maximum and E T → θ(x₀) from every other point (the remark after Theorem 3)."),
        ]
    }

    /// Theorem 2 on the 1-D double well (closed-form quasi-potential, Kramers) and on the 2-D
    /// double well with state-dependent noise (minimum action, 2-D PDE).
    public static func minimumStudies(_ fidelity: Fidelity, seed: UInt64) throws -> [(String, String, EscapeMinimumConfiguration, String)] {
        let quick = fidelity == .quick
        let oneD = EscapeMinimumConfiguration(
            problem: try ProblemSpec(name: "double-well"), domainLower: [-2], domainUpper: [0],
            etas: [0.25, 0.2, 0.15, 0.1, 0.08], sgdEtas: [0.25, 0.2, 0.15], paths: quick ? 1000 : 8000, sgdPaths: quick ? 500 : 4000,
            splittingEtas: quick ? [0.06, 0.05, 0.04, 0.035] : [0.06, 0.05, 0.04, 0.035, 0.03, 0.025],
            splittingRuns: quick ? 40 : 200, replicas: 100, cycles: quick ? 2000 : 10000, bridgeEta: 0.15,
            bridgePaths: quick ? 10_000 : 40_000, seed: seed)
        let twoD = EscapeMinimumConfiguration(
            problem: try ProblemSpec(name: "double-well-2d"), domainLower: [-1.5, -1.2], domainUpper: [0, 1.2],
            etas: [0.25, 0.2, 0.15], paths: quick ? 500 : 4000, splittingEtas: quick ? [0.1, 0.075, 0.06, 0.05] : [0.1, 0.09, 0.075, 0.065, 0.06, 0.05, 0.045],
            splittingRuns: quick ? 100 : 400, replicas: 100, cycles: quick ? 2000 : 10000, seed: seed)
        return [
            ("escape-minimum-double-well", "Theorem 2: escape from a minimum, 1-D double well", oneD,
             "F(x) = x⁴/4 − x²/2 with isotropic noise, from the minimum x* = −1 out of D = (−2, 0), whose right end is the barrier top. For a gradient system with S = σI the quasi-potential is V(z) = 2(F(z) − F(x*))/σ², so V̄_D = 2ΔF/σ² = 1/2. Measured: E T by direct Monte Carlo at large η, by adaptive multilevel splitting at small η, the exact mean exit time from the PDE (4.6) and from the double-integral formula, Lemma 1, and Eyring–Kramers with its prefactor."),
            ("escape-minimum-state-dependent", "Theorem 2 with state-dependent noise: 2-D double well", twoD,
             "F(x, y) = (x² − 1)²/4 + y²/2 with S(x) = diag(1 + ½ sin x, 1), from (−1, 0) out of (−1.5, 0) × (−1.2, 1.2). The noise is weaker on the way up (sin x < 0), so V̄ exceeds the isotropic 1/2; the geometric minimum action method, started from a bowed path, finds it, and the 1-D integral along y = 0 (the path by symmetry) checks it. The 2-D PDE is solved on a grid chosen from the cell Péclet number."),
        ]
    }

    /// Proposition 2 on the tilted double well. Quick: a coarser Fokker–Planck grid and steps (the
    /// fitted exponents move by < 1e-3) and 1024 paths to s = 1000; paper: 8192 paths to s = 1e4.
    public static func annealing(_ fidelity: Fidelity, seed: UInt64) throws -> AnnealingConfiguration {
        var c = try AnnealingConfiguration.standard(seed: seed)
        if fidelity == .quick {
            (c.paths, c.monteCarloHorizon, c.gridPoints, c.timeRatio, c.fokkerPlanckHorizon) = (1024, 1000, 1000, 0.02, 1e30)
        } else {
            (c.paths, c.monteCarloHorizon) = (8192, 10_000)
        }
        return c
    }
    public static func batchSize(_ fidelity: Fidelity, seed: UInt64) -> BatchSizeConfiguration {
        var c = BatchSizeConfiguration.standard(seed: seed)
        if fidelity == .quick {
            (c.sdePaths, c.sgdPaths, c.horizonPaths, c.splittingRuns) = (512, 512, 1024, 4)
            (c.choicePaths, c.choiceSDEPaths) = (1024, 256)
        } else {
            c.batches = [1, 2, 3, 4, 5, 6, 8, 10, 12, 16]
            (c.sdePaths, c.sgdPaths, c.horizonPaths, c.splittingRuns) = (4096, 4096, 8192, 16)
            (c.choicePaths, c.choiceSDEPaths) = (8192, 2048)
        }
        return c
    }
    static let batchSizeTitle = "§5: batch size as temperature — escape from a sharp and a flat minimum against m"
    static let batchSizeIntro = "A 1-D finite sum from data (Welsch regression on two regimes of samples, M = 4096): a sharp minimum (F″ ≈ 1.8) and a flat one (F″ ≈ 0.23) of almost the same depth. Mini-batch noise is what the data give at each point, Σ₀(x) from the per-sample gradients exactly, about 8× larger at the sharp minimum. Theory: with c = 1/m − 1/M the SDE's exit exponent is V₀/(ηc), V₀ = 2∫F′/Σ₀ (quasi-potential, checked by minimum action), so log E T is linear in mM/(M − m); the exact E T by quadrature; the Kramers law with state-dependent noise. Measured: the SDE (direct, or adaptive multilevel splitting up to E T ≈ 10¹⁵) and SGD itself on the data. Beyond the paper: SGD's own exponent is W₀/(ηc), W₀ the quasi-potential of the random walk (the cumulant generating function of the per-sample gradients, not its quadratic approximation), which the diffusion approximation misses by 20% at the sharp minimum. Basin choice: from the sharp minimum, P(in the flat basin at time S) over η × m, SGD and the SDE against the SDE's exact law at S (the Fokker–Planck equation on the scan, reflecting ends) and its stationary limit."
    static let annealingTitle = "Proposition 2: annealing with noise √(γ/log(2+s)), the threshold γ = 2d*"
    static let annealingIntro = "dX = −F′(X) ds + √(γ/log(2+s)) dB on the tilted double well F = x⁴/4 − x²/2 + 0.1x, from the non-global minimum (the trap). The paper's Proposition 2 says only that some γ₀ exists; Hajek (1988) and Hwang–Sheu give the sharp condition: P(X(s) ∈ A^ε) → 1 iff γ/2 ≥ d*, d* the depth of the trap (barrier minus minimum), since in Hajek's form √(2T) dB the temperature is T = (γ/2)/log(2+s). The rate argument: the escape rate at time s is ≈ κ e^{−2d*/ε(s)} = κ (2+s)^{−2d*/γ}, whose integral diverges iff γ ≥ 2d*, so the exponent α of s·h(s) ∝ s^α crosses 0 at γ = 2d*. Measured: Monte Carlo paths to moderate s, and the Fokker–Planck equation solved to very large s with implicit steps that grow with s (dt = q s) and a subtraction-free tridiagonal solve."

    /// - Parameters:
    ///   - mnist: where the MNIST files are (nil: leave §6 out, as asked); see `MNISTSource`.
    ///   - only: the sections to run (nil: all); names from `sectionNames`.
    public static func run(fidelity: Fidelity, output: URL, options base: RunOptions, seed: UInt64, mnist: MNISTSource? = nil,
                           only: Set<String>? = nil, log: (String) -> Void = { _ in }) throws -> Summary {
        func wanted(_ name: String) -> Bool { only?.contains(name) ?? true }
        let mnistConfiguration: MNISTConfiguration = fidelity == .quick ? .quick(seed: seed) : .paper(seed: seed)
        // data first: without it §6 is marked not run and the rest goes ahead; only an explicit
        // --mnist-dir that holds no data stops here, before any work
        let mnistData = wanted(MNISTStudy.experiment) ? try mnist.map { try $0.resolve(trainExamples: mnistConfiguration.trainSubset, log: log) } : nil
        var report = HTMLReport(title: "On the diffusion approximation of nonconvex SGD — reproduced",
                                subtitle: "sgd-diffusion \(SoftwareInfo.currentVersion), fidelity \(fidelity.rawValue), seed \(seed), \(ISO8601DateFormatter().string(from: Date()))")
        var sections: [SectionSummary] = []
        var notRun: [NotRun] = []

        let weakStudies: [(String, String, WeakErrorConfiguration, String)] = [
            ("weak-error-quadratic", "Theorem 1: weak orders on the quadratic with multiplicative noise", try weakErrorQuadratic(fidelity, seed: seed),
             "f(x; g) = ½(1 + g)x² with g ~ N(0, 1), so ∇f = (1 + g)x and Σ(x) = x². SGD is x<sub>k+1</sub> = (1 − η − ηg<sub>k</sub>)x<sub>k</sub>; its moments and those of SME-1 (dX = −X ds + √η |X| dB) and SME-2 (drift −(1 + η/2)X) are known in closed form, so this study checks the Monte Carlo machinery against exact numbers as well as Theorem 1's orders: e₁(η) = O(η), e₂(η) = O(η²)."),
            ("weak-error-double-well", "Theorem 1: weak orders on a nonconvex double well with non-Gaussian noise", try weakErrorDoubleWell(fidelity, seed: seed),
             "F(x) = x⁴/4 − x²/2 from x₀ = 0.5 near the barrier, with gradient noise ±1 (Rademacher): ∇f(x; ζ) = x³ − x + ζ. Theorem 1 asserts that SME-2 (drift −F′ − (η/2)F″F′, diffusion √η) approximates SGD with weak order 2 and SME-1 with order 1, for any noise law with bounded derivatives; nothing here is Gaussian on the SGD side. SGD shares its randomness with both SDEs through ζ = sign(ξ)."),
        ]
        // Every section: its own folder (also its checkpoint folder), timing, log lines, a report
        // section and a summary row. Reproduce runs unsharded, so a partial result cannot happen.
        func runSection(_ name: String, _ title: String, _ body: (URL, RunOptions) throws -> (Verdict, HTMLReport.Section)) throws {
            guard wanted(name) else { return }
            let directory = output.appendingPathComponent(name)
            var options = base
            options.checkpointDirectory = directory
            let started = Date()
            log("[\(name)] running (\(fidelity.rawValue))")
            let (verdict, section) = try body(directory, options)
            report.sections.append(section)
            sections.append(SectionSummary(name: name, title: title, verdict: verdict, directory: directory.path, seconds: Date().timeIntervalSince(started)))
            log("[\(name)] \(verdict.rawValue)")
        }
        func complete<R>(_ outcome: StudyOutcome<R>) throws -> R {
            guard case .complete(let result) = outcome else { throw ValidationFailure("reproduce does not support --shard; shard the individual experiments instead") }
            return result
        }

        for (name, title, configuration, intro) in weakStudies {
            try runSection(name, title) { directory, options in
                let result = try complete(WeakErrorStudy.run(configuration, options: options))
                try WeakErrorArtifacts.write(result, to: directory)
                return (result.verdict, WeakErrorArtifacts.section(result, title: title, intro: intro))
            }
        }
        // the learning sections' threads each multiply their own blocks (see LearningWeakErrorStudy)
        let blasThreads = BLASRuntime.threads
        BLASRuntime.threads = 1
        defer { BLASRuntime.threads = blasThreads }
        let synthetic = "weak-error-logistic-synthetic", syntheticTitle = "Theorem 1 on a learning problem: logistic regression in d = 101"
        try runSection(synthetic, syntheticTitle) { directory, options in
            let result = try complete(LearningWeakErrorStudy.run(weakErrorLogisticSynthetic(fidelity, seed: seed), options: options))
            try LearningWeakErrorArtifacts.write(result, to: directory)
            return (result.verdict, LearningWeakErrorArtifacts.section(result, title: syntheticTitle, intro: learningIntro))
        }
        let real = "weak-error-logistic-mnist", realTitle = "Theorem 1 on real data: logistic regression of MNIST 5 against 3, d = 785"
        if wanted(real) {
            if let source = mnist, case .available = try source.resolve(trainExamples: 4000, log: { _ in }) {
                try runSection(real, realTitle) { directory, options in
                    let result = try complete(LearningWeakErrorStudy.run(weakErrorLogisticMNIST(fidelity, seed: seed), options: options, mnist: source))
                    try LearningWeakErrorArtifacts.write(result, to: directory)
                    return (result.verdict, LearningWeakErrorArtifacts.section(result, title: realTitle, intro: learningIntro
                        + " The images are the usual normalised pixels scaled by 1/28 (= 1/√784), so that ∇²F is of order one and these η are stable."))
                }
            } else {
                let missing = NotRun(name: real, title: realTitle, reason: "MNIST is not available", fix: MNISTSource.fix)
                notRun.append(missing)
                report.sections.append(notRunSection(missing))
                log("[\(real)] not run: MNIST is not available")
            }
        }
        BLASRuntime.threads = blasThreads
        for (name, title, configuration, intro) in try saddleStudies(fidelity, seed: seed) {
            try runSection(name, title) { directory, options in
                let result = try complete(EscapeSaddle.run(configuration, options: options))
                try EscapeArtifacts.write(result, to: directory)
                return (result.verdict, EscapeArtifacts.section(result, title: title, intro: intro))
            }
        }
        for (name, title, configuration, intro) in try minimumStudies(fidelity, seed: seed) {
            try runSection(name, title) { directory, options in
                let result = try complete(EscapeMinimum.run(configuration, options: options))
                try EscapeArtifacts.write(result, to: directory)
                return (result.verdict, EscapeArtifacts.section(result, title: title, intro: intro))
            }
        }
        try runSection("batch-size", batchSizeTitle) { directory, options in
            let result = try BatchSizeStudy.run(batchSize(fidelity, seed: seed), options: options)
            try BatchSizeArtifacts.write(result, to: directory)
            return (result.verdict, BatchSizeArtifacts.section(result, title: batchSizeTitle, intro: batchSizeIntro))
        }
        try runSection(BatchScheduleReproduction.name, BatchScheduleReproduction.title) { directory, options in
            try BatchScheduleReproduction.run(fidelity, seed: seed, directory: directory, options: options)
        }
        try runSection("anneal", annealingTitle) { directory, options in
            let result = try AnnealingStudy.run(try annealing(fidelity, seed: seed), options: options)
            try AnnealingArtifacts.write(result, to: directory)
            return (result.verdict, AnnealingArtifacts.section(result, title: annealingTitle, intro: annealingIntro))
        }
        try runSection(NormalDeviationsReproduction.name, NormalDeviationsReproduction.title) { directory, options in
            try NormalDeviationsReproduction.run(fidelity, seed: seed, directory: directory, options: options)
        }
        try runSection(MomentumReproduction.name, MomentumReproduction.title) { directory, options in
            try MomentumReproduction.run(fidelity, seed: seed, directory: directory, options: options)
        }
        switch mnistData {
        case .available(let data, let location):
            if let kernelNote = BLASRuntime.kernelNote { log(kernelNote) }
            try runSection(MNISTStudy.experiment, mnistTitle) { directory, options in
                let result = try MNISTStudy.run(mnistConfiguration, data: data, dataDirectory: location.path, directory: directory, options: options, log: log)
                try MNISTArtifacts.write(result, to: directory)
                return (result.verdict, MNISTArtifacts.section(result, title: mnistTitle))
            }
        case .unavailable(let reason, let fix):
            let missing = NotRun(name: MNISTStudy.experiment, title: mnistTitle, reason: reason, fix: fix)
            notRun.append(missing)
            report.sections.append(notRunSection(missing))
            log("[\(MNISTStudy.experiment)] not run: \(reason)")
        case nil:
            break
        }

        let reportURL = output.appendingPathComponent("report.html")
        try AtomicFile.write(report.html, to: reportURL)
        let verdicts = sections.map(\.verdict)
        let verdict: Verdict = verdicts.contains(.fail) ? .fail : (verdicts.allSatisfy { $0 == .pass } ? .pass : .inconclusive)
        let outcome: Outcome = verdict == .fail ? .fail : !notRun.isEmpty ? .incomplete : verdict == .inconclusive ? .inconclusive : .pass
        let summary = Summary(fidelity: fidelity, software: .current(threads: base.threads), sections: sections, notRun: notRun,
                              report: reportURL.path, verdict: verdict, outcome: outcome)
        try AtomicFile.write(try JSONOutput.encode(summary), to: output.appendingPathComponent("summary.json"))
        return summary
    }

    static func notRunSection(_ missing: NotRun) -> HTMLReport.Section {
        HTMLReport.Section(title: missing.title, blocks: [
            .verdict(label: missing.name, outcome: "not-run", detail: missing.reason),
            .paragraph("To run it: " + HTMLReport.escape(missing.fix) + "."),
        ])
    }

    /// The last line of `reproduce`: the outcome, and for a section not run, what to do.
    public static func closingLine(_ summary: Summary) -> String {
        let ran = summary.sections.count
        let counts = [Verdict.pass, .inconclusive, .fail].compactMap { v -> String? in
            let n = summary.sections.filter { $0.verdict == v }.count
            return n > 0 ? "\(n) \(v.rawValue.uppercased())" : nil
        }.joined(separator: ", ")
        var line = "overall: \(summary.outcome.rawValue.uppercased()) (exit \(summary.outcome.exitStatus)): \(ran) section\(ran == 1 ? "" : "s") ran" + (counts.isEmpty ? "" : " (\(counts))")
        for missing in summary.notRun { line += "; NOT RUN: \(missing.name), \(missing.fix)" }
        return line
    }
}

/// A configuration error raised by library code.
public struct ValidationFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
