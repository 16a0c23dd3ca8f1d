import Foundation
import Testing

/// `sgdiff normal-deviations`: bad inputs are one-line errors naming the value; a small run
/// writes its files and prints the result object with --json.
@Suite struct NormalDeviationsCLITests {
    @Test(arguments: [
        (["normal-deviations", "--etas", "0,0.1"], "need η > 0"),
        (["normal-deviations", "--etas=-0.1"], "need η > 0"),
        (["normal-deviations", "--etas", ""], "--etas needs at least one number"),
        (["normal-deviations", "--etas", "0.1,0.1"], "--etas lists 0.1 twice"),
        (["normal-deviations", "--etas", "0.3"], "is not a whole number of SGD steps"),
        (["normal-deviations", "--etas", "0.1", "--times", "3"], "is not on the grid"),
        (["normal-deviations", "-T", "0"], "horizon T"),
        (["normal-deviations", "--paths", "0"], "paths N"),
        (["normal-deviations", "--phi", "x,x"], "--phi lists 'x' twice"),
        (["normal-deviations", "--tolerance", "1"], "rate tolerance"),
        (["normal-deviations", "--preset", "1d", "--problem", "saddle"], "--preset chooses the landscape"),
        (["normal-deviations", "--preset", "3d"], "The value '3d' is invalid for '--preset"),
        (["normal-deviations", "--problem", "least-squares"], "mini-batch noise is not supported"),
        (["normal-deviations", "--shard", "1/2"], "normal-deviations runs whole"),
    ])
    func badInputIsOneLineError(arguments: [String], fragment: String) throws {
        let out = try Tool.run(arguments + ["--out", FileManager.default.temporaryDirectory.path])
        #expect(out.status != 0, "\(arguments) succeeded")
        let lines = out.stderr.split(separator: "\n").filter { !$0.hasPrefix("Usage:") && !$0.hasPrefix("  See '") && !$0.hasPrefix("Help:") && !$0.isEmpty }
        #expect(lines.count == 1 && out.stderr.contains(fragment), "\(arguments): \(out.stderr)")
    }

    @Test func smallRunWritesFilesAndJSON() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nd-cli-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = try Tool.run(["normal-deviations", "--preset", "1d", "--etas", "0.1,0.05", "-T", "1", "--times", "2", "--paths", "256",
                                "--json", "--quiet", "--out", directory.path])
        #expect(out.status == 0, "\(out.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect(object?["schema"] as? String == "sgdiff.normal-deviations/1")
        for file in ["result.json", "covariance.csv", "rates.csv", "covariance-11.svg", "errors.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("normal-deviations/\(file)").path), "\(file)")
        }
    }
}
