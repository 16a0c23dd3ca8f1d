import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct Simulate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Simulate SGD, SME-1 and SME-2 side by side on shared noise and record E φ along the run.")

        @OptionGroup var problem: ProblemOptions
        @OptionGroup var common: CommonOptions

        @Option(parsing: .unconditional, help: "Learning rate η.")
        var eta: Double = 0.05

        @Option(parsing: .unconditional, help: "SGD iterations.")
        var steps: Int = 200

        @Option(parsing: .unconditional, help: "Record every this many iterations.")
        var every: Int = 10

        @Option(parsing: .unconditional, help: "Paths N.")
        var paths: Int = 100_000

        @Option(name: .customLong("phi"), help: ArgumentHelp("Test functions φ, comma-separated.", valueName: "φ,..."))
        var phi = ChoiceList<TestFunction>([.x, .square])

        @Option(parsing: .unconditional, help: "r: the SDE step is η/(2r).")
        var substeps: Int = 2

        @Option(help: "SDE solver.")
        var stepper: StepperKind = .weak2

        func validate() throws { _ = try makeConfiguration() }

        func makeConfiguration() throws -> SideBySideConfiguration {
            if let twice = phi.duplicate { throw ValidationError("--phi lists '\(twice.rawValue)' twice") }
            let configuration = SideBySideConfiguration(
                problem: try problem.spec(), testFunctions: phi.values, eta: eta, steps: steps, every: every,
                paths: paths, substeps: substeps, stepper: stepper, seed: common.seed)
            try configuration.validate()
            return configuration
        }

        func run() throws {
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
                        lines.append(String(format: "%-6d %-9.4g %-6@ %.6f ± %.1e    %.6f ± %.1e    %.6f ± %.1e", p.step, p.time, p.testFunction.rawValue,
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
