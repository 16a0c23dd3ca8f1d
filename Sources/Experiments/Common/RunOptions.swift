import Ensembles
import Foundation
import Numerics
import Randomness

/// How to run an experiment: threads, which shard, where to checkpoint, what to print.
public struct RunOptions: Sendable {
    public var threads: Int
    public var shard: Shard
    public var quiet: Bool
    /// Directory for the checkpoint file; nil disables checkpointing.
    public var checkpointDirectory: URL?
    /// Discard an existing checkpoint instead of resuming from it.
    public var restart: Bool
    /// Seconds between checkpoint writes.
    public var checkpointInterval: Double
    /// Asked before each block of paths; false stops the run after checkpointing, and the
    /// experiment throws `ExperimentInterrupted`. Rerunning the same command resumes.
    public var shouldContinue: @Sendable () -> Bool = { true }

    public init(threads: Int = EnsembleRunner.availableCores, shard: Shard = .whole, quiet: Bool = false,
                checkpointDirectory: URL? = nil, restart: Bool = false, checkpointInterval: Double = 20) {
        self.threads = threads
        self.shard = shard
        self.quiet = quiet
        self.checkpointDirectory = checkpointDirectory
        self.restart = restart
        self.checkpointInterval = checkpointInterval
    }

    /// A runner configured with these options for a run identified by `fingerprint`.
    /// `otherGenerators` are the fingerprints the same configuration has with the other normal
    /// methods: a checkpoint left by one of them is an error naming both methods, not a silent
    /// fresh start, because the generator cannot change in the middle of a run.
    func runner(experiment: String, fingerprint: String, otherGenerators: [(current: NormalMethod, other: NormalMethod, fingerprint: String)] = [])
        throws -> EnsembleRunner {
        var store: CheckpointStore?
        if let checkpointDirectory {
            // One file per configuration, so runs of different configurations into the same
            // directory each resume their own progress.
            let suffix = (shard.count == 1 ? "" : "-shard\(shard.index + 1)of\(shard.count)") + ".json"
            let name = "checkpoint-\(fingerprint)" + suffix
            let mine = checkpointDirectory.appendingPathComponent(name)
            if !restart && !FileManager.default.fileExists(atPath: mine.path) {
                for g in otherGenerators {
                    let theirs = checkpointDirectory.appendingPathComponent("checkpoint-\(g.fingerprint)" + suffix)
                    if FileManager.default.fileExists(atPath: theirs.path) {
                        throw EnsembleError.checkpointMismatch(
                            "\(theirs.path) was written with --normals \(g.other.rawValue), but this run uses --normals \(g.current.rawValue); "
                            + "rerun with --normals \(g.other.rawValue) to resume it, or pass --restart to start afresh")
                    }
                }
            }
            store = try CheckpointStore(url: checkpointDirectory.appendingPathComponent(name), fingerprint: fingerprint,
                                        interval: checkpointInterval, restart: restart)
        }
        var runner = try EnsembleRunner(threads: threads, progress: ProgressReporter(quiet: quiet), checkpoint: store)
        runner.shouldContinue = shouldContinue
        return runner
    }
}

/// A run stopped before finishing (interrupt signal or `shouldContinue`); its progress is in
/// the checkpoint, and running the same command again resumes it.
public struct ExperimentInterrupted: Error, CustomStringConvertible {
    public var experiment: String
    public var completedPaths: Int
    public var totalPaths: Int
    public var description: String {
        "\(experiment) interrupted after \(completedPaths) of \(totalPaths) paths; progress is checkpointed, rerun the same command to resume"
    }

    /// Throws if any task is incomplete.
    static func check(_ experiment: String, _ tasks: [TaskProgress]) throws {
        var done = 0, total = 0
        for t in tasks {
            for (offset, block) in t.blocks.enumerated() {
                let n = t.plan.pathRange(ofBlock: block).count
                total += n
                if t.completed[offset] { done += n }
            }
        }
        if done < total { throw ExperimentInterrupted(experiment: experiment, completedPaths: done, totalPaths: total) }
    }
}

/// What produced a result.
public struct SoftwareInfo: Sendable, Codable, Equatable {
    public var name = "sgd-diffusion"
    public var version = SoftwareInfo.currentVersion
    public var blasKernel: String
    public var cpu: String
    public var threads: Int
    public var date: String

    public static let currentVersion = "0.1.0"

    public static func current(threads: Int) -> SoftwareInfo {
        SoftwareInfo(blasKernel: BLASRuntime.coreName, cpu: cpuModel(), threads: threads,
                     date: ISO8601DateFormatter().string(from: Date()))
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        return "unknown"
    }
}

/// Theory beside measurement: did the measurement agree?
public enum Verdict: String, Sendable, Codable {
    /// Agrees within the stated tolerance, uncertainty included.
    case pass
    /// Consistent, but the uncertainty is too large to confirm the tolerance: run more paths.
    case inconclusive
    /// Disagrees beyond the uncertainty.
    case fail
}

/// The fingerprints of `configuration` with each normal method other than its own.
func otherGeneratorFingerprints<C: Encodable>(_ configuration: C, _ normals: WritableKeyPath<C, NormalMethod?>) throws
    -> [(current: NormalMethod, other: NormalMethod, fingerprint: String)] {
    let current = configuration[keyPath: normals] ?? .standard
    return try NormalMethod.allCases.filter { $0 != current }.map { other in
        var c = configuration
        c[keyPath: normals] = other == .standard ? nil : other
        return (current, other, try fingerprint(c))
    }
}

/// A stable 64-bit FNV-1a fingerprint of a configuration's canonical JSON, guarding
/// checkpoints and shard merges against mixing runs.
public func fingerprint<C: Encodable>(_ configuration: C) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = try encoder.encode(configuration)
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01b3
    }
    return String(hash, radix: 16)
}
