import Foundation
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
            try AtomicFile.write(try encoder.encode(File(fingerprint: fingerprint, tasks: tasks)), to: url)
        }
    }

    public func remove() { try? FileManager.default.removeItem(at: url) }
}
