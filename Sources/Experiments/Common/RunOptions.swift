import Ensembles
import Foundation
import Numerics
import Persistence
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
    @usableFromInline
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

    @usableFromInline
    init(experiment: String, completedPaths: Int, totalPaths: Int) {
        (self.experiment, self.completedPaths, self.totalPaths) = (experiment, completedPaths, totalPaths)
    }

    public var description: String {
        "\(experiment) interrupted after \(completedPaths) of \(totalPaths) paths; progress is checkpointed, rerun the same command to resume"
    }

    /// Throws if any task is incomplete.
    @usableFromInline static func check(_ experiment: String, _ tasks: [TaskProgress]) throws {
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

/// The fingerprints of `configuration` with each normal method other than its own.
@usableFromInline
func otherGeneratorFingerprints<C: Encodable>(_ configuration: C, _ normals: WritableKeyPath<C, NormalMethod?>) throws
    -> [(current: NormalMethod, other: NormalMethod, fingerprint: String)] {
    let current = configuration[keyPath: normals] ?? .standard
    return try NormalMethod.allCases.filter { $0 != current }.map { other in
        var c = configuration
        c[keyPath: normals] = other == .standard ? nil : other
        return (current, other, try fingerprint(c))
    }
}
