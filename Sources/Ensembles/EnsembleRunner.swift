import Foundation
import Synchronization

/// Runs an ensemble's blocks on a pool of threads and merges their tallies.
///
/// Threads take the next unfinished block from a shared counter; each block's tally is merged
/// into the task's tally under a lock together with the block's "done" mark, so a checkpoint
/// always holds exactly the blocks it claims. Exact summation makes the merge order irrelevant.
public struct EnsembleRunner: Sendable {
    public var threads: Int
    public var progress: ProgressReporter?
    public var checkpoint: CheckpointStore?
    /// Asked before each block; returning false stops the run early with the progress so far
    /// (checkpointed). Lets a caller interrupt cleanly; tests use it to simulate a kill.
    public var shouldContinue: @Sendable () -> Bool = { true }

    public init(threads: Int, progress: ProgressReporter? = nil, checkpoint: CheckpointStore? = nil) throws {
        guard threads >= 1 else { throw EnsembleError.invalidThreadCount(threads) }
        self.threads = threads
        self.progress = progress
        self.checkpoint = checkpoint
    }

    public static var availableCores: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Runs `blocks` of `plan` (all of them by default), resuming from the checkpoint if it
    /// holds progress for `task`.
    ///
    /// - Parameters:
    ///   - work: units of work per path for the progress rate (e.g. path-steps).
    ///   - kernel: simulates the given paths and returns their tally; must be deterministic in
    ///     the path indices alone.
    public func run(task: String, plan: EnsemblePlan, blocks: Range<Int>? = nil, emptyTally: Tally,
                    work: Double = 1, unit: String = "paths",
                    kernel: @Sendable (Range<Int>) -> Tally) throws -> TaskProgress {
        let owned = blocks ?? 0..<plan.blockCount
        var start = TaskProgress(plan: plan, blocks: owned, tally: emptyTally)
        if let saved = checkpoint?.progress(for: task) {
            guard saved.plan == plan, saved.blocks == owned else {
                throw EnsembleError.checkpointMismatch("task \(task) was checkpointed with a different plan or shard")
            }
            try saved.requireShape(of: start, task: task)
            start = saved
        }
        if start.isComplete { return start }

        let pending = owned.filter { !start.completed[$0 - owned.lowerBound] }
        let pendingPaths = pending.reduce(0) { $0 + plan.pathRange(ofBlock: $1).count }
        progress?.begin(task, total: Double(pendingPaths) * work, unit: unit)
        defer { progress?.end() }

        let shared = Mutex(start)
        let next = Atomic<Int>(0)
        let failure = Mutex<Error?>(nil)
        let checkpoint = self.checkpoint
        let progress = self.progress
        let shouldContinue = self.shouldContinue
        DispatchQueue.concurrentPerform(iterations: min(threads, pending.count)) { _ in
            while shouldContinue() {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < pending.count else { return }
                let block = pending[i]
                let paths = plan.pathRange(ofBlock: block)
                let tally = kernel(paths)
                let due = checkpoint?.isDue() ?? false
                let snapshot: TaskProgress? = shared.withLock { s in
                    s.tally.merge(tally)
                    s.completed[block - owned.lowerBound] = true
                    return due ? s : nil
                }
                progress?.advance(by: Double(paths.count) * work)
                if let checkpoint, let snapshot {
                    do { try checkpoint.record(snapshot, for: task) } catch { failure.withLock { $0 = error } }
                }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
        let final = shared.withLock { $0 }
        try checkpoint?.record(final, for: task, force: true)
        return final
    }
}
