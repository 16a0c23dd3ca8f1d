import ArgumentParser
import Foundation
import SGDDiffusion

extension NormalMethod: ExpressibleByArgument {}

/// Options every experiment takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "Random seed; results are a pure function of the seed and the configuration.")
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
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
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
    @Option(help: "Built-in problem (see `sgdiff problems`).")
    var problem: String = "double-well"

    @Option(help: ArgumentHelp("Noise model.", valueName: NoiseSpec.Kind.allCases.map(\.rawValue).joined(separator: "|")))
    var noise: String?

    @Option(help: ArgumentHelp("Law of the standardised noise.", valueName: NoiseDistribution.allCases.map(\.rawValue).joined(separator: "|")))
    var distribution: String = "gaussian"

    @Option(parsing: .unconditional, help: "Noise scale σ.")
    var sigma: Double?

    @Option(parsing: .unconditional, help: "Modulation amplitudes a_i of `modulated` noise, comma-separated.")
    var amplitudes: String?

    @Option(parsing: .unconditional, help: "Initial point x0, comma-separated (use --x0=-1,0 for negative values).")
    var x0: String?

    @Option(help: "Problem parameter key=value (repeatable), e.g. --param tilt=0.1.")
    var param: [String] = []

    func spec() throws -> ProblemSpec {
        guard let entry = ProblemCatalog.entry(named: problem) else { throw ProblemError.unknownProblem(problem) }
        var noiseSpec = entry.defaultNoise
        if let noise {
            guard let kind = NoiseSpec.Kind(rawValue: noise) else {
                throw ValidationError("unknown --noise '\(noise)'; choose one of: \(NoiseSpec.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            noiseSpec.kind = kind
            if kind == .modulated && noiseSpec.amplitudes.isEmpty { noiseSpec.amplitudes = Array(repeating: 0.5, count: entry.dimension) }
        }
        guard let law = NoiseDistribution(rawValue: distribution) else {
            throw ValidationError("unknown --distribution '\(distribution)'; choose one of: \(NoiseDistribution.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        noiseSpec.distribution = law
        if let sigma { noiseSpec.scale = sigma }
        if let amplitudes { noiseSpec.amplitudes = try parseList(amplitudes, option: "--amplitudes") }
        var parameters: [String: Double] = [:]
        for item in param {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let value = Double(parts[1]) else { throw ValidationError("--param must look like key=value, got '\(item)'") }
            parameters[parts[0]] = value
        }
        return try ProblemSpec(name: problem, noise: noiseSpec, initial: try x0.map { try parseList($0, option: "--x0") }, parameters: parameters)
    }
}

/// Parses "1,2.5,-3" into doubles, naming the option in the error.
func parseList(_ text: String, option: String) throws -> [Double] {
    let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    guard !parts.isEmpty else { throw ValidationError("\(option) needs at least one number") }
    return try parts.map { part in
        guard let v = Double(part), v.isFinite else { throw ValidationError("\(option): '\(part)' is not a finite number") }
        return v
    }
}

func parseTestFunctions(_ text: String) throws -> [TestFunction] {
    try text.split(separator: ",").map { raw in
        let name = raw.trimmingCharacters(in: .whitespaces)
        guard let phi = TestFunction(rawValue: name) else {
            throw ValidationError("unknown test function '\(name)'; choose from: \(TestFunction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return phi
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

/// A shard's tallies go next to where the merged result will be, named by the shard.
func writePartial(_ partial: PartialResult, directory: URL, json: Bool, quiet: Bool) throws {
    let url = directory.appendingPathComponent("partial-\(partial.shard.index + 1)of\(partial.shard.count).json")
    try AtomicFile.write(try JSONOutput.encode(partial), to: url)
    if json { emit(try JSONOutput.string(partial)) }
    note("wrote partial result \(url.path); combine all shards with `sgdiff merge`", quiet: quiet)
}
