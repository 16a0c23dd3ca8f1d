import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct Reproduce: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every study of the paper and write DIR/report.html with theory, measurement and verdicts.",
            discussion: """
            A study that cannot run (§6 without MNIST and without network) is marked "not run" in the report and \
            summary, with the fix, and the others go ahead. Exit status: 0 every section ran and passed; 2 a verdict \
            is FAIL; 3 no FAIL but a section did not run; 4 everything ran, no FAIL, some verdict INCONCLUSIVE; \
            1 an error stopped the run; 64 a usage error.
            """)

        @Option(help: "quick (two to three minutes on 2 cores) or paper (about an hour and a half, an hour of it §6).")
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

        @Option(help: "Folder with the four MNIST files (default: $SGDIFF_MNIST_DIR, ~/.cache/sgd-diffusion/mnist, ./data/mnist; at quick fidelity the shipped data/mnist-subset; else downloaded).")
        var mnistDir: String?

        @Flag(help: "Leave out the MNIST study (§6).")
        var noMnist = false

        @Option(help: "Run only these sections, comma-separated (\(Reproduction.sectionNames.joined(separator: ", "))).")
        var only: String?

        @Flag(help: "Open the report in the desktop's browser when done (xdg-open).")
        var open = false

        func run() throws {
            guard let level = Reproduction.Fidelity(rawValue: fidelity) else {
                throw ValidationError("unknown --fidelity '\(fidelity)'; choose quick or paper")
            }
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
            let output = URL(fileURLWithPath: out)
            var options = RunOptions(threads: threads, quiet: quiet, restart: restart)
            options.shouldContinue = SGDiff.keepRunning
            let sections = try only.map { list in
                try Set(list.split(separator: ",").map { raw in
                    let name = raw.trimmingCharacters(in: .whitespaces)
                    guard Reproduction.sectionNames.contains(name) else {
                        throw ValidationError("--only: unknown section '\(name)'; choose from \(Reproduction.sectionNames.joined(separator: ", "))")
                    }
                    return name
                })
            }
            let source = noMnist ? nil : MNISTSource(explicitDirectory: mnistDir)
            let summary: Reproduction.Summary
            do {
                summary = try Reproduction.run(fidelity: level, output: output, options: options, seed: seed, mnist: source, only: sections) { note($0, quiet: quiet) }
            } catch let failure as MNIST.Failure where mnistDir != nil {
                throw ValidationError("--mnist-dir: \(failure)")
            }
            if json {
                emit(try JSONOutput.string(summary))
            } else {
                var lines = ["sgdiff reproduce (\(level.rawValue))"]
                for s in summary.sections {
                    lines.append(tableLine("  %-28@ %-13@ %6.1f s  %@", s.name, s.verdict.rawValue.uppercased(), s.seconds, s.directory))
                }
                lines.append("report: \(URL(fileURLWithPath: summary.report).absoluteURL.absoluteString)")
                lines.append(Reproduction.closingLine(summary))
                emit(lines.joined(separator: "\n"))
            }
            if open { openInBrowser(URL(fileURLWithPath: summary.report).absoluteURL) }
            if summary.outcome != .pass { throw ExitCode(summary.outcome.exitStatus) }
        }

        func openInBrowser(_ url: URL) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["xdg-open", url.absoluteString]
            do {
                try process.run()
                process.waitUntilExit()
                if process.terminationStatus == 0 { return }
            } catch {}
            note("could not open a browser (xdg-open); open \(url.absoluteString)", quiet: false)
        }
    }
}
