import Foundation
import Numerics
import Persistence

/// The resumable state of one ensemble task: which blocks are done and the exact tally of
/// exactly those blocks.
public struct TaskProgress: Sendable, Equatable, Codable {
    public var plan: EnsemblePlan
    public var blocks: Range<Int>
    public var completed: [Bool]
    public var tally: Tally

    public init(plan: EnsemblePlan, blocks: Range<Int>, tally: Tally) {
        self.plan = plan
        self.blocks = blocks
        completed = Array(repeating: false, count: blocks.count)
        self.tally = tally
    }

    /// Checks that progress read from a file has the shape of `fresh`, this run's empty progress
    /// of the task (one mark per block, the same observables with the same shifts, well-formed
    /// sums), so a damaged or foreign checkpoint is an error and never an index out of range or a
    /// tally merged into the wrong observable.
    func requireShape(of fresh: TaskProgress, task: String) throws {
        func mismatch(_ why: String) -> EnsembleError { .checkpointMismatch("task \(task) in the checkpoint \(why); use --restart to discard it") }
        guard completed.count == fresh.completed.count else {
            throw mismatch("marks \(completed.count) blocks, but this run has \(fresh.completed.count)")
        }
        guard tally.names == fresh.tally.names, tally.moments.count == tally.names.count else {
            throw mismatch("has \(tally.moments.count) observables (\(tally.names.count) names), but this configuration has \(fresh.tally.names.count)")
        }
        guard tally.moments.map(\.shift) == fresh.tally.moments.map(\.shift) else { throw mismatch("has observables shifted differently") }
        guard tally.moments.allSatisfy(\.isWellFormed), tally.counts.values.allSatisfy({ $0 >= 0 }) else { throw mismatch("has a malformed tally") }
    }

    public var isComplete: Bool { completed.allSatisfy { $0 } }
    public var completedCount: Int { completed.lazy.filter { $0 }.count }
}

/// A checkpoint file holding the progress of every task of one run, keyed by task name and
/// guarded by a fingerprint of the run's configuration. Written atomically, so a run killed at
/// any moment resumes from its last checkpoint and, because sums are exact, ends with bitwise
/// the result it would have had without the interruption.
public final class CheckpointStore: @unchecked Sendable {
    public let url: URL
    public let fingerprint: String
    private let lock = NSLock()
    private var tasks: [String: TaskProgress] = [:]
    private var lastWrite = Date.distantPast
    public var interval: TimeInterval

    struct File: Codable {
        var fingerprint: String
        var tasks: [String: TaskProgress]
        /// Fingerprint of `tasks` (names included) when written: a file changed since, say a task
        /// renamed onto another's tallies, is refused rather than resumed into a mixed result.
        var digest: String?
    }

    /// Opens (or starts) a checkpoint. A file with a different fingerprint is an error: the
    /// user changed the configuration and should choose a fresh output directory or `--restart`.
    public init(url: URL, fingerprint: String, interval: TimeInterval = 20, restart: Bool = false) throws {
        self.url = url
        self.fingerprint = fingerprint
        self.interval = interval
        if !restart, let data = try? Data(contentsOf: url) {
            let file: File
            do { file = try JSONDecoder().decode(File.self, from: data) } catch {
                throw EnsembleError.checkpointMismatch("\(url.path) is not a readable checkpoint (\(error)); use --restart to discard it")
            }
            guard file.fingerprint == fingerprint else {
                throw EnsembleError.checkpointMismatch("\(url.path) was written for a different configuration; use --restart to discard it")
            }
            if let digest = file.digest, (try? Persistence.fingerprint(file.tasks)) != digest {
                throw EnsembleError.checkpointMismatch("\(url.path) was changed after it was written (its tallies do not match their digest); use --restart to discard it")
            }
            tasks = file.tasks
        }
    }

    /// Whether `record` would write now; lets callers skip building a snapshot.
    public func isDue() -> Bool { lock.withLock { Date().timeIntervalSince(lastWrite) >= interval } }

    public func progress(for task: String) -> TaskProgress? { lock.withLock { tasks[task] } }

    /// Records progress (ignoring a snapshot older than one already recorded, which a slower
    /// thread may offer late); writes the file if `force` or the interval has passed. Writes are
    /// serialised, so the file always holds the newest recorded state.
    public func record(_ progress: TaskProgress, for task: String, force: Bool = false) throws {
        try lock.withLock {
            if let known = tasks[task], known.completedCount > progress.completedCount { return }
            tasks[task] = progress
            let now = Date()
            guard force || now.timeIntervalSince(lastWrite) >= interval else { return }
            lastWrite = now
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let file = File(fingerprint: fingerprint, tasks: tasks, digest: try Persistence.fingerprint(tasks))
            try AtomicFile.write(try encoder.encode(file), to: url)
        }
    }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
