import Foundation
import Testing
import TestSupport

/// Inputs that once crashed the tool or gave a quiet wrong answer: each is now a clear error or
/// a loud warning. `scripts/fuzz-cli` searches for more of the same class.
@Suite(.serialized) struct HostileInputTests {
    /// One changed header byte in a labels file: the IDX reader multiplied the dimensions
    /// without an overflow check and trapped.
    @Test(arguments: [(3, UInt8(4)), (4, UInt8(0xff)), (3, UInt8(2)), (2, UInt8(0x09))])
    func damagedIDXHeaderIsAnError(offset: Int, byte: UInt8) throws {
        let directory = TemporaryDirectory()
        let data = directory.url.appendingPathComponent("data")
        try writeSyntheticMNISTFiles(to: data, train: 40, test: 12)
        let labels = data.appendingPathComponent("train-labels-idx1-ubyte")
        var bytes = [UInt8](try Data(contentsOf: labels))
        bytes[offset] = byte
        try Data(bytes).write(to: labels)
        let out = try Tool.run(["mnist", "--mnist-dir", data.path, "--batch-sizes", "4,8", "--iterations", "2", "--train-subset", "0", "--quiet"],
                               in: directory.url)
        #expect(out.status == 1, "\(out.stderr)")
        #expect(out.stderr.contains(labels.path), "\(out.stderr)")
        #expect(out.stderr.split(separator: "\n").count == 1, "\(out.stderr)")
    }

    /// Every path diverges: simulate used to exit 0 (and say nothing under --json).
    @Test func simulateFailsWhenEveryPathDiverges() throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(["simulate", "--x0", "1e100", "--steps", "10", "--every", "5", "--paths", "64", "--json", "--quiet"], in: directory.url)
        #expect(out.status == 1)
        #expect(out.stderr.contains("64 SGD and 64 SDE of 64 paths diverged"), "\(out.stderr)")
        #expect(out.stderr.contains("E φ is undefined"))
        // the result object is still printed and written, divergence counts included
        let object = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect(object?["divergedSGD"] as? Int == 64)
        #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("results/simulate/result.json").path))
    }

    /// Values of 1e304 reach the figures (the SVG axis code overflowed and trapped).
    @Test func hugeValuesStillPlot() throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(["simulate", "--problem", "quadratic", "--noise", "additive", "--x0", "1e152", "--phi", "x^2", "--steps", "10",
                                "--every", "5", "--paths", "64", "--quiet"], in: directory.url)
        #expect(out.status == 0, "\(out.stderr)")
        let svg = try String(contentsOf: directory.url.appendingPathComponent("results/simulate/simulate-x2.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg"))
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }

    /// A file error says the path and the reason, never an NSError dump.
    @Test func fileErrorsAreOneLine() throws {
        let directory = TemporaryDirectory()
        try Data("x".utf8).write(to: directory.url.appendingPathComponent("file"))
        let out = try Tool.run(["simulate", "--steps", "10", "--paths", "64", "--every", "5", "--out", "file/sub", "--quiet"], in: directory.url)
        #expect(out.status == 1)
        #expect(!out.stderr.contains("Error Domain"), "\(out.stderr)")
        #expect(out.stderr.contains("file/sub"), "\(out.stderr)")
        #expect(out.stderr.split(separator: "\n").count == 1, "\(out.stderr)")
        try Data("{\"experiment\": 3}".utf8).write(to: directory.url.appendingPathComponent("bad.json"))
        let merged = try Tool.run(["merge", "bad.json"], in: directory.url)
        #expect(merged.stderr.contains("bad.json is not a partial result file"), "\(merged.stderr)")
        #expect(!merged.stderr.contains("Error Domain") && !merged.stderr.contains("codingPath"), "\(merged.stderr)")
    }

    /// reachVerdict used to compare wall-clock seconds, so merged shards (seconds 0) and the
    /// unsharded run could disagree; it now compares simulated steps. The splitting estimate is
    /// sharded too (one AMS run per block) and merges to the unsharded estimate bit for bit.
    @Test func escapeMinimumReachIsTheSameMerged() throws {
        let directory = TemporaryDirectory()
        let base = ["escape-minimum", "--etas", "0.25,0.2", "--sgd-etas", "", "--paths", "200", "--splitting-etas", "0.15",
                    "--runs", "2", "--replicas", "10", "--cycles", "20", "--bridge-eta", "0", "--quiet"]
        #expect(try Tool.run(base + ["--out", "whole"], in: directory.url).status == 0)
        for i in 1...2 { #expect(try Tool.run(base + ["--out", "parts", "--shard", "\(i)/2"], in: directory.url).status == 0) }
        let merged = try Tool.run(["merge", "parts/escape-minimum/partial-1of2.json", "parts/escape-minimum/partial-2of2.json", "--out", "merged", "--quiet"],
                                  in: directory.url)
        #expect(merged.status == 0, "\(merged.stderr)")
        func result(_ dir: String) throws -> [String: Any] {
            let data = try Data(contentsOf: directory.url.appendingPathComponent("\(dir)/escape-minimum/result.json"))
            return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        }
        let whole = try result("whole"), joined = try result("merged")
        #expect(whole["reachVerdict"] as? String != nil)
        #expect(whole["reachVerdict"] as? String == joined["reachVerdict"] as? String)
        #expect(whole["reachSteps"] as? [Double] == joined["reachSteps"] as? [Double])
        #expect(whole["verdict"] as? String == joined["verdict"] as? String)
        // the shards ran one AMS run each and merge combined them: the estimate is the unsharded one
        func splitting(_ r: [String: Any]) -> [[String: Double]] {
            (r["rows"] as? [[String: Any]] ?? []).compactMap { row in
                (row["splitting"] as? [String: Any]).map { $0.filter { $0.key != "seconds" }.compactMapValues { $0 as? Double } }
            }
        }
        #expect(splitting(whole).count == 1 && splitting(whole).first?["meanExitTime"] != nil)
        #expect(splitting(whole) == splitting(joined))
        let shards = try (1...2).map { i in
            try JSONSerialization.jsonObject(with: Data(contentsOf: directory.url.appendingPathComponent("parts/escape-minimum/partial-\(i)of2.json"))) as? [String: Any] ?? [:]
        }
        #expect(shards.allSatisfy { (($0["tasks"] as? [String: Any])?["splitting/0.15"]) != nil }, "each shard holds its share of the AMS runs")
    }
}
