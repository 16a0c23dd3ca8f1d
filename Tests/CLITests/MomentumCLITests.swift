import Foundation
import Testing

/// `sgdiff momentum`: bad inputs are one-line errors naming the value; a small run writes its
/// files and prints the result object with --json.
@Suite struct MomentumCLITests {
    @Test(arguments: [
        (["momentum", "--betas", "1"], "need 0 < β < 1"),
        (["momentum", "--betas=-0.5"], "need 0 < β < 1"),
        (["momentum", "--betas", "0"], "β = 0, plain SGD, is always run"),
        (["momentum", "--betas", ""], "--betas needs at least one number"),
        (["momentum", "--betas", "0.5,0.5"], "--betas lists 0.5 twice"),
        (["momentum", "--saddle-etas", "0,0.01"], "need 0 < η < 0.5"),
        (["momentum", "--saddle-etas=-0.01,0.001"], "need 0 < η < 0.5"),
        (["momentum", "--saddle-etas", "0.01"], "need at least two values"),
        (["momentum", "--minimum-etas", "0.7"], "need 0 < η_eff ≤ 0.5"),
        (["momentum", "--saddle-etas", "", "--minimum-etas", ""], "both grids are empty"),
        (["momentum", "--sigma", "0"], "σ: 0.0 (must be positive and finite)"),
        (["momentum", "--saddle-paths", "1"], "need 2 ≤ N"),
        (["momentum", "--step-fraction", "2"], "SDE step fraction"),
        (["momentum", "--shard", "1/2"], "momentum runs whole"),
    ])
    func badInputIsOneLineError(arguments: [String], fragment: String) throws {
        let out = try Tool.run(arguments + ["--out", FileManager.default.temporaryDirectory.path])
        #expect(out.status != 0, "\(arguments) succeeded")
        let lines = out.stderr.split(separator: "\n").filter { !$0.hasPrefix("Usage:") && !$0.hasPrefix("  See '") && !$0.hasPrefix("Help:") && !$0.isEmpty }
        #expect(lines.count == 1 && out.stderr.contains(fragment), "\(arguments): \(out.stderr)")
    }

    @Test func smallRunWritesFilesAndJSON() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("momentum-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = try Tool.run(["momentum", "--saddle-etas", "0.01,0.003", "--minimum-etas", "0.25", "--betas", "0.9", "--saddle-paths", "128",
                                "--minimum-paths", "128", "--json", "--quiet", "--out", directory.path])
        #expect(out.status == 0, "\(out.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect(object?["schema"] as? String == "sgdiff.momentum/1")
        for file in ["result.json", "saddle.csv", "minimum.csv", "slopes.csv", "saddle.svg", "minimum.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("momentum/\(file)").path), "\(file)")
        }
    }
}
