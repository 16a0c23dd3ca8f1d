import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct MomentumCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "momentum",
            abstract: "Heavy-ball SGD against plain SGD at the matched step η/(1 − β), with its underdamped SDE: escape from a saddle and from a double-well minimum, against exact linear laws and Kramers' inertial factor.",
            discussion: "Saddle: F = (−γ₁x² + λy²)/2 (the built-in 'saddle'), S = σI, from the origin out of the ball of radius R, for each η of --saddle-etas and β of 0 and --betas. Minimum: the double well x⁴/4 − x²/2, S = σI, from x = −1 until x ≥ --target, for each η_eff of --minimum-etas (heavy ball at η = η_eff(1 − β)). Times are effective times τ = kη/(1 − β).")

        @Option(parsing: .unconditional, help: ArgumentHelp("Momenta β (0 < β < 1, comma-separated); β = 0, plain SGD, always runs.", valueName: "β,..."))
        var betas = NumberList([0.5, 0.9])

        @Option(name: .customLong("saddle-etas"), parsing: .unconditional, help: ArgumentHelp("Heavy-ball steps η at the saddle (none, or at least two).", valueName: "η,..."))
        var saddleEtas = NumberList([1e-2, 3e-3, 1e-3, 3e-4])

        @Option(name: .customLong("minimum-etas"), parsing: .unconditional, help: ArgumentHelp("Effective steps η_eff at the minimum (may be empty).", valueName: "η,..."))
        var minimumEtas = NumberList([0.25, 0.2, 0.15])

        @Option(parsing: .unconditional, help: "γ₁, the saddle's unstable curvature.")
        var gamma1: Double = 1

        @Option(parsing: .unconditional, help: "λ, the saddle's stable curvature.")
        var lambda: Double = 1

        @Option(parsing: .unconditional, help: "Radius R of the ball around the saddle.")
        var radius: Double = 1

        @Option(parsing: .unconditional, help: "Noise σ (S = σI) at the saddle and the minimum.")
        var sigma: Double = 1

        @Option(parsing: .unconditional, help: "Where the minimum's paths stop: the first time x ≥ target.")
        var target: Double = 1

        @Option(parsing: .unconditional, help: "Monte Carlo paths per ensemble at the saddle.")
        var saddlePaths: Int = 2000

        @Option(parsing: .unconditional, help: "Monte Carlo paths per ensemble at the minimum.")
        var minimumPaths: Int = 2000

        @Option(name: .customLong("step-fraction"), parsing: .unconditional, help: "SDE step h as a fraction of the velocity relaxation time η(1 + β)/(2(1 − β)).")
        var stepFraction: Double = 0.2

        @Option(name: .customLong("max-time"), parsing: .unconditional, help: "Censoring limit in effective time τ.")
        var maxTime: Double = 1e5

        @OptionGroup var common: CommonOptions

        func validate() throws { _ = try makeConfiguration() }

        func makeConfiguration() throws -> MomentumConfiguration {
            guard common.shard == nil else { throw ValidationError("--shard: momentum runs whole") }
            var c = MomentumConfiguration(gamma1: gamma1, lambda: lambda, radius: radius, sigma: sigma,
                                          saddleEtas: try saddleEtas.grid("--saddle-etas", allowEmpty: true),
                                          minimumEtas: try minimumEtas.grid("--minimum-etas", allowEmpty: true), betas: try betas.grid("--betas"),
                                          target: target, saddlePaths: saddlePaths, minimumPaths: minimumPaths, stepFraction: stepFraction,
                                          maxTime: maxTime, seed: common.seed)
            c.normals = common.normalsSetting
            do { try c.validate() } catch { throw ValidationError("\(error)") }
            return c
        }

        func run() throws {
            let configuration = try makeConfiguration()
            let directory = common.outputDirectory.appendingPathComponent(MomentumStudy.experiment)
            let result = try MomentumStudy.run(configuration, options: try common.runOptions(experimentDirectory: directory))
            try MomentumArtifacts.write(result, to: directory)
            if common.json { emit(try JSONOutput.string(result)) } else { emit(MomentumArtifacts.summary(result)) }
            note("wrote \(directory.path)/result.json, saddle.csv, minimum.csv, slopes.csv and figures", quiet: common.quiet)
        }
    }
}
