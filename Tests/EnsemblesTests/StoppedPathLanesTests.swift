import Foundation
import Testing
import TestSupport
@testable import Ensembles

@Suite struct StoppedPathLanesTests {
    /// Lanes take the block's paths in order, a stopped lane takes the next path only at the
    /// chunk boundary (in ascending lane order), and every path runs exactly once.
    @Test func lanesRefillAtChunkBoundariesAndRunEveryPathOnce() {
        var lanes = StoppedPathLanes(count: 4, paths: 10..<17)
        #expect(lanes.paths == [10, 11, 12, 13] && lanes.firstSteps == [0, 0, 0, 0])
        var finished: [Int] = []
        var restarted: [Int] = []
        var chunk = 0
        while lanes.hasWork {
            // path p stops in its own chunk p mod 3
            for lane in 0..<lanes.count where lanes.isRunning(lane) && lanes.firstStep(lane) / 8 == lanes.path(lane) % 3 {
                finished.append(lanes.path(lane))
                lanes.stop(lane)
                #expect(!lanes.isRunning(lane))
            }
            lanes.endChunk(steps: 8) { restarted.append($0) }
            chunk += 1
            #expect(chunk < 100)
        }
        #expect(finished.sorted() == Array(10..<17))
        // 12 stops in its chunk 0 (lane 2 takes 14), then 10 and 13 in theirs 1 (lanes 0, 3 take 15, 16)
        #expect(restarted == [2, 0, 3])
        #expect(lanes.path(0) == 15 && lanes.path(1) == 11 && lanes.path(2) == 14 && lanes.path(3) == 16)
    }

    @Test func emptyAndSmallBlocksLeaveLanesIdle() {
        let empty = StoppedPathLanes(count: 8, paths: 5..<5)
        #expect(!empty.hasWork)
        let small = StoppedPathLanes(count: 8, paths: 0..<3)
        #expect((0..<8).filter(small.isRunning) == [0, 1, 2])
    }

    /// The layout check itself must fail for a kernel whose tally depends on the run rather than
    /// on the path indices (here: the third block computed by the process is off by one).
    @Test func layoutCheckCatchesARunDependentKernel() throws {
        let plan = try EnsemblePlan(paths: 64, blockSize: 8)
        let calls = Counter()
        let empty = Tally(observables: [("x", 0)])
        withKnownIssue {
            try LayoutIndependence.expect(plan: plan) { runner, blocks in
                try runner.run(task: "t", plan: plan, blocks: blocks, emptyTally: empty) { range in
                    var tally = empty
                    let bias = calls.increment() == 3 ? 1.0 : 0
                    for path in range { tally.add(0, Double(path) + bias) }
                    return tally
                }
            }
        }
    }
}
