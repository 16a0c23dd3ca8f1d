import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct AnnealCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "anneal",
            abstract: "Proposition 2: P(X(s) ∈ A^ε) for dX = −∇F ds + √(γ/log(2+s)) dB against s, around the sharp threshold γ = 2d*.")

        @Option(help: ArgumentHelp("A 1-D built-in landscape (see `sgdiff problems`).", valueName: "name"))
        var problem: String = "double-well"

        @Option(parsing: .unconditionalSingleValue,
                help: ArgumentHelp("Problem parameter (repeatable); default for double-well: tilt=0.1, which makes one minimum a trap.", valueName: "key=value"))
        var param: [String] = []

        @Option(parsing: .unconditional, help: ArgumentHelp("γ values, comma-separated.", valueName: "γ,..."))
        var gammas = NumberList([0.16, 0.24, 0.3, 0.34, 0.4, 0.48, 0.64])

        @Option(parsing: .unconditional, help: "ε of the neighbourhood A^ε of the global minimisers.")
        var epsilon: Double = 0.3

        @Option(parsing: .unconditional, help: ArgumentHelp("Where minima are searched and the Fokker–Planck equation is solved.", valueName: "lo,hi"))
        var domain = NumberList([-3, 3])

        @Option(parsing: .unconditional, help: "Monte Carlo horizon s.")
        var horizon: Double = 1000

        @Option(name: .customLong("fp-horizon"), parsing: .unconditional, help: "Fokker–Planck horizon s (≥ the Monte Carlo horizon).")
        var fpHorizon: Double = 1e40

        @Option(parsing: .unconditional, help: "Euler–Maruyama step h of the paths.")
        var step: Double = 0.01

        @Option(parsing: .unconditional, help: "Monte Carlo paths per γ.")
        var paths: Int = 4096

        @Option(name: .customLong("grid-points"), parsing: .unconditional, help: "Fokker–Planck grid cells.")
        var gridPoints: Int = 2000

        @Option(name: .customLong("time-ratio"), parsing: .unconditional, help: "Fokker–Planck implicit step as a fraction of s.")
        var timeRatio: Double = 0.01

        @OptionGroup var common: CommonOptions

        func validate() throws { _ = try makeConfiguration() }

        func makeConfiguration() throws -> AnnealingConfiguration {
            guard common.shard == nil else { throw ValidationError("--shard: anneal runs whole (its Fokker–Planck part is not sharded)") }
            var parameters: [String: Double] = [:]
            for item in param {
                let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let value = Double(parts[1]), value.isFinite else { throw ValidationError("--param must look like key=value with a finite number, got '\(item)'") }
                guard parameters[parts[0]] == nil else { throw ValidationError("--param \(parts[0]) is given twice") }
                parameters[parts[0]] = value
            }
            if problem == "double-well" && param.isEmpty { parameters["tilt"] = 0.1 }
            let box = try domain.coordinates("--domain")
            guard box.count == 2 else { throw ValidationError("--domain needs two numbers lo,hi, got \(box.count)") }
            var configuration = AnnealingConfiguration(
                problem: try ProblemSpec(name: problem, parameters: parameters), gammas: try gammas.grid("--gammas"), neighbourhood: epsilon,
                domain: box, monteCarloHorizon: horizon, fokkerPlanckHorizon: fpHorizon, step: step, paths: paths, gridPoints: gridPoints,
                timeRatio: timeRatio, seed: common.seed)
            configuration.normals = common.normalsSetting
            try configuration.validate()
            return configuration
        }

        func run() throws {
            let configuration = try makeConfiguration()
            let directory = common.outputDirectory.appendingPathComponent(AnnealingStudy.experiment)
            let result = try AnnealingStudy.run(configuration, options: try common.runOptions(experimentDirectory: directory))
            try AnnealingArtifacts.write(result, to: directory)
            if common.json { emit(try JSONOutput.string(result)) } else { emit(AnnealingArtifacts.summary(result)) }
            note("wrote \(directory.path)/result.json, anneal.csv and figures", quiet: common.quiet)
        }
    }
}
