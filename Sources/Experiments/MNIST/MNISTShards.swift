import Ensembles
import Foundation
import Persistence
import NeuralNets
import Report

/// What `sgdiff mnist --shard i/n` writes: the finished runs of its share of the study, to be
/// combined by `sgdiff merge` into exactly the unsharded result.
public struct MNISTPartial: Sendable, Codable {
    public static let schemaName = "sgdiff.mnist-partial/1"
    public var schema = MNISTPartial.schemaName
    public var experiment = MNISTStudy.experiment
    public var fingerprint: String
    public var configuration: MNISTConfiguration
    public var shard: Shard
    public var data: MNISTResult.DataInfo
    public var runs: [MNISTRun]
}

/// How the study is cut into shards. A run is a pure function of its plan (seeded batches,
/// initialisation and noise), so any split reproduces it; only a warm start needs its anchor's
/// best weights, so an anchor and its warm starts form one unit. Units go to shards by longest
/// first onto the least loaded shard, counted in training samples, which balances the shards'
/// work however unequal the batch sizes (a batch-2048 run costs 16 batch-128 runs).
public enum MNISTShards {
    static func units(_ plans: [MNISTRunPlan]) -> [[MNISTRunPlan]] {
        var units: [[MNISTRunPlan]] = []
        for p in plans {
            if let anchor = p.start, let index = units.firstIndex(where: { $0.first?.name == anchor }) {
                units[index].append(p)
            } else {
                units.append([p])
            }
        }
        return units
    }

    /// The plans shard `shard` trains, in plan order.
    public static func runs(of plans: [MNISTRunPlan], shard: Shard) -> [MNISTRunPlan] {
        let all = units(plans)
        var load = Array(repeating: 0, count: shard.count)
        var owner = Array(repeating: 0, count: all.count)
        let cost = all.map { $0.reduce(0) { $0 + $1.samples } }
        // ties broken by plan order and lowest shard index: the assignment is deterministic
        for u in all.indices.sorted(by: { cost[$0] != cost[$1] ? cost[$0] > cost[$1] : $0 < $1 }) {
            let target = load.indices.min { load[$0] != load[$1] ? load[$0] < load[$1] : $0 < $1 }!
            owner[u] = target
            load[target] += cost[u]
        }
        return all.indices.filter { owner[$0] == shard.index }.flatMap { all[$0] }
    }

    /// Identifies the study a partial belongs to: its configuration, replicates included, and
    /// the measurement version.
    static func fingerprint(_ c: MNISTConfiguration) throws -> String {
        struct Key: Encodable { var configuration: MNISTConfiguration; var measurement: Int }
        return try Persistence.fingerprint(Key(configuration: c, measurement: MNISTStudy.measurementVersion))
    }

    public struct MergeFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The unsharded result from the partials of every shard of one study.
    public static func merge(_ partials: [MNISTPartial]) throws -> MNISTResult {
        guard let first = partials.first else { throw MergeFailure(description: "no partial results to merge") }
        for p in partials {
            guard p.schema == MNISTPartial.schemaName else { throw MergeFailure(description: "schema \(p.schema), expected \(MNISTPartial.schemaName)") }
            guard p.fingerprint == first.fingerprint, p.configuration == first.configuration else {
                throw MergeFailure(description: "the partials come from different configurations (fingerprints \(p.fingerprint), \(first.fingerprint))")
            }
            guard p.shard.count == first.shard.count else { throw MergeFailure(description: "shards of \(p.shard.count) and of \(first.shard.count) cannot be mixed") }
            guard p.data.trainCount == first.data.trainCount, p.data.testCount == first.data.testCount, p.data.parameterCount == first.data.parameterCount else {
                throw MergeFailure(description: "the shards saw different data (\(p.data.trainCount) vs \(first.data.trainCount) training examples)")
            }
        }
        var byName: [String: MNISTRun] = [:]
        for p in partials {
            for run in p.runs {
                guard byName[run.name] == nil else { throw MergeFailure(description: "run \(run.name) appears in two partials (a shard given twice?)") }
                byName[run.name] = run
            }
        }
        let plans = MNISTStudy.plan(first.configuration, trainCount: first.data.trainCount)
        let missing = plans.map(\.name).filter { byName[$0] == nil }
        guard missing.isEmpty else {
            let have = partials.map(\.shard.description).sorted().joined(separator: ", ")
            throw MergeFailure(description: "\(missing.count) of \(plans.count) runs are missing (shards present: \(have)); first missing: \(missing[0])")
        }
        return MNISTResult(configuration: first.configuration, software: .current(threads: ProcessInfo.processInfo.activeProcessorCount),
                           data: first.data, runs: plans.map { byName[$0.name]! })
    }

    /// Where a shard's partial goes: DIR/mnist/partial-iofn.json, as for the other studies.
    public static func partialURL(_ partial: MNISTPartial, directory: URL) -> URL {
        directory.appendingPathComponent("partial-\(partial.shard.index + 1)of\(partial.shard.count).json")
    }
}
