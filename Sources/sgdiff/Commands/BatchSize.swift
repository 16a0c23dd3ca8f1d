import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct BatchSizeCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "batch-size",
            abstract: "§5: escape times from the sharp and the flat minimum of a 1-D finite sum against the batch size m, SGD and its SDE against theory.",
            discussion: "Default problem: two-regime Welsch regression, M = 4096, one feature, no intercept. Or a 1-D problem of your own: --model welsch --data FILE --no-intercept (one feature column).")

        @OptionGroup var learning: LearningOptions

        @Option(parsing: .unconditional, help: "Learning rate η.")
        var eta: Double = 0.2

        @Option(parsing: .unconditional, help: ArgumentHelp("Batch sizes m (each in 1…M−1), comma-separated.", valueName: "m,..."))
        var batches = NumberList([1, 2, 3, 4, 6, 8])

        @Option(parsing: .unconditional, help: ArgumentHelp("Where minima and maxima are searched (and F′, Σ₀ tabulated).", valueName: "lo,hi"))
        var scan = NumberList([-3, 3])

        @Option(name: .customLong("sde-step"), parsing: .unconditional, help: "Step h of the SDE (weak order-2 Platen scheme, Brownian-bridge exit test).")
        var sdeStep: Double = 0.02

        @Option(parsing: .unconditional, help: "Monte Carlo paths per basin and batch size, for the SDE and for SGD each.")
        var paths: Int = 2048

        @Option(name: .customLong("direct-budget"), parsing: .unconditional,
                help: "Simulate directly where the exact E T is at most this many steps (of η for SGD, of h for the SDE); beyond, the SDE by splitting only.")
        var directBudget: Double = 2e5

        @Option(name: .customLong("splitting-runs"), parsing: .unconditional, help: "Independent splitting runs beyond the direct budget (0: none).")
        var splittingRuns: Int = 8

        @Option(parsing: .unconditional, help: "Training time S (time s = kη) of P(SGD has left the basin by S).")
        var horizon: Double = 100

        @Option(name: .customLong("choice-etas"), parsing: .unconditional,
                help: ArgumentHelp("Learning rates of the basin-choice grid P(flat basin at S) over η × m, from the sharp minimum (empty: none).", valueName: "η,..."))
        var choiceEtas = NumberList([0.1, 0.2, 0.4])

        @Option(name: .customLong("choice-horizon"), parsing: .unconditional, help: "Time S (s = kη) at which the basin is read; S/η must be whole.")
        var choiceHorizon: Double = 200

        @Option(name: .customLong("choice-paths"), parsing: .unconditional, help: "SGD paths per (η, m) of the basin-choice grid (0: none).")
        var choicePaths: Int = 4096

        @Option(name: .customLong("choice-sde-paths"), parsing: .unconditional, help: "SDE paths per (η, m) of the basin-choice grid (0: none).")
        var choiceSDEPaths: Int = 1024

        @OptionGroup var common: CommonOptions

        func validate() throws { _ = try makeConfiguration() }

        func makeConfiguration() throws -> BatchSizeConfiguration {
            guard common.shard == nil else { throw ValidationError("--shard: batch-size runs whole (its splitting and PDE parts are not sharded)") }
            guard learning.batch == 32 else { throw ValidationError("--batch: batch-size runs a grid of batch sizes; give them with --batches m,...") }
            var problem = try learning.spec(seed: common.seed) ?? BatchSizeConfiguration.standardProblem(seed: common.seed)
            problem.batch = 1  // a placeholder: the study sets each m of the grid
            let grid = try batches.grid("--batches")
            for m in grid where m != m.rounded() || m < 1 || m > 1e8 { throw ValidationError("--batches takes whole numbers m ≥ 1, got \(String(format: "%g", m))") }
            let box = try scan.coordinates("--scan")
            guard box.count == 2 else { throw ValidationError("--scan needs two numbers lo,hi, got \(box.count)") }
            var configuration = BatchSizeConfiguration(problem: problem, eta: eta, batches: grid.map { Int($0) }, scan: box, sdeStep: sdeStep,
                                                       sdePaths: paths, sgdPaths: paths, directBudget: directBudget, splittingRuns: splittingRuns,
                                                       horizon: horizon, choiceEtas: try choiceEtas.grid("--choice-etas", allowEmpty: true), choiceHorizon: choiceHorizon,
                                                       choicePaths: choicePaths, choiceSDEPaths: choiceSDEPaths, seed: common.seed)
            configuration.normals = common.normalsSetting
            try configuration.validate()
            return configuration
        }

        func run() throws {
            let configuration = try makeConfiguration()
            let directory = common.outputDirectory.appendingPathComponent(BatchSizeStudy.experiment)
            let result = try BatchSizeStudy.run(configuration, options: try common.runOptions(experimentDirectory: directory))
            try BatchSizeArtifacts.write(result, to: directory)
            if common.json { emit(try JSONOutput.string(result)) } else { emit(BatchSizeArtifacts.summary(result)) }
            note("wrote \(directory.path)/result.json, batch-size.csv and figures", quiet: common.quiet)
        }
    }
}
