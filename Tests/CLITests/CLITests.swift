import Foundation
import Testing
import TestSupport

/// Runs the real `sgdiff` binary built beside this test bundle.
struct Tool {
    static let executable = builtProduct("sgdiff")

    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    @discardableResult
    static func run(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> Output {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}

@Suite(.serialized) struct CLITests {
    @Test func helpListsTheCommands() throws {
        let help = try Tool.run(["--help"])
        #expect(help.status == 0)
        for command in ["reproduce", "weak-error", "simulate", "escape-saddle", "escape-minimum", "mnist", "data", "merge", "bench", "problems"] {
            #expect(help.stdout.contains(command), "missing \(command)")
        }
    }

    @Test func problemsAreListed() throws {
        let out = try Tool.run(["problems"])
        #expect(out.status == 0)
        for name in ["quadratic", "double-well", "double-well-2d", "saddle", "least-squares"] { #expect(out.stdout.contains(name)) }
    }

    /// Every bad input: non-zero exit and a one-line error that names the value.
    @Test(arguments: [
        (["weak-error", "--etas", "0,0.1"], "invalid η: 0.0"),
        (["weak-error", "--etas=-0.1,0.1"], "invalid η: -0.1"),
        (["weak-error", "-T", "-1"], "invalid horizon T: -1.0"),
        (["weak-error", "--paths", "0"], "invalid paths N: 0"),
        (["weak-error", "--sde-step", "0"], "invalid SDE step h: 0.0"),
        (["weak-error", "--problem", "nope"], "unknown problem 'nope'"),
        (["weak-error", "--phi", "x^3"], "The value 'x^3' is invalid for '--phi"),
        (["weak-error", "--shard", "4/3"], "shard 4/3 is out of range"),
        (["weak-error", "--shard", "two/3"], "must look like i/n"),
        (["simulate", "--problem", "least-squares", "--param", "batch=65"], "m = 65 exceeds M = 64"),
        (["simulate", "--problem", "least-squares", "--param", "batch=0"], "invalid batch: 0.0 (need an integer in 1...1000000)"),
        (["simulate", "--eta", "0"], "invalid η: 0.0"),
        (["simulate", "--threads", "0"], "--threads must be in 1...4096, got 0"),
        (["weak-error", "--distribution", "cauchy"], "The value 'cauchy' is invalid for '--distribution <distribution>'. Please provide one of 'gaussian', 'rademacher' or 'uniform'."),
        (["weak-error", "--x0", "1,2"], "initial point x0 needs 1 values, got 2"),
        (["bench", "sde", "-N", "0"], "-N must be in 1...2^32, got 0"),
        (["merge", "/nonexistent/partial.json"], "cannot read /nonexistent/partial.json"),
        (["reproduce", "--fidelity", "medium"], "unknown --fidelity 'medium'"),
        (["escape-saddle", "--problem", "double-well-2d", "--point=0.5,0"], "is not a stationary point"),
        (["escape-saddle", "--problem", "double-well-2d", "--param", "stiffness=0"], "is degenerate"),
        (["escape-saddle", "--problem", "double-well-2d", "--point=-1,0"], "is a minimum, not a saddle or maximum"),
        (["escape-saddle", "--problem", "saddle", "--off", "2"], "invalid off-manifold distance"),
        (["escape-saddle", "--problem", "saddle", "--sde-etas", "0,1e-3"], "invalid η: 0.0"),
        (["escape-saddle", "--problem", "saddle", "--sde-step", "0"], "invalid SDE step h: 0.0"),
        (["escape-minimum", "--domain", "0,2"], "is not inside the domain"),
        (["escape-minimum", "--etas", "0.05", "--pde-points", "20", "--splitting-etas", ""], "use at least"),
        (["escape-minimum", "--etas", "-0.1"], "invalid η: -0.1"),
        (["mnist", "--fidelity", "full"], "The value 'full' is invalid for '--fidelity"),
        (["mnist", "--mnist-dir", "/nonexistent/mnist"], "run `sgdiff data mnist` to download it"),
        (["mnist", "--batch-sizes", "0,128"], "--batch-sizes: 0 is not a whole number in 2...60000"),
        (["mnist", "--train-subset=-5"], "--train-subset must be >= 0"),
        (["mnist", "--schedule-switch=-1"], "--schedule-switch must be >= 0"),
        (["reproduce", "--mnist-dir", "/nonexistent/mnist"], "MNIST not found (looked in /nonexistent/mnist)"),
        // choices are enums: an unknown one is listed with the allowed values
        (["weak-error", "--stepper", "rk4"], "Please provide one of 'euler-maruyama' and 'platen-weak2'"),
        (["weak-error", "--noise", "pink"], "The value 'pink' is invalid for '--noise <noise>'"),
        (["weak-error", "--path-scaling", "quartic"], "The value 'quartic' is invalid for '--path-scaling"),
        (["bench", "sde", "--precisions", "float16"], "The value 'float16' is invalid for '--precisions"),
        (["bench", "mlp", "--optimizers", "adam"], "The value 'adam' is invalid for '--optimizers"),
        // user numbers that become counts: each once trapped (Double -> Int overflow)
        (["weak-error", "--etas", "1e-300,0.05"], "SGD steps (at most"),
        (["weak-error", "--sde-step", "1e-300"], "needs more than 4096 substeps per SGD step"),
        (["escape-saddle", "--problem", "saddle", "--max-time", "1e308"], "invalid time limit: 1e+308"),
        (["escape-minimum", "--sigma", "0"], "invalid noise scale σ: 0.0 (must be > 0"),
        (["escape-minimum", "--domain=-1e308,1e308"], "bounds must lie within ±1e6"),
        (["escape-minimum", "--pde-points", "1e300"], "--pde-points: 1e+300 is not a whole number in 3...100000"),
        (["simulate", "--problem", "least-squares", "--param", "dataSeed=-3.7"], "invalid dataSeed: -3.7"),
        (["simulate", "--problem", "least-squares", "--param", "batch=1e300"], "invalid batch: 1e+300"),
        (["bench", "blas", "--sizes", "1e300"], "--sizes: 1e+300 is not a whole number in 1...8192"),
        (["bench", "mlp", "--seconds", "1e300"], "--seconds must be in (0, 3600]"),
        // meaningless or repeated options are refused
        (["weak-error", "--paths", "1"], "invalid paths N: 1 (need at least 4 for a standard error"),
        (["weak-error", "--paths", "1", "--no-antithetic"], "invalid paths N: 1 (need at least 2 for a standard error)"),
        (["weak-error", "--problem", "double-well", "--amplitudes", "0.5"], "--amplitudes applies only to --noise modulated"),
        (["escape-minimum", "--bridge-eta=-1"], "--bridge-eta must be positive, or 0 to skip"),
        (["escape-saddle", "--problem", "saddle", "--max-time", "0"], "invalid time limit: 0.0"),
        (["escape-minimum", "--max-time", "0"], "invalid time limit: 0.0"),
        (["weak-error", "--etas", "0.1,0.05,0.1"], "--etas lists 0.1 twice"),
        (["weak-error", "--phi", "x,x^2,x"], "--phi lists 'x' twice"),
        (["escape-saddle", "--problem", "saddle", "--sde-etas", "1e-2,1e-2"], "--sde-etas lists 0.01 twice"),
        (["simulate", "--param", "tilt=1", "--param", "tilt=2"], "--param tilt is given twice"),
        (["simulate", "--problem", "least-squares", "--sigma", "2"], "--sigma does not apply to mini-batch noise"),
        (["merge", "a.json", "a.json"], "a.json is given twice"),
        (["simulate", "--param", "tilt=nan"], "--param tilt: 'nan' is not a finite number"),
        (["weak-error", "--etas", "0.1,nan"], "The value '0.1,nan' is invalid for '--etas <η,...>'"),
        // negative numbers are values, not options
        (["weak-error", "--seed", "-1"], "The value '-1' is invalid for '--seed <seed>': a seed is a whole number in 0...18446744073709551615"),
        (["mnist", "--seed", "-1"], "a seed is a whole number"),
        (["mnist", "--iterations", "-3"], "--iterations must be in 1...10000000, got -3"),
        (["bench", "sde", "-N", "-5"], "-N must be in 1...2^32, got -5"),
        (["weak-error", "--threads", "-2"], "--threads must be in 1...4096, got -2"),
        (["weak-error", "--data", "x.csv"], "--data, --synthetic and --digits need --model"),
        (["weak-error", "--model", "logistic", "--data", "missing.csv", "--label", "y"], "missing.csv"),
        (["weak-error", "--model", "logistic", "--synthetic", "100,5", "--batch", "101"], "batch size 101 must lie in 1…M"),
        (["weak-error", "--model", "logistic", "--synthetic", "100"], "--synthetic takes two whole numbers M,p"),
        (["weak-error", "--model", "logistic", "--synthetic", "100,5", "--digits", "3,5"], "give one data source"),
        (["weak-error", "--model", "logistic", "--synthetic", "100,5", "--phi", "x^2"], "belong to the built-in landscapes"),
        (["weak-error", "--model", "logistic", "--synthetic", "100,5", "--svag", "3"], "SVAG level 3 must be at least 2 and divide 2r = 4"),
        (["weak-error", "--model", "softmax", "--synthetic", "100,5", "--classes", "1"], "--classes must lie in 2…100000"),
        (["weak-error", "--model", "logistic", "--digits", "3,3"], "--digits needs at least two different digits"),
        (["weak-error", "--model", "tree"], "tree"),
        (["bench", "finite-sum", "-M", "1"], "-M must be in 2...2^20, got 1"),
        (["simulate", "--momentum", "0.5"], "--momentum and --inject need --model"),
        (["weak-error", "--model", "logistic", "--synthetic", "50,3", "--problem", "quadratic"], "with --model the problem (and its noise) comes from the data"),
        (["simulate", "--model", "logistic", "--synthetic", "50,3", "--momentum", "1"], "momentum ρ must lie in [0, 1)"),
        (["simulate", "--model", "logistic", "--synthetic", "50,3", "--every", "0"], "--every must lie in 1…steps"),
        // an MLP: --hidden W[,W2] with --model as its output loss
        (["weak-error", "--model", "logistic", "--synthetic", "100,5", "--hidden", "0"], "--hidden widths must be whole numbers in 1…4096, got 0"),
        (["weak-error", "--model", "logistic", "--synthetic", "100,5", "--hidden", "-3"], "--hidden widths must be whole numbers in 1…4096, got -3"),
        (["weak-error", "--model", "logistic", "--synthetic", "100,5", "--hidden", "2.5"], "--hidden widths must be whole numbers in 1…4096, got 2.5"),
        (["weak-error", "--model", "logistic", "--synthetic", "100,5", "--hidden", "5000"], "--hidden widths must be whole numbers in 1…4096, got 5000"),
        (["weak-error", "--model", "logistic", "--synthetic", "100,5", "--hidden", "4,4,4"], "--hidden takes one or two widths W[,W2]"),
        (["weak-error", "--model", "logistic", "--synthetic", "100,5", "--activation", "tanh"], "--activation needs --hidden"),
        (["simulate", "--model", "logistic", "--synthetic", "100,5", "--hidden", "4", "--activation", "relu"], "The value 'relu' is invalid for '--activation"),
        (["weak-error", "--model", "logistic", "--synthetic", "100,5", "--batch-schedule", "8,16@0.25", "--etas", "0.1"],
         "the change at s = 0.25 is not a whole number of SGD steps at η = 0.1"),
        (["simulate", "--model", "logistic", "--synthetic", "100,5", "--batch-schedule", "8,101@1"], "batch size 101 exceeds the training set's size M = 100"),
        (["simulate", "--model", "logistic", "--synthetic", "100,5", "--batch-schedule", "8,16"], "needs the time it starts at, as m@s"),
        (["simulate", "--model", "logistic", "--synthetic", "100,5", "--batch-schedule", "log:0,8"], "C must be a positive number"),
        (["weak-error", "--batch-schedule", "8"], "--batch-schedule needs --model"),
        (["escape-saddle", "--model", "logistic", "--synthetic", "50,1", "--batch-schedule", "8"], "--batch-schedule applies to weak-error and simulate"),
        (["simulate", "--hidden", "4"], "--hidden and --activation need --model"),
        (["weak-error", "--activation", "softplus"], "--hidden and --activation need --model"),
    ])
    func badInputFailsClearly(arguments: [String], message: String) throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(arguments.first == "bench" ? arguments : arguments + ["--quiet"], in: directory.url)
        #expect(out.status != 0, "\(arguments) exited 0")
        #expect(out.status < 128, "\(arguments) died of a signal")
        #expect(out.stderr.contains(message), "\(arguments): \(out.stderr)")
        #expect(!out.stderr.contains("Error Domain="), "\(arguments): \(out.stderr)")
        // nothing written half: a refused input leaves no result behind
        let written = FileManager.default.enumerator(atPath: directory.url.path)?.compactMap { $0 as? String } ?? []
        #expect(!written.contains { $0.hasSuffix("result.json") || $0.hasSuffix(".csv") }, "\(arguments) wrote \(written)")
    }

    /// A user's CSV through `weak-error --model`: each broken file is one line naming the file and
    /// the line (and column where there is one), a non-zero exit, and no result written.
    @Test(arguments: [
        ("y,a,b\n0,1,2\n1,3\n", "line 3", "ragged"),
        ("y,a,b\n0,1,2\n1,x,2\n", "line 3, column 2", "non-numeric"),
        ("y,a,b\n0,1,2\n1,nan,2\n", "line 3", "not finite"),
        ("y,a,b\n", "", "zero rows"),
        ("z,a,b\n0,1,2\n1,3,4\n", "", "label column"),
        ("y,a,b\n0,1,2\n2,3,4\n1,5,6\n", "line 3", "labels 0 or 1"),
    ])
    func brokenDataFilesFailClearly(contents: String, position: String, what: String) throws {
        let directory = TemporaryDirectory()
        let file = directory.url.appendingPathComponent("data.csv")
        try Data(contents.utf8).write(to: file)
        let out = try Tool.run(["weak-error", "--model", "logistic", "--data", file.path, "--label", "y", "--batch", "1", "--etas", "0.1",
                                "--paths", "4", "--quiet"], in: directory.url)
        #expect(out.status != 0 && out.status < 128, "\(what): exit \(out.status)")
        let line = out.stderr.split(separator: "\n").first { $0.contains("data.csv") }
        #expect(line != nil, "\(what): \(out.stderr)")
        if !position.isEmpty { #expect(out.stderr.contains(position), "\(what): \(out.stderr)") }
        let written = FileManager.default.enumerator(atPath: directory.url.path)?.compactMap { $0 as? String } ?? []
        #expect(!written.contains { $0.hasSuffix("result.json") }, "\(what) wrote \(written)")
    }

    /// The README's two commands for a user's CSV: weak-error on it, JSON out, files written.
    @Test func userCSVGoesThroughWeakError() throws {
        let directory = TemporaryDirectory()
        var text = "label,f1,f2,f3\n"
        for i in 0..<120 { text += "\(i % 2),\(Double(i % 7) / 7),\(Double(i % 5) / 5 - 0.4),\(Double((i * 3) % 11) / 11)\n" }
        let file = directory.url.appendingPathComponent("mine.csv")
        try Data(text.utf8).write(to: file)
        let out = try Tool.run(["weak-error", "--model", "logistic", "--data", file.path, "--label", "label", "--batch", "8", "--etas", "0.2,0.1",
                                "--paths", "64", "--json", "--quiet"], in: directory.url)
        #expect(out.status == 0, "\(out.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect(result?["schema"] as? String == "sgdiff.learning-weak-error/1")
        #expect(result?["dimension"] as? Int == 4)
        #expect(result?["samples"] as? Int == 96)
        for name in ["result.json", "rows.csv", "fits.csv", "weak-error-train-loss.svg", "svag-distance.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("results/learning-weak-error/\(name)").path), "\(name)")
        }
    }

    /// An MLP end to end: the configuration records its widths, activation and the seeded x₀,
    /// d counts every layer (p = 3 + intercept: 4·5 + 6·2 + 3·1 = 35), and both studies run;
    /// a linear model's configuration has none of the MLP's fields.
    @Test func mlpGoesThroughWeakErrorAndSimulate() throws {
        let directory = TemporaryDirectory()
        let mlp = ["--model", "logistic", "--synthetic", "80,3", "--synthetic-test", "40", "--hidden", "5,2", "--activation", "softplus",
                   "--batch", "8", "--seed", "7", "--json", "--quiet"]
        let weak = try Tool.run(["weak-error"] + mlp + ["--etas", "0.2,0.1", "--paths", "16", "--out", "w"], in: directory.url)
        #expect(weak.status == 0, "\(weak.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(weak.stdout.utf8)) as? [String: Any]
        #expect(result?["dimension"] as? Int == 35)
        let problem = (result?["configuration"] as? [String: Any])?["problem"] as? [String: Any]
        #expect(problem?["hidden"] as? [Int] == [5, 2])
        #expect(problem?["activation"] as? String == "softplus")
        let initialization = problem?["initialization"] as? [String: Any]
        #expect(initialization?["scheme"] as? String == "glorot-normal" && initialization?["seed"] as? Int == 7)
        let simulate = try Tool.run(["simulate"] + mlp + ["--steps", "10", "--every", "5", "--paths", "8", "--out", "s"], in: directory.url)
        #expect(simulate.status == 0, "\(simulate.stderr)")
        let linear = try Tool.run(["weak-error", "--model", "logistic", "--synthetic", "80,3", "--etas", "0.2", "--paths", "8", "--json", "--quiet",
                                   "--out", "l"], in: directory.url)
        let linearProblem = ((try JSONSerialization.jsonObject(with: Data(linear.stdout.utf8)) as? [String: Any])?["configuration"]
            as? [String: Any])?["problem"] as? [String: Any]
        #expect(linearProblem != nil && ["hidden", "activation", "initialization"].allSatisfy { linearProblem?[$0] == nil })
    }

    /// ... and through `simulate`, with momentum: trajectories of all three, split in two shards
    /// that merge into exactly the whole run.
    @Test func userCSVGoesThroughSimulateAndShardsMerge() throws {
        let directory = TemporaryDirectory()
        var text = "f1,f2,label\n"
        for i in 0..<100 { text += "\(Double(i % 9) / 9),\(Double(i % 4) / 4 - 0.3),\(i % 3 == 0 ? 1 : 0)\n" }
        let file = directory.url.appendingPathComponent("mine.csv")
        try Data(text.utf8).write(to: file)
        let base = ["simulate", "--model", "logistic", "--data", file.path, "--label", "label", "--batch", "4", "--eta", "0.1", "--steps", "20",
                    "--every", "5", "--paths", "130", "--momentum", "0.5", "--quiet"]
        let whole = try Tool.run(base + ["--json", "--out", "whole"], in: directory.url)
        #expect(whole.status == 0, "\(whole.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(whole.stdout.utf8)) as? [String: Any]
        #expect(result?["schema"] as? String == "sgdiff.learning-simulate/1")
        #expect((result?["points"] as? [Any])?.count == 15)
        for i in 1...2 { #expect(try Tool.run(base + ["--shard", "\(i)/2", "--out", "parts"], in: directory.url).status == 0) }
        let parts = directory.url.appendingPathComponent("parts/learning-simulate")
        let partials = try FileManager.default.contentsOfDirectory(atPath: parts.path).filter { $0.hasPrefix("partial") }.map { parts.appendingPathComponent($0).path }
        #expect(partials.count == 2)
        let merged = try Tool.run(["merge"] + partials + ["--json", "--out", "merged", "--quiet"], in: directory.url)
        #expect(merged.status == 0, "\(merged.stderr)")
        let m = try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)) as? [String: Any]
        #expect(NSArray(array: m?["points"] as? [Any] ?? []) == NSArray(array: result?["points"] as? [Any] ?? [1]))
    }

    /// `sgdiff mnist` end to end on a tiny synthetic data set: JSON on stdout, files on disk.
    @Test func mnistRunsOnSyntheticFiles() throws {
        let directory = TemporaryDirectory()
        let data = directory.url.appendingPathComponent("data")
        try writeSyntheticMNISTFiles(to: data, train: 300, test: 60)
        let out = try Tool.run(["mnist", "--mnist-dir", data.path, "--batch-sizes", "16,64", "--iterations", "4", "--train-subset", "0",
                                "--momenta", "0", "--json", "--quiet"], in: directory.url)
        #expect(out.status == 0, "\(out.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect(result?["schema"] as? String == "sgdiff.mnist/1")
        let runs = (result?["runs"] as? [Any])?.count
        #expect(runs == 10)  // 3 sweep runs, 1 scheduled, 2 anchors, 4 warm starts
        for file in ["result.json", "sweep.csv", "fig1-distance-rho0.0.svg", "fig5-warm-start-small.svg", "sharpness.svg"] {
            #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("results/mnist/\(file)").path), "\(file)")
        }
    }

    @Test func divergenceExitsNonZeroAndIsReported() throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(["weak-error", "--etas", "1,0.5", "--sigma", "3", "--paths", "1000", "--quiet"], in: directory.url)
        #expect(out.status != 0)
        #expect(out.stderr.contains("diverged"))
        #expect(out.stdout.contains("undefined"))
        #expect(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("results/weak-error/rows.csv").path))
    }

    /// Three shards merged equal the unsharded run, and 1 thread equals 2 threads, byte for byte.
    @Test func shardsMergeAndThreadsAgree() throws {
        let directory = TemporaryDirectory()
        let base = ["weak-error", "--problem", "double-well-2d", "--etas", "0.1,0.05", "--paths", "6000", "--phi", "x,x^2", "--quiet"]
        #expect(try Tool.run(base + ["--out", "whole", "--threads", "2"], in: directory.url).status == 0)
        #expect(try Tool.run(base + ["--out", "single", "--threads", "1"], in: directory.url).status == 0)
        for i in 1...3 { #expect(try Tool.run(base + ["--out", "parts", "--shard", "\(i)/3"], in: directory.url).status == 0) }
        let partials = (1...3).map { "parts/weak-error/partial-\($0)of3.json" }
        #expect(try Tool.run(["merge"] + partials + ["--out", "merged", "--quiet"], in: directory.url).status == 0)
        let read = { (path: String) in try String(contentsOf: directory.url.appendingPathComponent(path), encoding: .utf8) }
        let whole = try read("whole/weak-error/rows.csv")
        #expect(try read("single/weak-error/rows.csv") == whole)
        #expect(try read("merged/weak-error/rows.csv") == whole)
        #expect(try Tool.run(["merge", partials[0], partials[2]], in: directory.url).stderr.contains("blocks missing"))
    }

    /// SIGKILL mid-run, rerun the same command: the result equals an uninterrupted run, for
    /// every study that checkpoints (escape-minimum's splitting phase included).
    @Test(arguments: [
        KilledRun(["weak-error", "--problem", "double-well", "--distribution", "rademacher", "--etas", "0.1,0.05,0.025", "--paths", "6000000"],
                  files: ["rows.csv"]),
        KilledRun(["escape-saddle", "--problem", "saddle", "--sde-etas", "1e-2,1e-4,1e-6", "--sgd-etas", "1e-2", "--paths", "40000",
                   "--sgd-paths", "1000"], files: ["exit-times.csv"]),
        KilledRun(["escape-minimum", "--etas", "0.25,0.2,0.15", "--sgd-etas", "0.25", "--paths", "4000", "--sgd-paths", "500",
                   "--splitting-etas", "0.1,0.08", "--runs", "16", "--replicas", "50", "--cycles", "200", "--bridge-eta", "0"],
                  files: ["exit-times.csv"]),
    ])
    func killedRunResumes(_ run: KilledRun) throws {
        let directory = TemporaryDirectory()
        let args = run.arguments + ["--quiet", "--threads", "2"]
        let process = Process()
        process.executableURL = Tool.executable
        process.arguments = args + ["--out", "killed"]
        process.currentDirectoryURL = directory.url
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // wait for a first checkpoint (written every 20 s or at the end of each task), then kill
        let killedDir = directory.url.appendingPathComponent("killed/\(run.experiment)")
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: killedDir.path)) ?? []
            if files.contains(where: { $0.hasPrefix("checkpoint-") && $0.hasSuffix(".json") }) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: killedDir.appendingPathComponent("result.json").path), "run finished before it was killed")
        #expect(try Tool.run(args + ["--out", "killed"], in: directory.url).status == 0)
        #expect(try Tool.run(args + ["--out", "straight"], in: directory.url).status == 0)
        let read = { (path: String) in try String(contentsOf: directory.url.appendingPathComponent(path), encoding: .utf8) }
        for file in run.files {
            #expect(try read("killed/\(run.experiment)/\(file)") == read("straight/\(run.experiment)/\(file)"), "\(file) differs")
        }
        let results = try ["killed", "straight"].map { try resultValues(directory.url.appendingPathComponent("\($0)/\(run.experiment)/result.json")) }
        #expect(results[0] == results[1], "result.json differs in more than the run's own fields")
    }

    /// A checkpoint edited by hand (one task's tallies given another shape) is refused with a
    /// one-line error, whether or not the edit kept the file's digest consistent.
    @Test func tamperedCheckpointIsRefused() throws {
        let directory = TemporaryDirectory()
        let args = ["escape-saddle", "--problem", "saddle", "--sde-etas", "1e-2,1e-3", "--sgd-etas", "", "--paths", "2000", "--quiet", "--out", "run"]
        #expect(try Tool.run(args, in: directory.url).status == 0)
        let folder = directory.url.appendingPathComponent("run/escape-saddle")
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix("checkpoint-") })
        let url = folder.appendingPathComponent(name)
        var file = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var tasks = try #require(file["tasks"] as? [String: Any])
        var task = try #require(tasks["sde/on/0.01"] as? [String: Any])
        var tally = try #require(task["tally"] as? [String: Any])
        tally["names"] = (tally["names"] as? [Any]).map { Array($0.dropLast()) }
        tally["moments"] = (tally["moments"] as? [Any]).map { Array($0.dropLast()) }
        task["tally"] = tally
        tasks["sde/on/0.01"] = task
        file["tasks"] = tasks
        try JSONSerialization.data(withJSONObject: file).write(to: url)
        let changed = try Tool.run(args, in: directory.url)
        #expect(changed.status != 0)
        #expect(changed.stderr.contains("was changed after it was written"), "\(changed.stderr)")
        file["digest"] = nil
        try JSONSerialization.data(withJSONObject: file).write(to: url)
        let reshaped = try Tool.run(args, in: directory.url)
        #expect(reshaped.status != 0)
        #expect(reshaped.stderr.contains("task sde/on/0.01 in the checkpoint has"), "\(reshaped.stderr)")
        #expect(reshaped.stderr.split(separator: "\n").count == 1, "\(reshaped.stderr)")
        #expect(try Tool.run(args + ["--restart"], in: directory.url).status == 0)
    }

    @Test func escapeShardsMergeToTheWholeRun() throws {
        let directory = TemporaryDirectory()
        let base = ["escape-saddle", "--problem", "saddle", "--sde-etas", "1e-2,1e-4", "--sgd-etas", "1e-2", "--paths", "3000", "--sgd-paths", "500", "--quiet"]
        #expect(try Tool.run(base + ["--out", "whole"], in: directory.url).status == 0)
        for i in 1...3 { #expect(try Tool.run(base + ["--out", "parts", "--shard", "\(i)/3"], in: directory.url).status == 0) }
        let partials = (1...3).map { "parts/escape-saddle/partial-\($0)of3.json" }
        let merged = try Tool.run(["merge"] + partials + ["--out", "merged", "--quiet"], in: directory.url)
        #expect(merged.status == 0, "\(merged.stderr)")
        let read = { (path: String) in try String(contentsOf: directory.url.appendingPathComponent(path), encoding: .utf8) }
        #expect(try read("merged/escape-saddle/exit-times.csv") == read("whole/escape-saddle/exit-times.csv"))
    }

    @Test func jsonOutputIsTheResultObject() throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(["weak-error", "--problem", "quadratic", "--phi", "x^2", "--etas", "0.1,0.05", "--paths", "4000", "--json", "--quiet"],
                               in: directory.url)
        #expect(out.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        #expect(object?["schema"] as? String == "sgdiff.weak-error/1")
        #expect((object?["rows"] as? [Any])?.count == 2)
    }

    /// The kernel OpenBLAS runs after sgdiff's own choice, and its products against the naive loop.
    @Test func blasKernelIsChosenAndCorrect() throws {
        let out = try Tool.run(["bench", "blas", "--sizes", "96,200", "--repeats", "1", "--verify", "--json"])
        #expect(out.status == 0, "\(out.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any]
        let kernel = (report?["kernel"] as? String)?.lowercased() ?? ""
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil, let recommended = report?["recommendedKernel"] as? String {
            let adequate: [String: [String]] = ["SkylakeX": ["skylakex", "cooperlake", "sapphirerapids"], "Cooperlake": ["cooperlake", "sapphirerapids"],
                                                "Haswell": ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]]
            #expect(adequate[recommended]?.contains(kernel) ?? true, "running \(kernel), recommended \(recommended)")
        }
        let ratios = (report?["measurements"] as? [[String: Any]])?.compactMap { $0["errorRatio"] as? Double } ?? []
        #expect(!ratios.isEmpty && ratios.allSatisfy { $0 <= 1 })
    }

    @Test func simulateWritesTrajectories() throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(["simulate", "--problem", "saddle", "--eta", "0.05", "--steps", "40", "--every", "10", "--paths", "2000", "--quiet"],
                               in: directory.url)
        #expect(out.status == 0, "\(out.stderr)")
        let csv = try String(contentsOf: directory.url.appendingPathComponent("results/simulate/trajectory.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 4 * 2)
    }
}

/// One study command for `killedRunResumes`, and the files of its result to compare.
struct KilledRun: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    var files: [String]
    init(_ arguments: [String], files: [String]) { (self.arguments, self.files) = (arguments, files) }
    var experiment: String { arguments[0] }
    var testDescription: String { experiment }
}

/// result.json without the fields that record the run rather than the result (those
/// scripts/compare-results ignores), as canonical JSON.
func resultValues(_ url: URL) throws -> Data {
    let runFields: Set<String> = ["software", "wallSeconds", "seconds", "trainingSeconds", "warmupSeconds", "date", "directReach", "splittingReach"]
    func scrub(_ value: Any) -> Any {
        if let object = value as? [String: Any] { return object.filter { !runFields.contains($0.key) }.mapValues(scrub) }
        if let array = value as? [Any] { return array.map(scrub) }
        return value
    }
    return try JSONSerialization.data(withJSONObject: scrub(try JSONSerialization.jsonObject(with: Data(contentsOf: url))), options: [.sortedKeys])
}
