import Foundation
import Testing
import TestSupport

/// `sgdiff batch-schedule`'s own option checks (the study's checks are in ExperimentsTests):
/// each a non-zero exit with one line naming the value, and nothing written.
@Suite struct BatchScheduleCLITests {
    @Test(arguments: [
        (["batch-schedule", "--small", "0"], "--small: batch size 0 (need m ≥ 1)"),
        (["batch-schedule", "--small", "8", "--large", "4"], "--large: 4 must exceed --small 8"),
        (["batch-schedule", "--large", "4096"], "need m < M = 4096"),
        (["batch-schedule", "--c", "0"], "--c: C = 0 (need C > 0)"),
        (["batch-schedule", "--c=-0.5"], "--c: C = -0.5 (need C > 0)"),
        (["batch-schedule", "--c", "0.1,0.1"], "--c lists 0.1 twice"),
        (["batch-schedule", "--iterations", "2"], "need K ≥ 4"),
        (["batch-schedule", "--sde-step", "0.03"], "η/h a whole number"),
        (["batch-schedule", "--eta", "0"], "η: 0.0"),
        (["batch-schedule", "--batch", "16"], "--batch: batch-schedule sets m(s)"),
    ])
    func badInputFailsClearly(arguments: [String], message: String) throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(arguments + ["--quiet"], in: directory.url)
        #expect(out.status != 0 && out.status < 128, "\(arguments) exited \(out.status)")
        #expect(out.stderr.contains(message), "\(arguments): \(out.stderr)")
        let written = FileManager.default.enumerator(atPath: directory.url.path)?.compactMap { $0 as? String } ?? []
        #expect(!written.contains { $0.hasSuffix("result.json") || $0.hasSuffix(".csv") }, "\(arguments) wrote \(written)")
    }
}
