import Foundation
import Numerics
import Problems
import Dynamics
import Randomness
import Testing
import TestSupport
@testable import Ensembles

struct TiltedWell: DiffusionProcess {
    func drift(at x: Point2, time: Double) -> Point2 { Point2(x.x - x.x * x.x * x.x, -x.y + 0.1 * x.x) }
    func diffusion(at x: Point2, time: Double) -> SquareMatrix<Point2> { .diagonal(Point2(0.3 * (1 + 0.5 * FastMath.sin(x.x)), 0.2)) }
    var noiseStructure: NoiseStructure { .diagonal }
}

@Suite struct EngineTests {
    /// The vectorised block engine against a plain per-path loop over the same named variates:
    /// identical to the last bit.
    @Test func blockEngineMatchesScalarReference() {
        let process = TiltedWell()
        let noise = GaussianStream(seed: 17)
        let block = SDEPathBlock(process: process, stepper: EulerMaruyama(), dt: 0.01, noise: noise, chunk: 5)
        let lanes = 21, first = 300, steps = 37
        let states = LaneStorage<Point2>(lanes: lanes, initial: Point2(-1, 0.2))
        block.advance(states, firstPath: first, firstStep: 0, steps: steps)
        for lane in 0..<lanes {
            var x = Point2(-1, 0.2)
            for k in 0..<steps {
                let dW = 0.1 * Point2(noise.normal(path: first + lane, draw: 2 * k), noise.normal(path: first + lane, draw: 2 * k + 1))
                x = EulerMaruyama().step(process, from: x, time: Double(k) * 0.01, dt: 0.01, dW: dW, auxiliaryBits: 0)
            }
            #expect(states[lane] == x)
        }
    }

    static func runTask(threads: Int, blocks: Range<Int>? = nil, checkpoint: CheckpointStore? = nil,
                        stopAfter: Int? = nil) throws -> TaskProgress {
        let plan = try EnsemblePlan(paths: 5000, blockSize: 256)
        let block = SDEPathBlock(process: TiltedWell(), stepper: PlatenWeak2(), dt: 0.05, noise: GaussianStream(seed: 3))
        var runner = try EnsembleRunner(threads: threads, checkpoint: checkpoint)
        if let stopAfter {
            let counter = Counter()
            runner.shouldContinue = { counter.increment() <= stopAfter }
        }
        return try runner.run(task: "t", plan: plan, blocks: blocks, emptyTally: Tally(observables: [("x", -1), ("y", 0)])) { range in
            let states = LaneStorage<Point2>(lanes: range.count, initial: Point2(-1, 0))
            block.advance(states, firstPath: range.lowerBound, firstStep: 0, steps: 40)
            var t = Tally(observables: [("x", -1), ("y", 0)])
            for lane in 0..<range.count {
                t.add(0, states[lane].x)
                t.add(1, states[lane].y)
            }
            return t
        }
    }

    @Test func resultsDoNotDependOnThreads() throws {
        let one = try Self.runTask(threads: 1), two = try Self.runTask(threads: 2), four = try Self.runTask(threads: 4)
        #expect(one.tally == two.tally && two.tally == four.tally)
        #expect(one.tally["x"].mean == two.tally["x"].mean)
        #expect(one.tally["y"].variance == four.tally["y"].variance)
    }

    @Test func shardsMergeToTheUnshardedTally() throws {
        let plan = try EnsemblePlan(paths: 5000, blockSize: 256)
        let whole = try Self.runTask(threads: 2)
        var merged = whole.tally.emptied
        var covered = 0
        for i in 1...3 {
            let shard = try Shard(parsing: "\(i)/3")
            let part = try Self.runTask(threads: 1, blocks: shard.blocks(of: plan))
            covered += part.blocks.count
            merged.merge(part.tally)
        }
        #expect(covered == plan.blockCount)
        #expect(merged == whole.tally)
    }

    @Test func resumedRunEqualsUninterruptedRun() throws {
        let directory = TemporaryDirectory()
        let url = directory.url.appendingPathComponent("checkpoint.json")
        let store = try CheckpointStore(url: url, fingerprint: "abc", interval: 0)
        let partial = try Self.runTask(threads: 2, checkpoint: store, stopAfter: 5)
        #expect(!partial.isComplete)
        #expect(partial.completedCount >= 3)
        // a fresh process would reopen the file
        let reopened = try CheckpointStore(url: url, fingerprint: "abc", interval: 0)
        #expect(reopened.progress(for: "t")?.completedCount == partial.completedCount)
        let resumed = try Self.runTask(threads: 1, checkpoint: reopened)
        #expect(resumed.isComplete)
        #expect(resumed.tally == (try Self.runTask(threads: 2)).tally)
        #expect(throws: EnsembleError.self) { try CheckpointStore(url: url, fingerprint: "other") }
        try Data("not json".utf8).write(to: url)
        #expect(throws: EnsembleError.self) { try CheckpointStore(url: url, fingerprint: "abc") }
        #expect(throws: Never.self) { try CheckpointStore(url: url, fingerprint: "abc", restart: true) }
    }

    @Test func badPlansAndShards() {
        #expect(throws: EnsembleError.invalidPathCount(0)) { try EnsemblePlan(paths: 0) }
        #expect(throws: EnsembleError.invalidBlockSize(12)) { try EnsemblePlan(paths: 10, blockSize: 12) }
        #expect(throws: EnsembleError.tooManyPaths((1 << 32) + 1)) { try EnsemblePlan(paths: (1 << 32) + 1) }
        #expect(throws: EnsembleError.shardOutOfRange("4/3")) { try Shard(parsing: "4/3") }
        #expect(throws: EnsembleError.shardOutOfRange("0/3")) { try Shard(parsing: "0/3") }
        #expect(throws: EnsembleError.malformedShard("a/b")) { try Shard(parsing: "a/b") }
        #expect(throws: EnsembleError.malformedShard("3")) { try Shard(parsing: "3") }
        #expect(throws: EnsembleError.invalidThreadCount(0)) { try EnsembleRunner(threads: 0) }
    }

    @Test func shardBlocksPartitionThePlan() throws {
        for n in 1...7 {
            let plan = try EnsemblePlan(paths: 10_000, blockSize: 64)
            var next = 0
            for i in 1...n {
                let blocks = try Shard(parsing: "\(i)/\(n)").blocks(of: plan)
                #expect(blocks.lowerBound == next)
                next = blocks.upperBound
            }
            #expect(next == plan.blockCount)
        }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value } }
}
