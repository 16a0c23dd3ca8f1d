import Ensembles
import Foundation
import Persistence

/// What a sharded study returns: the finished result, or (for a shard) the partial tallies to
/// merge later.
public enum StudyOutcome<Result: Sendable>: Sendable {
    case complete(Result)
    case partial(PartialResult)
}

/// What a shard (`--shard i/n`) writes: the exact tallies of its blocks, to be combined by
/// `sgdiff merge` into exactly the result of an unsharded run.
public struct PartialResult: Sendable, Codable {
    public var schema = "sgdiff.partial/1"
    public var experiment: String
    public var fingerprint: String
    /// The experiment's configuration as canonical JSON.
    public var configuration: String
    public var shard: Shard
    public var tasks: [String: TaskProgress]
    /// Fingerprint of `tasks` when written: `merge` refuses a file changed since (a damaged or
    /// hand-edited partial would otherwise be merged into a wrong result, or trap).
    public var digest: String?

    public init(experiment: String, fingerprint: String, configuration: String, shard: Shard, tasks: [String: TaskProgress]) {
        self.experiment = experiment
        self.fingerprint = fingerprint
        self.configuration = configuration
        self.shard = shard
        self.tasks = tasks
        digest = try? Persistence.fingerprint(tasks)
    }

    /// The checks `merge` needs before it indexes anything a file says: the digest, the
    /// configuration's fingerprint, and the shape of every task.
    func checkIntegrity() throws {
        func damaged(_ why: String) -> EnsembleError { .incompatiblePartials("shard \(shard.index + 1)/\(shard.count) is damaged: \(why)") }
        if let digest, (try? Persistence.fingerprint(tasks)) != digest { throw damaged("its tallies changed after it was written") }
        guard let data = configuration.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data),
              object is [String: Any] else { throw damaged("its configuration is not a JSON object") }
        for (name, task) in tasks {
            guard task.plan.blockCount >= 0, task.blocks.lowerBound >= 0, task.blocks.upperBound <= task.plan.blockCount,
                  task.completed.count == task.blocks.count else { throw damaged("task \(name) has inconsistent blocks") }
            guard task.tally.moments.count == task.tally.names.count, Set(task.tally.names).count == task.tally.names.count,
                  task.tally.moments.allSatisfy(\.isWellFormed), task.tally.counts.values.allSatisfy({ $0 >= 0 }) else {
                throw damaged("task \(name) has a malformed tally")
            }
        }
    }

    /// Combines the partials of one run into complete task tallies.
    public static func merge(_ partials: [PartialResult]) throws -> (experiment: String, configuration: String, tasks: [String: TaskProgress]) {
        guard let first = partials.first else { throw EnsembleError.incompletePartialsList }
        for p in partials {
            try p.checkIntegrity()
            guard p.schema == first.schema else { throw EnsembleError.incompatiblePartials("schema \(p.schema) vs \(first.schema)") }
            guard p.experiment == first.experiment else { throw EnsembleError.incompatiblePartials("experiments \(p.experiment) and \(first.experiment)") }
            guard p.fingerprint == first.fingerprint else { throw EnsembleError.incompatiblePartials("configurations differ (fingerprints \(p.fingerprint), \(first.fingerprint))") }
        }
        var merged: [String: TaskProgress] = [:]
        for name in Set(partials.flatMap { $0.tasks.keys }) {
            let pieces = partials.compactMap { $0.tasks[name] }
            let plan = pieces[0].plan
            var covered = Array(repeating: false, count: plan.blockCount)
            var tally = pieces[0].tally.emptied
            for piece in pieces {
                guard piece.plan == plan else { throw EnsembleError.incompatiblePartials("task \(name) has different plans") }
                guard piece.tally.names == tally.names, piece.tally.moments.map(\.shift) == tally.moments.map(\.shift) else {
                    throw EnsembleError.incompatiblePartials("task \(name) has different observables")
                }
                for (k, v) in piece.tally.counts where (tally.counts[k] ?? 0).addingReportingOverflow(v).overflow {
                    throw EnsembleError.incompatiblePartials("task \(name): count \(k) overflows")
                }
                for (offset, done) in piece.completed.enumerated() where done {
                    let block = piece.blocks.lowerBound + offset
                    if covered[block] { throw EnsembleError.overlappingShards }
                    covered[block] = true
                }
                tally.merge(piece.tally)
            }
            let missing = covered.lazy.filter { !$0 }.count
            if missing > 0 { throw EnsembleError.incompleteMerge(missingBlocks: missing) }
            var whole = TaskProgress(plan: plan, blocks: 0..<plan.blockCount, tally: tally)
            whole.completed = covered
            merged[name] = whole
        }
        return (first.experiment, first.configuration, merged)
    }
}

