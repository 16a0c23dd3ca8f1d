import Ensembles
import Foundation
import Synchronization
import Testing

/// The contract every estimator on the ensemble engine keeps: a task's tally is a function of
/// the plan and the kernel alone, bitwise, whatever the thread count, the shard layout merged,
/// or the point where a killed run was resumed from its checkpoint.
public enum LayoutIndependence {
    /// `run(runner, blocks)` must run one task named "t" of `plan` (all blocks when `blocks` is
    /// nil); the plan needs at least four blocks so that a stopped run is partial.
    public static func expect(plan: EnsemblePlan, sourceLocation: SourceLocation = #_sourceLocation,
                              run: (EnsembleRunner, Range<Int>?) throws -> TaskProgress) throws {
        precondition(plan.blockCount >= 4, "too few blocks to stop a run part-way")
        let reference = try run(EnsembleRunner(threads: 1), nil)
        #expect(reference.isComplete, sourceLocation: sourceLocation)
        let threaded = try run(EnsembleRunner(threads: 3), nil)
        // compared as Bools: a failure names the layout, not two pages of exact-sum chunks
        let threadsAgree = threaded.tally == reference.tally
        #expect(threadsAgree, "3 threads against 1", sourceLocation: sourceLocation)

        for count in [2, 3] {
            var merged = reference.tally.emptied
            for index in 1...count {
                let part = try run(EnsembleRunner(threads: 2), try Shard(parsing: "\(index)/\(count)").blocks(of: plan))
                merged.merge(part.tally)
            }
            let shardsAgree = merged == reference.tally
            #expect(shardsAgree, "\(count) shards merged", sourceLocation: sourceLocation)
        }

        let directory = TemporaryDirectory()
        let url = directory.url.appendingPathComponent("checkpoint.json")
        var stopping = try EnsembleRunner(threads: 2, checkpoint: try CheckpointStore(url: url, fingerprint: "layout", interval: 0))
        let budget = Mutex(2)
        stopping.shouldContinue = { budget.withLock { b in b -= 1; return b >= 0 } }
        let partial = try run(stopping, nil)
        #expect(!partial.isComplete && partial.completedCount >= 1, "stopped run", sourceLocation: sourceLocation)
        let reopened = try CheckpointStore(url: url, fingerprint: "layout", interval: 0)
        let resumed = try run(EnsembleRunner(threads: 2, checkpoint: reopened), nil)
        let resumedAgrees = resumed.isComplete && resumed.tally == reference.tally
        #expect(resumedAgrees, "resumed after \(partial.completedCount) blocks",
                sourceLocation: sourceLocation)
    }
}
