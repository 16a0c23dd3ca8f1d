import Foundation
import Testing
import TestSupport

/// `reproduce` on a machine without MNIST and without network: §6 is marked "not run" with the
/// fix, the rest of the run completes, and the exit status says so (3). `--only mnist` keeps it
/// to the data-locating part, which is what differs from a full run.
@Suite(.serialized) struct ReproduceOfflineTests {
    /// No data anywhere the tool looks, and downloads that fail: the mirrors are a closed port on
    /// loopback (connection refused, as on an offline machine, without depending on `unshare`).
    static func offline(_ directory: TemporaryDirectory, subset: String? = nil) -> [String: String] {
        ["SGDIFF_MNIST_DIR": "", "HOME": directory.url.path, "XDG_CACHE_HOME": directory.url.appendingPathComponent("cache").path,
         "SGDIFF_MNIST_SUBSET_DIR": subset ?? directory.url.appendingPathComponent("no-subset").path,
         "SGDIFF_MNIST_MIRRORS": "http://127.0.0.1:9/"]
    }

    static var shippedSubset: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("data/mnist-subset").path
    }

    @Test func withoutDataOrNetworkMNISTIsMarkedNotRun() throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(["reproduce", "--only", "mnist", "--out", "out"], in: directory.url, environment: Self.offline(directory))
        #expect(out.status == 3, "\(out.stdout)\n\(out.stderr)")
        let last = out.stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(last.hasPrefix("overall: INCOMPLETE (exit 3)"), "\(last)")
        #expect(last.contains("NOT RUN: mnist") && last.contains("sgdiff data mnist") && last.contains("train-images-idx3-ubyte.gz"))
        #expect(out.stderr.contains("127.0.0.1:9"), "the download was not attempted: \(out.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: directory.url.appendingPathComponent("out/summary.json"))) as? [String: Any]
        #expect(summary?["outcome"] as? String == "incomplete")
        let notRun = summary?["notRun"] as? [[String: Any]]
        #expect(notRun?.first?["name"] as? String == "mnist")
        #expect((notRun?.first?["reason"] as? String)?.contains("the download failed") == true)
        let report = try String(contentsOf: directory.url.appendingPathComponent("out/report.html"), encoding: .utf8)
        #expect(report.contains("class=\"verdict not-run\"") && report.contains("mnist: NOT RUN") && report.contains("sgdiff data mnist"))
    }

    /// The shipped subset covers the quick study only: at paper fidelity, with nothing else, §6 is not run.
    @Test func shippedSubsetDoesNotStandInForThePaperRun() throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(["reproduce", "--only", "mnist", "--fidelity", "paper", "--out", "out", "--json"], in: directory.url,
                               environment: Self.offline(directory, subset: Self.shippedSubset))
        #expect(out.status == 3, "\(out.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect((summary?["sections"] as? [Any])?.isEmpty == true)
        #expect((summary?["notRun"] as? [[String: Any]])?.first?["name"] as? String == "mnist")
    }

    @Test func badSectionNamesAndDataFoldersAreUsageErrors() throws {
        let directory = TemporaryDirectory()
        let unknown = try Tool.run(["reproduce", "--only", "weak-error-quadratic,nope", "--quiet"], in: directory.url)
        #expect(unknown.status == 64 && unknown.stderr.contains("--only: unknown section 'nope'"), "\(unknown.stderr)")
        let missing = try Tool.run(["reproduce", "--mnist-dir", "/nonexistent/mnist", "--quiet"], in: directory.url)
        #expect(missing.status == 64 && missing.stderr.contains("MNIST not found (looked in /nonexistent/mnist)"), "\(missing.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("results/weak-error-quadratic").path), "work started before the error")
    }

    /// The OpenBLAS kernel note appears where the kernel matters (bench), not on every command.
    @Test func kernelNoteOnlyWhereItMatters() throws {
        let forced = ["OPENBLAS_CORETYPE": "Prescott", "SGDIFF_BLAS_KERNEL": "auto"]
        let help = try Tool.run(["--help"], environment: forced)
        #expect(help.status == 0 && !help.stderr.contains("OPENBLAS_CORETYPE"), "\(help.stderr)")
        let problems = try Tool.run(["problems"], environment: forced)
        #expect(!problems.stderr.contains("OPENBLAS_CORETYPE"))
        let bench = try Tool.run(["bench", "blas", "--sizes", "32", "--repeats", "1", "--json"], environment: forced)
        let report = try JSONSerialization.jsonObject(with: Data(bench.stdout.utf8)) as? [String: Any]
        if report?["recommendedKernel"] is String {  // a CPU with an AVX2-class kernel: Prescott is replaced, and said so
            #expect(bench.stderr.contains("note: OPENBLAS_CORETYPE=Prescott is slower than this CPU allows"), "\(bench.stderr)")
        }
    }
}
