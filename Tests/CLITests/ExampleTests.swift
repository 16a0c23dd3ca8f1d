import Foundation
import Testing
import TestSupport

/// The Examples target is part of the product: a user's own problem (its objective and noise
/// model defined outside the library) must run through the studies from the Swift API.
@Suite struct ExampleTests {
    static let executable = builtProduct("CustomProblem")

    @Test func customProblemRunsThroughTwoStudies() throws {
        let dir = TemporaryDirectory()
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["--quick", "--out", dir.url.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        for file in ["weak-error/result.json", "weak-error/rows.csv", "escape-saddle/result.json", "escape-saddle/escape-time.svg", "report.html"] {
            #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent(file).path), "missing \(file)")
        }
        // the results record the user's problem, not a catalog entry
        let weak = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.url.appendingPathComponent("weak-error/result.json"))) as! [String: Any]
        let problem = (weak["configuration"] as! [String: Any])["problem"] as! [String: Any]
        #expect(problem["name"] as? String == "curved-double-well")
        #expect((problem["custom"] as? [String: Any])?["dimension"] as? Int == 2)
        // Theorem 1's order 1 and Theorem 3's slope, judged by the studies' own verdict rules
        #expect(text.contains("SME-1: order"))
        #expect(text.contains("escape from the saddle"))
    }
}
