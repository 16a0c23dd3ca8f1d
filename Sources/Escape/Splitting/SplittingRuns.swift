import Ensembles
import Foundation
import Numerics

/// How a splitting estimate is assembled on the ensemble engine: the direct cycles, the AMS runs
/// as one shardable, resumable task, and the renewal formula that combines them.
extension SplittingEstimator {
    /// The direct A → Σ → A cycles of an estimate: where the AMS runs start and the cycle times.
    public struct Cycles: Sendable {
        public let entrances: [State]
        public let up: MomentAccumulator
        public let down: MomentAccumulator
        /// SDE steps they took.
        public let steps: Int

        @inlinable
        public init(entrances: [State], up: MomentAccumulator, down: MomentAccumulator, steps: Int) {
            (self.entrances, self.up, self.down, self.steps) = (entrances, up, down, steps)
        }
    }

    /// `count` direct cycles from `start`, on one stream, so that every shard computes the same.
    @inlinable
    public func directCycles(_ count: Int) -> Cycles {
        var work = 0
        let (entrances, up, down, _) = cycles(count, stream: 0, workDone: &work)
        return Cycles(entrances: entrances, up: up, down: down, steps: work)
    }

    /// AMS runs of `replicas` replicas as one ensemble task, one run per block of
    /// `EnsemblePlan.items(runs)`; `blocks` selects a shard of them. p̂ and the times are summed
    /// exactly, so the tally is bitwise the same for any thread count, any shard layout merged,
    /// and any resumption from `runner`'s checkpoint.
    @inlinable
    public func runs(_ runs: Int, replicas: Int, from cycles: Cycles, runner: EnsembleRunner, task: String, blocks: Range<Int>? = nil,
                     maxSegment: Int = 10_000_000) throws -> TaskProgress {
        let empty = Tally(SplittingObservable.self)
        let entrances = cycles.entrances
        return try runner.run(task: task, plan: try EnsemblePlan.items(runs), blocks: blocks, emptyTally: empty, work: 1, unit: "runs") { indices in
            var tally = empty
            for r in indices {
                var w = 0
                let (p, t) = run(index: r, replicas: replicas, entrances: entrances, maxSegment: maxSegment, workDone: &w)
                tally.add(SplittingObservable.probability, p)
                if p > 0 { tally.add(SplittingObservable.successTime, t) }
                tally.count(SplittingObservable.Work.steps, by: w)
            }
            return tally
        }
    }

    /// E T from the cycles and the tally of all the runs (renewal formula, delta-method error).
    @inlinable
    public func estimate(cycles: Cycles, runs tally: Tally, replicas: Int) -> Estimate {
        let up = cycles.up, down = cycles.down
        let probability = tally[SplittingObservable.probability], success = tally[SplittingObservable.successTime]
        let pMean = probability.mean
        let pSE = probability.count > 1 ? probability.standardError : 0
        let tSuccess = success.count > 0 ? success.mean : 0
        let meanUp = up.mean, meanDown = down.mean
        let time = pMean > 0 ? meanUp / pMean + (1 - pMean) / pMean * meanDown + tSuccess : .infinity
        // delta method, dominant terms: T ≈ (m_up + m_down)/p
        let m = meanUp + meanDown
        let mSE = (up.standardError * up.standardError + down.standardError * down.standardError).squareRoot()
        let relative = ((pSE / pMean) * (pSE / pMean) + (mSE / m) * (mSE / m)).squareRoot()
        return Estimate(probability: pMean, probabilityStandardError: pSE, runs: probability.count, replicas: replicas, upTime: up.estimate,
                        downTime: down.estimate, successTime: tSuccess, meanExitTime: time,
                        meanExitTimeStandardError: relative * time, steps: cycles.steps + tally.count(of: SplittingObservable.Work.steps))
    }

    /// Runs `runs` independent AMS runs of `replicas` replicas in parallel, plus `cycles`
    /// direct A → Σ → A cycles, and combines them into E T.
    ///
    /// - Returns: nil when `runner.shouldContinue` stopped the runs early (the progress is
    ///   checkpointed under `task`).
    @inlinable
    public func estimate(runs: Int, replicas: Int, cycles cycleCount: Int, runner: EnsembleRunner, task: String,
                         maxSegment: Int = 10_000_000) throws -> Estimate? {
        let cycles = directCycles(cycleCount)
        let progress = try self.runs(runs, replicas: replicas, from: cycles, runner: runner, task: task, maxSegment: maxSegment)
        guard progress.isComplete else { return nil }
        return estimate(cycles: cycles, runs: progress.tally, replicas: replicas)
    }

    /// `estimate(runs:replicas:cycles:runner:task:)` on `threads` threads, without checkpoints.
    @inlinable
    public func estimate(runs: Int, replicas: Int, cycles: Int, threads: Int, maxSegment: Int = 10_000_000) throws -> Estimate {
        try estimate(runs: runs, replicas: replicas, cycles: cycles, runner: try EnsembleRunner(threads: threads), task: "splitting",
                     maxSegment: maxSegment)!
    }
}

/// Per AMS run: p̂, and the mean Σ → B time of its replicas in B (runs with p̂ > 0).
public enum SplittingObservable: Int, TallyObservable {
    case probability, successTime
    public var name: String { self == .probability ? "probability" : "successTime" }
    public var shift: Double { 0 }

    /// SDE steps the runs took.
    public enum Work: String, TallyEvent {
        case steps
        public var key: String { rawValue }
    }
}
