import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct Reproduce: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every study of the paper and write DIR/report.html with theory, measurement and verdicts.")

        @Option(help: "quick (about two minutes on 2 cores) or paper (about an hour).")
        var fidelity: String = "quick"

        @Option(help: "Output directory.")
        var out: String = "results"

        @Option(help: "Random seed.")
        var seed: UInt64 = 1

        @Option(help: "Worker threads.")
        var threads: Int = EnsembleRunner.availableCores

        @Flag(help: "Print the summary as JSON to stdout.")
        var json = false

        @Flag(help: "No progress on stderr.")
        var quiet = false

        @Flag(help: "Discard checkpoints instead of resuming.")
        var restart = false

        @Option(help: "Folder with the four MNIST files (default: $SGDIFF_MNIST_DIR, ~/.cache/sgd-diffusion/mnist, ./data/mnist, else downloaded).")
        var mnistDir: String?

        @Flag(help: "Skip the MNIST study (§6).")
        var noMnist = false

        func run() throws {
            guard let level = Reproduction.Fidelity(rawValue: fidelity) else {
                throw ValidationError("unknown --fidelity '\(fidelity)'; choose quick or paper")
            }
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
            let output = URL(fileURLWithPath: out)
            var options = RunOptions(threads: threads, quiet: quiet, restart: restart)
            options.shouldContinue = SGDiff.keepRunning
            let source = noMnist ? nil : MNISTSource(explicitDirectory: mnistDir)
            let summary = try Reproduction.run(fidelity: level, output: output, options: options, seed: seed, mnist: source) { note($0, quiet: quiet) }
            if json {
                emit(try JSONOutput.string(summary))
            } else {
                var lines = ["sgdiff reproduce (\(level.rawValue))"]
                for s in summary.sections {
                    lines.append(String(format: "  %-28@ %-13@ %6.1f s  %@", s.name, s.verdict.rawValue.uppercased(), s.seconds, s.directory))
                }
                lines.append("report: \(summary.report)")
                lines.append("overall: \(summary.verdict.rawValue.uppercased())")
                emit(lines.joined(separator: "\n"))
            }
        }
    }
}
