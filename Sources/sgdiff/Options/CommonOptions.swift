import ArgumentParser
import Foundation
import SGDDiffusion

extension NormalMethod: ExpressibleByArgument {}

/// Options every experiment takes.
struct CommonOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Random seed, a whole number in 0...2^64-1 (default: 1); results are a pure function of the seed and the configuration.",
            transform: parseSeed)
    var seed: UInt64 = 1

    @Option(parsing: .unconditional, help: "Worker threads (results do not depend on it).")
    var threads: Int = EnsembleRunner.availableCores

    @Option(help: "Output directory; each experiment writes DIR/<experiment>/.")
    var out: String = "results"

    @Flag(help: "Print the result object as JSON to stdout.")
    var json = false

    @Flag(help: "No progress line on stderr.")
    var quiet = false

    @Option(help: "Run only shard i of n (e.g. 2/3) and write a partial result for `sgdiff merge`.")
    var shard: String?

    @Flag(help: "Discard an existing checkpoint instead of resuming from it.")
    var restart = false

    @Option(help: ArgumentHelp("Standard-normal generator (box-muller is the default; results differ between them).",
                               valueName: NormalMethod.allCases.map(\.rawValue).joined(separator: "|")))
    var normals: NormalMethod = .standard

    /// What a configuration records: nil for the default, so default runs keep their fingerprints.
    var normalsSetting: NormalMethod? { normals == .standard ? nil : normals }

    func validate() throws {
        guard threads >= 1, threads <= 4096 else { throw ValidationError("--threads must be in 1...4096, got \(threads)") }
        guard !out.isEmpty else { throw ValidationError("--out needs a directory") }
        if let shard { _ = try parsedShard(shard) }
    }

    func parsedShard(_ text: String) throws -> Shard {
        do { return try Shard(parsing: text) } catch { throw ValidationError("--shard: \(error)") }
    }

    func runOptions(experimentDirectory: URL) throws -> RunOptions {
        var options = RunOptions(threads: threads, shard: try shard.map(parsedShard) ?? .whole, quiet: quiet,
                                 checkpointDirectory: experimentDirectory, restart: restart)
        options.shouldContinue = SGDiff.keepRunning
        return options
    }

    var outputDirectory: URL { URL(fileURLWithPath: out) }
}

/// Which built-in problem, with which noise, from where.
struct ProblemOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Built-in problem (see `sgdiff problems`).", valueName: ProblemCatalog.entries.map(\.name).joined(separator: "|")))
    var problem: String = "double-well"

    @Option(help: "Noise model (default: the problem's; see `sgdiff problems`).")
    var noise: NoiseSpec.Kind?

    @Option(help: "Law of the standardised noise.")
    var distribution: NoiseDistribution = .gaussian

    @Option(parsing: .unconditional, help: "Noise scale σ.")
    var sigma: Double?

    @Option(parsing: .unconditional, help: ArgumentHelp("Modulation amplitudes a_i of `modulated` noise, comma-separated.", valueName: "a1,..."))
    var amplitudes: NumberList?

    @Option(parsing: .unconditional, help: ArgumentHelp("Initial point x0, comma-separated.", valueName: "x1,..."))
    var x0: NumberList?

    @Option(parsing: .unconditionalSingleValue, help: ArgumentHelp("Problem parameter (repeatable), e.g. --param tilt=0.1.", valueName: "key=value"))
    var param: [String] = []

    func validate() throws { _ = try spec() }

    /// True when none of these options was changed from its default: a learning problem
    /// (`--model`) refuses them rather than ignoring them.
    var isUntouched: Bool {
        problem == "double-well" && noise == nil && distribution == .gaussian && sigma == nil && amplitudes == nil && x0 == nil && param.isEmpty
    }

    func spec() throws -> ProblemSpec {
        guard let entry = ProblemCatalog.entry(named: problem) else { throw ProblemError.unknownProblem(problem) }
        var noiseSpec = entry.defaultNoise
        if let noise {
            noiseSpec.kind = noise
            if noise == .modulated && noiseSpec.amplitudes.isEmpty { noiseSpec.amplitudes = Array(repeating: 0.5, count: entry.dimension) }
        }
        noiseSpec.distribution = distribution
        if let sigma {
            guard noiseSpec.kind != .minibatch else { throw ValidationError("--sigma does not apply to mini-batch noise (its law comes from the data)") }
            noiseSpec.scale = sigma
        }
        if let amplitudes {
            guard noiseSpec.kind == .modulated else {
                throw ValidationError("--amplitudes applies only to --noise modulated (this run uses \(noiseSpec.kind.rawValue) noise)")
            }
            noiseSpec.amplitudes = try amplitudes.coordinates("--amplitudes")
        }
        var parameters: [String: Double] = [:]
        for item in param {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]) else { throw ValidationError("--param must look like key=value, got '\(item)'") }
            guard value.isFinite else { throw ValidationError("--param \(parts[0]): '\(parts[1])' is not a finite number") }
            guard parameters[parts[0]] == nil else { throw ValidationError("--param \(parts[0]) is given twice") }
            parameters[parts[0]] = value
        }
        return try ProblemSpec(name: problem, noise: noiseSpec, initial: try x0.map { try $0.coordinates("--x0") }, parameters: parameters)
    }
}

/// Writes `text` to stdout followed by a newline.
func emit(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// A one-line note on stderr (suppressed by --quiet).
func note(_ text: String, quiet: Bool) {
    guard !quiet else { return }
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// A warning on stderr, shown even with --quiet: it is about the result, not progress.
func warn(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// A shard's tallies go next to where the merged result will be, named by the shard.
func writePartial(_ partial: PartialResult, directory: URL, json: Bool, quiet: Bool) throws {
    let url = directory.appendingPathComponent("partial-\(partial.shard.index + 1)of\(partial.shard.count).json")
    try AtomicFile.write(try JSONOutput.encode(partial), to: url)
    if json { emit(try JSONOutput.string(partial)) }
    note("wrote partial result \(url.path); combine all shards with `sgdiff merge`", quiet: quiet)
}
