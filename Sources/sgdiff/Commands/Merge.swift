import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Combine the partial results of `--shard i/n` runs into exactly the unsharded result.")

        @Argument(help: "Partial result files (partial-*.json).")
        var partials: [String]

        @Option(help: "Output directory; the merged result goes to DIR/<experiment>/.")
        var out: String = "results"

        @Flag(help: "Print the result object as JSON to stdout.")
        var json = false

        @Flag(help: "No notes on stderr.")
        var quiet = false

        func validate() throws {
            guard !partials.isEmpty else { throw ValidationError("give the partial result files to merge") }
            if let twice = firstDuplicate(partials) { throw ValidationError("\(twice) is given twice") }
        }

        func run() throws {
            let decoded: [PartialResult] = try partials.map { path in
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                    throw UserFacingError("cannot read \(path): \(reason(error))")
                }
                do { return try JSONOutput.decoder().decode(PartialResult.self, from: data) } catch {
                    throw UserFacingError("\(path) is not a partial result file: \(reason(error))")
                }
            }
            let (experiment, configurationJSON, tasks) = try PartialResult.merge(decoded)
            let directory = URL(fileURLWithPath: out).appendingPathComponent(experiment)
            let threads = EnsembleRunner.availableCores
            switch experiment {
            case WeakErrorStudy.experiment:
                let configuration = try JSONOutput.decoder().decode(WeakErrorConfiguration.self, from: Data(configurationJSON.utf8))
                let result = WeakErrorStudy.finalize(configuration, tasks: tasks, threads: threads, wallSeconds: 0)
                try WeakErrorArtifacts.write(result, to: directory)
                emit(json ? try JSONOutput.string(result) : summary(result))
                if let failure = WeakErrorStudy.divergenceError(result) { throw failure }
            case SideBySide.experiment:
                let configuration = try JSONOutput.decoder().decode(SideBySideConfiguration.self, from: Data(configurationJSON.utf8))
                let result = SideBySide.finalize(configuration, tasks: tasks, threads: threads, wallSeconds: 0)
                try SideBySide.write(result, to: directory)
                if json { emit(try JSONOutput.string(result)) }
                try reportDivergence(result)
            case EscapeSaddle.experiment:
                let configuration = try JSONOutput.decoder().decode(EscapeSaddleConfiguration.self, from: Data(configurationJSON.utf8))
                let result = try EscapeSaddle.finalizeMerged(configuration, tasks: tasks)
                try EscapeArtifacts.write(result, to: directory)
                emit(json ? try JSONOutput.string(result) : saddleSummary(result))
            case EscapeMinimum.experiment:
                let configuration = try JSONOutput.decoder().decode(EscapeMinimumConfiguration.self, from: Data(configurationJSON.utf8))
                let result = try EscapeMinimum.finalizeMerged(configuration, tasks: tasks, threads: threads)
                try EscapeArtifacts.write(result, to: directory)
                emit(json ? try JSONOutput.string(result) : minimumSummary(result))
            default:
                throw ValidationError("partial results of experiment '\(experiment)' cannot be merged by this version")
            }
            note("merged \(decoded.count) partial results into \(directory.path)", quiet: quiet)
        }
    }
}
