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

        @Option(name: .customLong("phi"), help: "Test functions φ, comma-separated: x, x^2, cos, gauss.")
        var phi: String = "x,x^2"

        @Option(parsing: .unconditional, help: "r: the SDE step is η/(2r).")
        var substeps: Int = 2

        @Option(help: "SDE solver: platen-weak2 or euler-maruyama.")
        var stepper: String = "platen-weak2"

        func run() throws {
            guard let kind = StepperKind(rawValue: stepper) else {
                throw ValidationError("unknown --stepper '\(stepper)'; choose one of: \(StepperKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var configuration = SideBySideConfiguration(
                problem: try problem.spec(), testFunctions: try parseTestFunctions(phi), eta: eta, steps: steps, every: every,
                paths: paths, substeps: substeps, stepper: kind, seed: common.seed)
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
                    for p in result.points where p.step == result.configuration.steps || p.step % (10 * every) == 0 {
                        lines.append(String(format: "%-6d %-9.4g %-6@ %.6f ± %.1e    %.6f ± %.1e    %.6f ± %.1e", p.step, p.time, p.testFunction.rawValue,
                                            p.sgd.mean, p.sgd.standardError, p.sme1.mean, p.sme1.standardError, p.sme2.mean, p.sme2.standardError))
                    }
                    if result.divergedSGD + result.divergedSDE > 0 {
                        lines.append("warning: \(result.divergedSGD) SGD and \(result.divergedSDE) SDE paths diverged and are excluded from the means")
                    }
                    emit(lines.joined(separator: "\n"))
                }
                note("wrote \(directory.path)/result.json, trajectory.csv and figures", quiet: common.quiet)
            case .partial(let partial):
                try writePartial(partial, directory: directory, json: common.json, quiet: common.quiet)
            }
        }
    }
}
