import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct BatchScheduleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "batch-schedule",
            abstract: "§5: batch-size schedules m(s) on the sharp/flat 1-D finite sum — P(ending in the flat basin), final loss and first-entry time, SGD and its SDE against the two-state master equation.",
            discussion: "Schedules: constant --small, constant --large, m(s) = min(C log(s+2)/η, m*) with m* = --large for each --c, and a decreasing staircase from --large to --small in four quarters. Default problem as batch-size (two-regime Welsch regression, M = 4096).")

        @OptionGroup var learning: LearningOptions

        @Option(parsing: .unconditional, help: "Learning rate η.")
        var eta: Double = 0.2

        @Option(parsing: .unconditional, help: "SGD iterations K per path (time S = Kη).")
        var iterations: Int = 5000

        @Option(parsing: .unconditional, help: "The small constant batch size (also the log rule's minimum and the decreasing schedule's end).")
        var small: Int = 2

        @Option(parsing: .unconditional, help: "The large constant batch size (also the log rule's cap m* and the decreasing schedule's start).")
        var large: Int = 8

        @Option(name: .customLong("c"), parsing: .unconditional, help: ArgumentHelp("The constants C of m(s) = min(C log(s+2)/η, m*), comma-separated.", valueName: "C,..."))
        var cs = NumberList([0.1, 0.2, 0.4])

        @Option(parsing: .unconditional, help: "Times at which P(flat) is recorded (equally spaced up to S).")
        var checkpoints: Int = 40

        @Option(parsing: .unconditional, help: ArgumentHelp("Where minima and maxima are searched (and F′, Σ₀ tabulated).", valueName: "lo,hi"))
        var scan = NumberList([-3, 3])

        @Option(name: .customLong("sde-step"), parsing: .unconditional, help: "Step h of the SDE (weak order-2 Platen); η/h must be a whole number.")
        var sdeStep: Double = 0.02

        @Option(parsing: .unconditional, help: "Monte Carlo paths per schedule, for SGD and for the SDE each.")
        var paths: Int = 2048

        @OptionGroup var common: CommonOptions

        func validate() throws { _ = try makeConfiguration() }

        func makeConfiguration() throws -> BatchScheduleConfiguration {
            guard common.shard == nil else { throw ValidationError("--shard: batch-schedule runs whole") }
            guard learning.batch == 32 else { throw ValidationError("--batch: batch-schedule sets m(s) by its schedules; give --small and --large") }
            var problem = try learning.spec(seed: common.seed) ?? BatchSizeConfiguration.standardProblem(seed: common.seed)
            problem.batch = 1  // a placeholder: the schedules set m
            guard small >= 1 else { throw ValidationError("--small: batch size \(small) (need m ≥ 1)") }
            guard large > small else { throw ValidationError("--large: \(large) must exceed --small \(small)") }
            let box = try scan.coordinates("--scan")
            guard box.count == 2 else { throw ValidationError("--scan needs two numbers lo,hi, got \(box.count)") }
            let constants = try cs.grid("--c", allowEmpty: true)
            for value in constants where !(value > 0) || !value.isFinite { throw ValidationError("--c: C = \(String(format: "%g", value)) (need C > 0)") }
            guard iterations >= 4 else { throw ValidationError("--iterations: \(iterations) (need K ≥ 4 for the decreasing staircase)") }
            var configuration = BatchScheduleConfiguration(
                problem: problem, eta: eta,
                schedules: BatchScheduleConfiguration.schedules(eta: eta, iterations: iterations, small: small, large: large, cs: constants),
                iterations: iterations, checkpoints: checkpoints, scan: box, sdeStep: sdeStep, sgdPaths: paths, sdePaths: paths, seed: common.seed)
            configuration.normals = common.normalsSetting
            try configuration.validate()
            return configuration
        }

        func run() throws {
            let configuration = try makeConfiguration()
            let directory = common.outputDirectory.appendingPathComponent(BatchScheduleStudy.experiment)
            let result = try BatchScheduleStudy.run(configuration, options: try common.runOptions(experimentDirectory: directory))
            try BatchScheduleArtifacts.write(result, to: directory)
            if common.json { emit(try JSONOutput.string(result)) } else { emit(BatchScheduleArtifacts.summary(result)) }
            note("wrote \(directory.path)/result.json, batch-schedule.csv, summary.csv and figures", quiet: common.quiet)
        }
    }
}
