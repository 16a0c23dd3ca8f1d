import Ensembles
import Foundation
import NeuralNets
import Report
import Testing
import TestSupport
@testable import Experiments

/// `sgdiff mnist --shard i/n` + `sgdiff merge` against the unsharded study, and the shipped subset.
@Suite(.serialized) struct MNISTShardsTests {
    /// Every unit (a sweep run, or an anchor with its warm starts) goes to exactly one shard, and
    /// the longest-first assignment keeps the shards' training samples within one unit of each other.
    @Test func shardsPartitionThePlanAndBalanceIt() throws {
        let plans = MNISTStudy.plan(.paper(), trainCount: 60_000)
        for count in [1, 2, 3, 7] {
            let parts = (0..<count).map { MNISTShards.runs(of: plans, shard: try! Shard(parsing: "\($0 + 1)/\(count)")) }
            #expect(parts.flatMap { $0 }.map(\.name).sorted() == plans.map(\.name).sorted())
            for part in parts {
                for warm in part where warm.start != nil { #expect(part.contains { $0.name == warm.start }, "\(warm.name) without its anchor") }
            }
            let loads = parts.map { $0.reduce(0) { $0 + $1.samples } }
            let biggestUnit = MNISTShards.units(plans).map { $0.reduce(0) { $0 + $1.samples } }.max()!
            #expect(loads.max()! - loads.min()! <= biggestUnit, "\(count) shards: \(loads)")
        }
    }

    /// Three shards in three folders (as on three machines), merged: bitwise the unsharded
    /// result.json apart from wall-clock seconds and the software block.
    @Test func mergedShardsEqualTheUnshardedStudy() throws {
        let c = MNISTStudyTests.tiny()
        let data = syntheticMNIST(train: 256, test: 100)
        let whole = MNISTStudyTests.directory()
        let shards = (0..<3).map { _ in MNISTStudyTests.directory() }
        defer { for d in [whole] + shards { try? FileManager.default.removeItem(at: d) } }
        let reference = try MNISTStudy.run(c, data: data, dataDirectory: "synthetic", directory: whole, options: RunOptions(quiet: true))
        var partials: [MNISTPartial] = []
        for (i, directory) in shards.enumerated() {
            let options = RunOptions(shard: try Shard(parsing: "\(i + 1)/3"), quiet: true)
            let partial = try MNISTStudy.runShard(c, data: data, dataDirectory: "synthetic", directory: directory, options: options)
            #expect(!partial.runs.isEmpty)
            // through the file format, as `sgdiff merge` reads them
            partials.append(try JSONOutput.decoder().decode(MNISTPartial.self, from: JSONOutput.encode(partial)))
        }
        let merged = try MNISTShards.merge(partials.reversed())
        func canonical(_ r: MNISTResult) throws -> String {
            var r = r
            r.software = reference.software
            r.runs = r.runs.map { var x = $0; x.seconds = 0; x.record.trainingSeconds = 0; return x }
            return try JSONOutput.string(r)
        }
        #expect(try canonical(merged) == canonical(reference))

        #expect { try MNISTShards.merge(Array(partials.dropLast())) } throws: { "\($0)".contains("runs are missing") }
        #expect { try MNISTShards.merge(partials + [partials[0]]) } throws: { "\($0)".contains("appears in two partials") }
        var other = partials[0]
        other.fingerprint = "0"
        #expect { try MNISTShards.merge([other] + partials.dropFirst()) } throws: { "\($0)".contains("different configurations") }
    }

    static var subsetDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("data/mnist-subset")
    }

    /// The shipped subset holds what the quick configuration uses and passes its checksums; one
    /// changed byte is refused.
    @Test func shippedSubsetIsCheckedAndFitsTheQuickStudy() throws {
        let subset = try MNISTSource.loadSubset(Self.subsetDirectory)
        #expect(subset.trainCount == MNISTSource.subsetTrainCount && subset.testCount == 10_000)
        #expect(MNISTConfiguration.quick().trainSubset == MNISTSource.subsetTrainCount)
        let copy = TemporaryDirectory()
        for file in MNIST.files {
            try FileManager.default.copyItem(at: Self.subsetDirectory.appendingPathComponent(file.name), to: copy.url.appendingPathComponent(file.name))
        }
        // one label changed, written uncompressed under the same name (the reader takes either)
        let labels = copy.url.appendingPathComponent(MNIST.files[1].name)
        var raw = try IDXArray(contentsOf: labels).bytes
        raw[5] = (raw[5] + 1) % 10
        try Data([0, 0, 8, 1, 0, 0, 0x2e, 0xe0] + raw).write(to: labels)
        #expect { try MNISTSource.loadSubset(copy.url) } throws: { "\($0)".contains("expected 4c9f4abeacf3648e8f47370d04071881") }
    }

    /// With the full files at hand (SGDIFF_MNIST_DIR, as scripts/test sets it), the subset is
    /// exactly their first 12 000 training and all test examples: the quick study cannot tell them apart.
    @Test func shippedSubsetIsThePrefixOfTheFullFiles() throws {
        guard let location = try? MNIST.locate(explicit: nil), let full = try? MNIST.load(directory: location), full.trainCount == 60_000 else { return }
        let subset = try MNISTSource.loadSubset(Self.subsetDirectory)
        let prefix = full.subset(train: MNISTSource.subsetTrainCount, test: full.testCount)
        #expect(subset.trainImages == prefix.trainImages && subset.trainLabels == prefix.trainLabels)
        #expect(subset.testImages == prefix.testImages && subset.testLabels == prefix.testLabels)
    }
}
