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
            let merged: Studies.Merged
            do { merged = try Studies.merge(decoded, output: URL(fileURLWithPath: out), threads: EnsembleRunner.availableCores) } catch Studies.MergeError.malformedConfiguration(let error) {
                throw UserFacingError("the partial results hold a malformed configuration: \(reason(error))")
            }
            if json {
                emit(try JSONOutput.string(merged.result))
            } else if let summary = (merged.result as? any TerminalSummary)?.terminalSummary {
                emit(summary)
            }
            for warning in merged.warnings { warn("warning: \(warning)") }
            if let failure = merged.failure { throw failure }
            note("merged \(decoded.count) partial results into \(URL(fileURLWithPath: out).appendingPathComponent(merged.experiment).path)", quiet: quiet)
        }
    }
}

/// A result's summary on the terminal, for the commands that print one.
protocol TerminalSummary {
    var terminalSummary: String { get }
}

extension WeakErrorResult: TerminalSummary { var terminalSummary: String { summary(self) } }
extension EscapeSaddleResult: TerminalSummary { var terminalSummary: String { saddleSummary(self) } }
extension EscapeMinimumResult: TerminalSummary { var terminalSummary: String { minimumSummary(self) } }
extension LearningWeakErrorResult: TerminalSummary { var terminalSummary: String { LearningWeakErrorArtifacts.summary(self) } }
