import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct WeakError: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "weak-error",
            abstract: "Measure |E φ(x_{T/η}) − E φ(X(T))| for SME-1 and SME-2 over a grid of η and fit the weak orders (Theorem 1).")

        @OptionGroup var problem: ProblemOptions
        @OptionGroup(title: "Learning problem (--model: a finite sum over data, any dimension)") var learning: LearningOptions
        @OptionGroup var common: CommonOptions

        @Option(parsing: .unconditional, help: "SVAG levels l ≥ 2 beside SGD (with --model; each must divide 2r).")
        var svag = NumberList([2, 4])

        @Option(name: .customLong("phi"), help: ArgumentHelp("Test functions φ, comma-separated.", valueName: "φ,..."))
        var phi = ChoiceList<TestFunction>([.x])

        @Option(name: [.customShort("T"), .long], parsing: .unconditional, help: "Horizon T (T/η must be a whole number for every η).")
        var horizon: Double = 1

        @Option(parsing: .unconditional, help: ArgumentHelp("Step sizes η, comma-separated, at least two, all different.", valueName: "η,..."))
        var etas = NumberList([0.1, 0.05, 0.025, 0.0125])

        @Option(parsing: .unconditional, help: "Paths N at the smallest η (at least 2; 4 with antithetic pairs); default 10⁶, 1024 with --model.")
        var paths: Int?

        @Option(help: "How N grows as η shrinks: cubic (N (η_min/η)³, keeps the error of e₂ relative) or constant.")
        var pathScaling: WeakErrorConfiguration.PathScaling = .cubic

        @Option(parsing: .unconditional, help: "r: the SDE runs with steps η/(2r) (estimate) and η/r (accuracy check); default 4, 2 with --model.")
        var substeps: Int?

        @Option(name: .customLong("sde-step"), parsing: .unconditional, help: "Largest SDE step h; raises r at each η until η/(2r) <= h.")
        var sdeStep: Double?

        @Option(help: "SDE solver.")
        var stepper: StepperKind = .weak2

        @Flag(help: "Independent paths instead of antithetic pairs.")
        var noAntithetic = false

        func validate() throws {
            if let spec = try learning.spec(seed: common.seed, schedules: true) { _ = try makeLearningConfiguration(spec) } else { _ = try makeConfiguration() }
        }

        func makeLearningConfiguration(_ spec: LearningProblemSpec) throws -> LearningWeakErrorConfiguration {
            guard problem.isUntouched else {
                throw ValidationError("--problem, --noise, --distribution, --sigma, --amplitudes, --x0 and --param describe a built-in landscape; with --model the problem (and its noise) comes from the data")
            }
            guard phi.values == [.x], stepper == .weak2, sdeStep == nil, pathScaling == .cubic, !noAntithetic else {
                throw ValidationError("--phi, --stepper, --sde-step, --path-scaling and --no-antithetic belong to the built-in landscapes; with --model the test functions are the training loss, the test loss and |x − x₀|², solved by Euler–Maruyama with Richardson extrapolation")
            }
            guard svag.values.allSatisfy({ $0 == $0.rounded() && $0 >= 2 && $0 <= 1024 }) else {
                throw ValidationError("--svag takes whole levels 2…1024, got \(svag.defaultValueDescription)")
            }
            var configuration = LearningWeakErrorConfiguration(
                problem: spec, etas: try etas.grid("--etas"), horizon: horizon, paths: paths ?? 1024, substeps: substeps ?? 2,
                svagLevels: try svag.grid("--svag", allowEmpty: true).map { Int($0) }, seed: common.seed)
            configuration.normals = common.normalsSetting
            do { try configuration.validate() } catch { throw ValidationError("\(error)") }
            return configuration
        }

        func makeConfiguration() throws -> WeakErrorConfiguration {
            if let twice = phi.duplicate { throw ValidationError("--phi lists '\(twice.rawValue)' twice") }
            var configuration = WeakErrorConfiguration(
                problem: try problem.spec(), testFunctions: phi.values, horizon: horizon,
                etas: try etas.grid("--etas"), paths: paths ?? 1_000_000, pathScaling: pathScaling, substeps: substeps ?? 4,
                stepper: stepper, seed: common.seed, antithetic: !noAntithetic)
            configuration.maxSDEStep = sdeStep
            configuration.normals = common.normalsSetting
            try configuration.validate()
            return configuration
        }

        func run() throws {
            if let spec = try learning.spec(seed: common.seed, schedules: true) { return try runLearning(makeLearningConfiguration(spec)) }
            let configuration = try makeConfiguration()
            let directory = common.outputDirectory.appendingPathComponent(WeakErrorStudy.experiment)
            switch try WeakErrorStudy.run(configuration, options: try common.runOptions(experimentDirectory: directory)) {
            case .complete(let result):
                try WeakErrorArtifacts.write(result, to: directory)
                if common.json { emit(try JSONOutput.string(result)) } else { emit(summary(result)) }
                note("wrote \(directory.path)/result.json, rows.csv, fits.csv and figures", quiet: common.quiet)
                if let failure = WeakErrorStudy.divergenceError(result) { throw failure }
            case .partial(let partial):
                try writePartial(partial, directory: directory, json: common.json, quiet: common.quiet)
            }
        }
    }
}

extension SGDiff.WeakError {
    func runLearning(_ configuration: LearningWeakErrorConfiguration) throws {
        // one study per process: each ensemble thread multiplies its own block of paths
        BLASRuntime.threads = 1
        let directory = common.outputDirectory.appendingPathComponent(LearningWeakErrorStudy.experiment)
        let mnist = MNISTSource(explicitDirectory: learning.mnistDir, download: false)
        switch try LearningWeakErrorStudy.run(configuration, options: try common.runOptions(experimentDirectory: directory), mnist: mnist) {
        case .complete(let result):
            try LearningWeakErrorArtifacts.write(result, to: directory)
            if common.json { emit(try JSONOutput.string(result)) } else { emit(LearningWeakErrorArtifacts.summary(result)) }
            note("wrote \(directory.path)/result.json, rows.csv, fits.csv and figures", quiet: common.quiet)
            if let failure = LearningWeakErrorStudy.divergenceError(result) { throw failure }
        case .partial(let partial):
            try writePartial(partial, directory: directory, json: common.json, quiet: common.quiet)
        }
    }
}

/// A terminal summary of a weak-error result.
func summary(_ r: WeakErrorResult) -> String {
    var lines = ["weak error of SME-1 and SME-2, problem \(r.configuration.problem.name), T = \(r.configuration.horizon)"]
    for phi in r.configuration.testFunctions {
        lines.append("φ = \(phi.formula)")
        lines.append("  η          paths       e1 ± se                 e2 ± se")
        for row in r.rows where row.testFunction == phi {
            if row.divergedSGD + row.divergedSDE > 0 {
                lines.append(String(format: "  %-10g %-11d undefined: %d SGD and %d SDE paths diverged", row.eta, row.paths, row.divergedSGD, row.divergedSDE))
                continue
            }
            lines.append(String(format: "  %-10g %-11d %.4e ± %.1e    %.4e ± %.1e", row.eta, row.paths, abs(row.error1.mean), row.error1.standardError,
                                abs(row.error2.mean), row.error2.standardError))
        }
        for f in r.fits where f.testFunction == phi {
            if let s = f.slope, let ci = f.interval {
                lines.append(String(format: "  SME-%d: order %.3f, 95%% CI [%.3f, %.3f], theory %.0f: %@", f.approximation, s, ci[0], ci[1], f.theory, f.verdict.rawValue.uppercased()))
            } else {
                lines.append("  SME-\(f.approximation): not enough resolved points: \(f.excluded.joined(separator: "; "))")
            }
        }
    }
    if !r.closedFormChecks.isEmpty {
        let worst = r.closedFormChecks.map { abs($0.z) }.max() ?? 0
        lines.append(String(format: "closed-form check: %d comparisons, max |z| = %.2f", r.closedFormChecks.count, worst))
    }
    lines.append(String(format: "SDE discretisation bias ≤ %.1f%% of the weak errors: %@", 100 * r.sdeBiasRatio, r.sdeAccuracy.rawValue.uppercased()))
    lines.append("verdict: \(r.verdict.rawValue.uppercased())  (\(String(format: "%.1f", r.wallSeconds)) s)")
    return lines.joined(separator: "\n")
}
