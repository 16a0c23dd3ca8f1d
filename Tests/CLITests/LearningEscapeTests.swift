import Foundation
import Testing
import TestSupport

/// The escape studies on a data-defined problem of low dimension (`--model` with d ≤ 4).
@Suite(.serialized) struct LearningEscapeTests {
    /// 30 rows of y ≈ 0.8 a: one-feature least squares without intercept, whose minimiser has
    /// the closed form x* = Σ a_i y_i / Σ a_i².
    static func leastSquaresFile(in directory: TemporaryDirectory) throws -> (path: String, minimiser: Double) {
        var text = "y,a\n", ay = 0.0, aa = 0.0
        for i in 0..<30 {
            let a = Double(i % 7) / 7 - 0.4 + Double(i) / 100
            let y = 0.8 * a + 0.5 * (Double((i * 5) % 9) / 9 - 0.45)
            text += "\(y),\(a)\n"
            (ay, aa) = (ay + a * y, aa + a * a)
        }
        let file = directory.url.appendingPathComponent("ls.csv")
        try Data(text.utf8).write(to: file)
        return (file.path, ay / aa)
    }

    /// escape-minimum on the user's file: Newton's method finds the exact minimiser (to the
    /// closed form's rounding), the 1-D quasi-potential integral and the minimum action agree
    /// (the study's own check), and the configuration records the learning problem.
    @Test func escapeMinimumRunsOnAUserFile() throws {
        let directory = TemporaryDirectory()
        let (path, xStar) = try Self.leastSquaresFile(in: directory)
        let out = try Tool.run(["escape-minimum", "--model", "least-squares", "--data", path, "--label", "y", "--test-fraction", "0",
                                "--no-intercept", "--batch", "4", "--domain=\(xStar - 0.3),\(xStar + 0.3)", "--etas", "0.5,0.4",
                                "--sgd-etas", "0.5", "--paths", "60", "--sgd-paths", "30", "--splitting-etas", "", "--bridge-eta", "0",
                                "--max-time", "200", "--json", "--quiet"], in: directory.url)
        #expect(out.status == 0, "\(out.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        let point = (result?["stationaryPoint"] as? [String: Any])?["point"] as? [Double]
        #expect(point.map { abs($0[0] - xStar) < 1e-12 * max(1, abs(xStar)) } == true, "\(String(describing: point)) vs \(xStar)")
        let problem = (result?["configuration"] as? [String: Any])?["problem"] as? [String: Any]
        #expect((problem?["learning"] as? [String: Any])?["model"] as? String == "least-squares")
        #expect(result?["minimumActionAgreement"] as? String == "pass", "\(out.stdout.prefix(2000))")
    }

    /// escape-saddle on a one-hidden-unit network (d = 3): Newton's method from 0 reaches the
    /// saddle w₁ = w₂ = 0, b = ȳ, and the study runs on it end to end.
    @Test func escapeSaddleRunsOnANetwork() throws {
        let directory = TemporaryDirectory()
        let (path, _) = try Self.leastSquaresFile(in: directory)
        let out = try Tool.run(["escape-saddle", "--model", "least-squares", "--hidden", "1", "--data", path, "--label", "y",
                                "--test-fraction", "0", "--no-intercept", "--batch", "4", "--point", "0,0,0", "--radius", "0.1", "--off", "0.05",
                                "--sde-etas", "0.1,0.05", "--sgd-etas", "0.1", "--paths", "20", "--sgd-paths", "20", "--max-time", "5",
                                "--json", "--quiet"], in: directory.url)
        #expect(out.status == 0, "\(out.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        let sp = result?["stationaryPoint"] as? [String: Any]
        #expect(sp?["kind"] as? String == "saddle")
        let point = sp?["point"] as? [Double] ?? []
        #expect(point.count == 3 && abs(point[0]) < 1e-12 && abs(point[1]) < 1e-12, "\(point)")
    }

    @Test(arguments: [
        (["escape-saddle", "--model", "logistic", "--synthetic", "50,1"], "give --point"),
        (["escape-saddle", "--model", "logistic", "--synthetic", "50,1", "--l2", "0.1", "--point", "0,0"], "is a minimum, not a saddle"),
        (["escape-saddle", "--model", "logistic", "--synthetic", "50,1", "--point", "0,0,0"], "has d = 2"),
        (["escape-saddle", "--model", "logistic", "--synthetic", "50,8", "--point", "0,0"], "the start has 2 coordinates but the learning problem has d = 9"),
        // past d = 4 on the block engine: a convex problem has no saddle, and says so
        (["escape-saddle", "--model", "logistic", "--synthetic", "50,8", "--point", "0,0,0,0,0,0,0,0,0"], "is a minimum, not a saddle"),
        (["escape-minimum", "--model", "logistic", "--synthetic", "50,8"], "takes a learning problem of d = 1 (this one has d = 9)"),
        (["escape-saddle", "--model", "logistic", "--synthetic", "50,8", "--point", "1e300,0,0,0,0,0,0,0,0"], "Newton's method from near [1e+300"),
        (["escape-minimum", "--model", "logistic", "--synthetic", "50,1"], "takes a learning problem of d = 1"),
        (["escape-minimum", "--model", "least-squares", "--synthetic", "50,1", "--no-intercept", "--problem", "saddle"], "describe a built-in landscape"),
    ])
    func badLearningEscapeInputFailsClearly(arguments: [String], message: String) throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(arguments + ["--quiet"], in: directory.url)
        #expect(out.status != 0 && out.status < 128, "\(arguments) exited \(out.status)")
        #expect(out.stderr.contains(message), "\(arguments): \(out.stderr)")
    }
}

/// A bridge-test comparison at an η whose exits are beyond the time limit is skipped with its
/// reason instead of running 10⁴ censored paths per step size (the fuzz harness's one hang).
@Suite struct BridgeSkipTests {
    @Test func hopelessBridgeComparisonIsSkippedWithItsReason() throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(["escape-minimum", "--etas", "0.25", "--sgd-etas", "", "--paths", "8", "--splitting-etas", "", "--bridge-eta", "1e-5",
                                "--max-time", "2000", "--json", "--quiet"], in: directory.url)
        #expect(out.status == 0, "\(out.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect((result?["bridgeSkipped"] as? String)?.contains("beyond the time limit") == true, "\(out.stdout.prefix(500))")
        #expect((result?["bridgeWith"] as? [Any])?.isEmpty == true)
    }
}
