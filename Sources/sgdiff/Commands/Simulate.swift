import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulate SGD, SME-1 and SME-2 side by side on shared noise and record E φ along the run.")

        @OptionGroup var problem: ProblemOptions
        @OptionGroup(title: "Learning problem (--model: a finite sum over data, any dimension)") var learning: LearningOptions
        @OptionGroup var common: CommonOptions

        @Option(parsing: .unconditional, help: "Heavy-ball momentum ρ of SGD, in [0, 1) (with --model; its SDEs use η/(1 − ρ)).")
        var momentum: Double = 0

        @Option(name: .customLong("inject"), parsing: .unconditional, help: "Injected Gaussian gradient noise σ of SGD (with --model).")
        var injectedNoise: Double = 0

        @Option(parsing: .unconditional, help: "Learning rate η.")
        var eta: Double = 0.05

        @Option(parsing: .unconditional, help: "SGD iterations.")
        var steps: Int = 200

        @Option(parsing: .unconditional, help: "Record every this many iterations.")
        var every: Int = 10

        @Option(parsing: .unconditional, help: "Paths N (default 10⁵; 256 with --model).")
        var paths: Int?

        @Option(name: .customLong("phi"), help: ArgumentHelp("Test functions φ, comma-separated.", valueName: "φ,..."))
        var phi = ChoiceList<TestFunction>([.x, .square])

        @Option(parsing: .unconditional, help: "r: the SDE step is η/(2r).")
        var substeps: Int = 2

        @Option(help: "SDE solver.")
        var stepper: StepperKind = .weak2

        func validate() throws {
            if let spec = try learning.spec(seed: common.seed, schedules: true) { _ = try makeLearningConfiguration(spec) } else {
                guard momentum == 0, injectedNoise == 0 else { throw ValidationError("--momentum and --inject need --model") }
                _ = try makeConfiguration()
            }
        }

        func makeLearningConfiguration(_ spec: LearningProblemSpec) throws -> LearningSideBySideConfiguration {
            guard problem.isUntouched else {
                throw ValidationError("--problem, --noise, --distribution, --sigma, --amplitudes, --x0 and --param describe a built-in landscape; with --model the problem (and its noise) comes from the data")
            }
            guard phi.values == [.x, .square], stepper == .weak2 else {
                throw ValidationError("--phi and --stepper belong to the built-in landscapes; with --model the observables are the training loss, the test loss and |x − x₀|²")
            }
            var c = LearningSideBySideConfiguration(problem: spec, eta: eta, steps: steps, every: every, paths: paths ?? 256, substeps: substeps,
                                                    momentum: momentum, injectedNoise: injectedNoise, seed: common.seed)
            c.normals = common.normalsSetting
            do { try c.validate() } catch { throw ValidationError("\(error)") }
            return c
        }

        func runLearning(_ c: LearningSideBySideConfiguration) throws {
        // one study per process: each ensemble thread multiplies its own block of paths
        BLASRuntime.threads = 1
            let directory = common.outputDirectory.appendingPathComponent(LearningSideBySide.experiment)
            let mnist = MNISTSource(explicitDirectory: learning.mnistDir, download: false)
            switch try LearningSideBySide.run(c, options: try common.runOptions(experimentDirectory: directory), mnist: mnist) {
            case .complete(let result):
                try LearningSideBySide.write(result, to: directory)
                if common.json {
                    emit(try JSONOutput.string(result))
                } else {
                    var lines = ["\(c.problem.summary): M = \(result.samples), d = \(result.dimension)",
                                 "step     time      observable   E φ(SGD) ± se           E φ(SME-1) ± se         E φ(SME-2) ± se"]
                    let stride = max(1, (c.steps / c.every) / 10) * c.every
                    for p in result.points where p.step % stride == 0 || p.step == c.steps / c.every * c.every {
                        lines.append(tableLine("%-8d %-9.4g %-12@ %.6f ± %.1e    %.6f ± %.1e    %.6f ± %.1e", p.step, p.time, p.observable,
                                            p.sgd.mean, p.sgd.standardError, p.sme1.mean, p.sme1.standardError, p.sme2.mean, p.sme2.standardError))
                    }
                    emit(lines.joined(separator: "\n"))
                }
                note("wrote \(directory.path)/result.json, trajectories.csv and figures", quiet: common.quiet)
                if let failure = LearningSideBySide.divergenceError(result) { throw failure }
            case .partial(let partial):
                try writePartial(partial, directory: directory, json: common.json, quiet: common.quiet)
            }
        }

        func makeConfiguration() throws -> SideBySideConfiguration {
            if let twice = phi.duplicate { throw ValidationError("--phi lists '\(twice.rawValue)' twice") }
            let configuration = SideBySideConfiguration(
                problem: try problem.spec(), testFunctions: phi.values, eta: eta, steps: steps, every: every,
                paths: paths ?? 100_000, substeps: substeps, stepper: stepper, seed: common.seed)
            try configuration.validate()
            return configuration
        }

        func run() throws {
            if let spec = try learning.spec(seed: common.seed, schedules: true) { return try runLearning(makeLearningConfiguration(spec)) }
            var configuration = try makeConfiguration()
            configuration.normals = common.normalsSetting
            try configuration.validate()
            let directory = common.outputDirectory.appendingPathComponent(SideBySide.experiment)
            switch try SideBySide.run(configuration, options: try common.runOptions(experimentDirectory: directory)) {
            case .complete(let result):
                try SideBySide.write(result, to: directory)
                if common.json {
                    emit(try JSONOutput.string(result))
                } else {
                    var lines = ["step   time      φ      E φ(SGD) ± se           E φ(SME-1) ± se         E φ(SME-2) ± se"]
                    for p in result.points where p.step == result.configuration.steps || (p.step.isMultiple(of: every) && (p.step / every).isMultiple(of: 10)) {
                        lines.append(tableLine("%-6d %-9.4g %-6@ %.6f ± %.1e    %.6f ± %.1e    %.6f ± %.1e", p.step, p.time, p.testFunction.rawValue,
                                            p.sgd.mean, p.sgd.standardError, p.sme1.mean, p.sme1.standardError, p.sme2.mean, p.sme2.standardError))
                    }
                    emit(lines.joined(separator: "\n"))
                }
                note("wrote \(directory.path)/result.json, trajectory.csv and figures", quiet: common.quiet)
                try reportDivergence(result)
            case .partial(let partial):
                try writePartial(partial, directory: directory, json: common.json, quiet: common.quiet)
            }
        }
    }
}

/// Diverged paths are left out of the means, so say so even under --json and --quiet; when
/// every path of SGD or of the SDEs diverged there is no mean at all, and the run fails.
func reportDivergence(_ r: SideBySideResult) throws {
    for warning in SideBySide.warnings(r) { warn("warning: \(warning)") }
    if let failure = SideBySide.failure(r) { throw failure }
}
