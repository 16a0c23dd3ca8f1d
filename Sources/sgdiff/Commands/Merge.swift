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
            if isMNISTPartial(partials[0]) { return try mergeMNIST(partials, out: out, json: json, quiet: quiet) }
            let decoded: [PartialResult] = try partials.map { path in
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw UserFacingError("cannot read \(path): no such file") }
                guard !isDirectory.boolValue else { throw UserFacingError("cannot read \(path): it is a directory") }
                let data: Data
                do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
                    throw UserFacingError("cannot read \(reason(error, path: path))")
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
                let configuration = try checkedConfiguration(WeakErrorConfiguration.self, configurationJSON, fingerprint: decoded[0].fingerprint) { try $0.validate() }
                let result = WeakErrorStudy.finalize(configuration, tasks: tasks, threads: threads, wallSeconds: 0)
                try WeakErrorArtifacts.write(result, to: directory)
                emit(json ? try JSONOutput.string(result) : summary(result))
                if let failure = WeakErrorStudy.divergenceError(result) { throw failure }
            case SideBySide.experiment:
                let configuration = try checkedConfiguration(SideBySideConfiguration.self, configurationJSON, fingerprint: decoded[0].fingerprint) { try $0.validate() }
                let result = SideBySide.finalize(configuration, tasks: tasks, threads: threads, wallSeconds: 0)
                try SideBySide.write(result, to: directory)
                if json { emit(try JSONOutput.string(result)) }
                try reportDivergence(result)
            case EscapeSaddle.experiment:
                let configuration = try checkedConfiguration(EscapeSaddleConfiguration.self, configurationJSON, fingerprint: decoded[0].fingerprint) { try $0.validate() }
                let result = try EscapeSaddle.finalizeMerged(configuration, tasks: tasks)
                try EscapeArtifacts.write(result, to: directory)
                emit(json ? try JSONOutput.string(result) : saddleSummary(result))
            case EscapeMinimum.experiment:
                let configuration = try checkedConfiguration(EscapeMinimumConfiguration.self, configurationJSON, fingerprint: decoded[0].fingerprint) { try $0.validate() }
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

/// The configuration a partial result carries, decoded, matched against its fingerprint and
/// validated like a command line, so a damaged file fails here and not deep in a study.
func checkedConfiguration<C: Codable>(_ type: C.Type, _ json: String, fingerprint print: String, validate: (C) throws -> Void) throws -> C {
    let configuration: C
    do { configuration = try JSONOutput.decoder().decode(C.self, from: Data(json.utf8)) } catch {
        throw UserFacingError("the partial results hold a malformed configuration: \(reason(error))")
    }
    guard (try? fingerprint(configuration)) == print else {
        throw UserFacingError("the partial results' configuration does not match their fingerprint (the files were changed after they were written)")
    }
    try validate(configuration)
    return configuration
}
