import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct NormalDeviationsCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "normal-deviations",
            abstract: "Appendix A: SGD against the gradient flow (A.4), Cov((x^η − Y)/√η) against the Lyapunov ODE (Theorem 5), and the linear-noise weak error.")

        /// The study's own landscapes, used when no problem option is given.
        enum Preset: String, CaseIterable, ExpressibleByArgument {
            /// double-well-2d from (0.3, 1), S = 0.3 diag(1 + ½ sin x, 1 + 0.3 sin y).
            case twoD = "2d"
            /// double-well with tilt 0.1 from 0.3, S = 0.3|x|.
            case oneD = "1d"
        }

        @Option(help: "The study's landscape when no problem option is given: 2d (double-well-2d from (0.3, 1), modulated noise σ = 0.3, a = (0.5, 0.3)) or 1d (double-well, tilt 0.1, from 0.3, multiplicative noise σ = 0.3).")
        var preset: Preset?

        @OptionGroup var problem: ProblemOptions
        @OptionGroup var common: CommonOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("Learning rates η, comma-separated, all different.", valueName: "η,..."))
        var etas = NumberList([0.1, 0.05, 0.025, 0.0125])

        @Option(name: [.customShort("T"), .long], parsing: .unconditional, help: "Horizon T (T/η and T/(times·η) whole for every η).")
        var horizon: Double = 4

        @Option(parsing: .unconditional, help: "Observation times s_j = jT/times, j = 1…times.")
        var times: Int = 8

        @Option(name: .customLong("phi"), help: ArgumentHelp("Test functions φ of the linear-noise weak error, comma-separated.", valueName: "φ,..."))
        var phi = ChoiceList<TestFunction>([.x, .square, .cos])

        @Option(parsing: .unconditional, help: "SGD paths per η.")
        var paths: Int = 1 << 18

        @Option(parsing: .unconditional, help: "Relative tolerance below the theory rates before a fitted rate fails.")
        var tolerance: Double = 0.25

        func validate() throws { _ = try makeConfiguration() }

        func makeConfiguration() throws -> NormalDeviationsConfiguration {
            guard common.shard == nil else { throw ValidationError("--shard: normal-deviations runs whole") }
            if let twice = phi.duplicate { throw ValidationError("--phi lists '\(twice.rawValue)' twice") }
            var configuration: NormalDeviationsConfiguration
            if problem.isUntouched {
                configuration = try (preset ?? .twoD) == .twoD ? .standard2D(seed: common.seed) : .standard1D(seed: common.seed)
            } else {
                guard preset == nil else { throw ValidationError("--preset chooses the landscape; drop it or the problem options (--problem, --noise, --x0, …)") }
                configuration = NormalDeviationsConfiguration(problem: try problem.spec(), seed: common.seed)
            }
            configuration.etas = try etas.grid("--etas")
            (configuration.horizon, configuration.times, configuration.testFunctions) = (horizon, times, phi.values)
            (configuration.paths, configuration.rateTolerance) = (paths, tolerance)
            configuration.normals = common.normalsSetting
            do { try configuration.validate() } catch { throw ValidationError("\(error)") }
            return configuration
        }

        func run() throws {
            let configuration = try makeConfiguration()
            let directory = common.outputDirectory.appendingPathComponent(NormalDeviationsStudy.experiment)
            let result = try NormalDeviationsStudy.run(configuration, options: try common.runOptions(experimentDirectory: directory))
            try NormalDeviationsArtifacts.write(result, to: directory)
            if common.json { emit(try JSONOutput.string(result)) } else { emit(NormalDeviationsArtifacts.summary(result)) }
            note("wrote \(directory.path)/result.json, covariance.csv, rates.csv and figures", quiet: common.quiet)
        }
    }
}
