import Foundation
import Testing

/// The full `--help` of every command against the committed text in Snapshots/, as
/// swift-argument-parser's own tests do it. After changing an option on purpose, regenerate with
///
///     SGDIFF_RECORD_SNAPSHOTS=1 swift test -c release -Xswiftc -enable-testing --filter HelpSnapshot
///
/// and review the diff: it is the change users will see.
@Suite struct HelpSnapshotTests {
    static let commands: [[String]] = [
        [], ["reproduce"], ["weak-error"], ["simulate"], ["escape-saddle"], ["escape-minimum"], ["mnist"], ["data"], ["data", "mnist"],
        ["anneal"], ["batch-size"], ["batch-schedule"], ["merge"], ["bench"], ["bench", "sde"], ["bench", "rng"], ["bench", "blas"], ["bench", "mlp"], ["problems"],
        ["normal-deviations"], ["momentum"],
    ]

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    /// The default of --threads is the machine's core count; the snapshot holds a placeholder.
    static func normalised(_ help: String) -> String {
        help.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            guard line.contains("--threads") || line.contains("(default: \(ProcessInfo.processInfo.activeProcessorCount))") else { return String(line) }
            return line.replacingOccurrences(of: "(default: \(ProcessInfo.processInfo.activeProcessorCount))", with: "(default: <cores>)")
        }.joined(separator: "\n")
    }

    @Test(arguments: commands)
    func helpMatchesSnapshot(command: [String]) throws {
        let out = try Tool.run(command + ["--help"], environment: ["COLUMNS": "100"])
        #expect(out.status == 0, "\(command): \(out.stderr)")
        let help = Self.normalised(out.stdout)
        let file = Self.directory.appendingPathComponent((["sgdiff"] + command).joined(separator: "-") + ".txt")
        if ProcessInfo.processInfo.environment["SGDIFF_RECORD_SNAPSHOTS"] != nil {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try help.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(help == expected, "help of `sgdiff \(command.joined(separator: " "))` changed; rerun with SGDIFF_RECORD_SNAPSHOTS=1 if on purpose")
    }

    /// Every choice option lists its values in help.
    @Test func choicesAreListed() throws {
        let wide = ["COLUMNS": "1000"]  // one line per option, so a value list is not wrapped
        let weak = try Tool.run(["weak-error", "--help"], environment: wide).stdout
        for fragment in ["values: euler-maruyama, platen-weak2", "values: additive, multiplicative, modulated, minibatch",
                         "values: gaussian, rademacher, uniform", "values: x, x^2, cos, gauss", "values: constant, cubic"] {
            #expect(weak.contains(fragment), "weak-error --help lacks '\(fragment)'")
        }
        #expect(try Tool.run(["mnist", "--help"], environment: wide).stdout.contains("values: quick, paper"))
        #expect(try Tool.run(["bench", "sde", "--help"], environment: wide).stdout.contains("values: float64, float32"))
    }
}
