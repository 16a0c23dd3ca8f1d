import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct MNISTCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "mnist",
            abstract: "The paper's §6: the F1 network on MNIST by batch size, momentum and injected noise (Figs 1–6), with gradient-noise scale and sharpness.")

        @Option(help: "Folder with the four MNIST files (default: $SGDIFF_MNIST_DIR, ~/.cache/sgd-diffusion/mnist, ./data/mnist).")
        var mnistDir: String?

        @Option(help: "quick (a 12 000-example subset, shipped in data/mnist-subset; about two minutes) or paper (all 60 000 examples, 3 seeds; about an hour on 2 cores).")
        var fidelity: MNISTFidelity = .quick

        @Option(parsing: .unconditional, help: ArgumentHelp("Batch sizes of Figs 3–4, comma-separated (default: the fidelity's).", valueName: "m,..."))
        var batchSizes: NumberList?

        @Option(parsing: .unconditional, help: ArgumentHelp("Momenta in [0, 1), comma-separated (default: 0,0.9).", valueName: "ρ,..."))
        var momenta: NumberList?

        @Option(parsing: .unconditional, help: "Iterations of every sweep run (default: the fidelity's).")
        var iterations: Int?

        @Option(parsing: .unconditional, help: "Iteration at which an extra run per momentum switches from the small to the large batch (§5); 0: no such run.")
        var scheduleSwitch: Int?

        @Option(parsing: .unconditional, help: "Seeds per sweep configuration; > 1 gives error bars across seeds.")
        var replicates: Int?

        @Option(parsing: .unconditional, help: "Training examples to use (0: all; default: the fidelity's).")
        var trainSubset: Int?

        @Option(parsing: .unconditional, help: "Injected noise σ of the noise-injected large-batch runs (0: none).")
        var noise: Double?

        @Option(parsing: .unconditional, help: "Learning rate η.")
        var lr: Double?

        @Option(parsing: .unconditional, help: "Random seed, a whole number in 0...2^64-1 (default: 1).", transform: parseSeed)
        var seed: UInt64 = 1

        @Option(help: "Output directory; writes DIR/mnist/.")
        var out: String = "results"

        @Flag(help: "Print the result object as JSON to stdout.")
        var json = false

        @Flag(help: "No progress line on stderr.")
        var quiet = false

        @Flag(help: "Discard finished runs and checkpoints instead of resuming.")
        var restart = false

        @Option(help: "Train only shard i of n of the runs (e.g. 2/3) and write DIR/mnist/partial-iofn.json for `sgdiff merge`.")
        var shard: String?

        /// The checks that need no data; the batch sizes against the training set come in run().
        func validate() throws {
            try makeConfiguration().validate(trainingSamples: Int.max)
            if let shard { do { _ = try Shard(parsing: shard) } catch { throw ValidationError("--shard: \(error)") } }
        }

        func makeConfiguration() throws -> MNISTConfiguration {
            var c: MNISTConfiguration
            switch fidelity {
            case .quick: c = .quick(seed: seed)
            case .paper: c = .paper(seed: seed)
            }
            if let batchSizes {
                c.batchSizes = try batchSizes.counts("--batch-sizes", in: 2...60_000)
                c.smallBatch = c.batchSizes.min()!
                c.largeBatch = c.batchSizes.max()!
            }
            if let momenta { c.momenta = try momenta.grid("--momenta") }
            if let iterations {
                guard iterations >= 1, iterations <= 10_000_000 else { throw ValidationError("--iterations must be in 1...10000000, got \(iterations)") }
                c.iterations = iterations
                if let k = c.scheduleSwitch, k >= iterations { c.scheduleSwitch = iterations >= 2 ? iterations / 2 : nil }
            }
            if let scheduleSwitch {
                guard scheduleSwitch >= 0 else { throw ValidationError("--schedule-switch must be >= 0") }
                c.scheduleSwitch = scheduleSwitch == 0 ? nil : scheduleSwitch
            }
            if let replicates {
                guard replicates >= 1, replicates <= 1000 else { throw ValidationError("--replicates must be in 1...1000, got \(replicates)") }
                c.replicates = replicates
            }
            if let trainSubset {
                guard trainSubset >= 0 else { throw ValidationError("--train-subset must be >= 0") }
                c.trainSubset = trainSubset == 0 ? nil : trainSubset
            }
            if let noise { c.injectedNoise = noise }
            if let lr { c.learningRate = lr }
            return c
        }

        func run() throws {
            let configuration = try makeConfiguration()
            let part = try shard.map { text in
                do { return try Shard(parsing: text) } catch { throw ValidationError("--shard: \(error)") }
            }
            let source = MNISTSource(explicitDirectory: mnistDir, download: false)
            guard case .available(let data, let location) = try source.resolve(trainExamples: configuration.trainSubset, log: { note($0, quiet: quiet) }) else {
                throw MNIST.Failure.notFound(MNIST.candidates(explicit: nil).map(\.path))
            }
            try configuration.validate(trainingSamples: data.trainCount)
            if let kernelNote = BLASRuntime.kernelNote { note(kernelNote, quiet: quiet) }
            let directory = URL(fileURLWithPath: out).appendingPathComponent(MNISTStudy.experiment)
            var options = RunOptions(quiet: quiet, restart: restart)
            options.shouldContinue = SGDiff.keepRunning
            if let part, part.count > 1 {
                options.shard = part
                let partial = try MNISTStudy.runShard(configuration, data: data, dataDirectory: location.path, directory: directory, options: options) {
                    note($0, quiet: quiet)
                }
                let url = MNISTShards.partialURL(partial, directory: directory)
                try AtomicFile.write(try JSONOutput.encode(partial), to: url)
                if json { emit(try JSONOutput.string(partial)) }
                note("wrote partial result \(url.path) (\(partial.runs.count) runs); combine all shards with `sgdiff merge`", quiet: quiet)
                return
            }
            let result = try MNISTStudy.run(configuration, data: data, dataDirectory: location.path, directory: directory, options: options) {
                note($0, quiet: quiet)
            }
            try MNISTArtifacts.write(result, to: directory)
            if json { emit(try JSONOutput.string(result)) } else { emit(mnistSummary(result)) }
            note("wrote \(directory.path)/result.json, CSV tables and figures", quiet: quiet)
        }
    }

    struct DataCommand: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "data", abstract: "Fetch the data sets the experiments use.",
                                                        subcommands: [MNISTData.self])

        struct MNISTData: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "mnist",
                abstract: "Download the four MNIST files from a public mirror, verifying their MD5 checksums (files already present and correct are kept).")

            @Option(help: "Target folder (default: ~/.cache/sgd-diffusion/mnist).")
            var dir: String?

            func run() throws {
                let target = dir.map { URL(fileURLWithPath: $0) } ?? MNIST.defaultDirectory
                try MNIST.download(to: target) { note($0, quiet: false) }
                _ = try MNIST.load(directory: target)
                emit("MNIST ready in \(target.path)")
            }
        }
    }
}

func mnistSummary(_ r: MNISTResult) -> String {
    var lines = ["mnist: F1 network, \(r.data.trainCount) training / \(r.data.testCount) test examples, \(r.runs.count) runs"]
    lines.append("  ρ     batch         σ         train %  test %   ‖w−w₀‖    λ_max     trΣ₀/m")
    func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count) }
    for s in r.sweep {
        lines.append("  " + pad(String(s.momentum), 6) + pad(s.schedule ?? "\(s.batchSize)", 14) + pad(String(s.injectedNoise), 10)
                     + String(format: "%6.2f   %6.2f   %7.3f   ", 100 * s.trainAccuracy.mean, 100 * s.testAccuracy.mean, s.finalDistance)
                     + pad(s.sharpness.map { String(format: "%.3g", $0) } ?? "-", 10) + (s.noiseScale.map { String(format: "%.3g", $0) } ?? "-"))
    }
    for c in r.checks { lines.append("  [\(c.verdict.rawValue.uppercased())] \(c.name): \(c.measured)") }
    for c in r.claims { lines.append("  claim \(c.name): \(c.reproduced.map { $0 ? "reproduced" : "not reproduced" } ?? "within error bars") — \(c.measured)") }
    lines.append("verdict: \(r.verdict.rawValue.uppercased())")
    return lines.joined(separator: "\n")
}

/// `sgdiff merge` for the partials of `sgdiff mnist --shard i/n`.
func mergeMNIST(_ files: [String], out: String, json: Bool, quiet: Bool) throws {
    let partials: [MNISTPartial] = try files.map { path in
        do { return try JSONOutput.decoder().decode(MNISTPartial.self, from: Data(contentsOf: URL(fileURLWithPath: path))) } catch {
            throw ValidationError("\(path) is not a partial result of `sgdiff mnist --shard`: \(error)")
        }
    }
    let result = try MNISTShards.merge(partials)
    let directory = URL(fileURLWithPath: out).appendingPathComponent(MNISTStudy.experiment)
    try MNISTArtifacts.write(result, to: directory)
    emit(json ? try JSONOutput.string(result) : mnistSummary(result))
    note("merged \(partials.count) partial results into \(directory.path)", quiet: quiet)
}

/// Whether the file at `path` is a partial of the MNIST study (they differ from the ensembles' partials).
func isMNISTPartial(_ path: String) -> Bool {
    struct Header: Decodable { var schema: String }
    guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)), let header = try? JSONDecoder().decode(Header.self, from: data) else { return false }
    return header.schema == MNISTPartial.schemaName
}
