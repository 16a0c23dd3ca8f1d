import Foundation
import Numerics

/// One method's fixed-horizon paths under one schedule.
public struct BatchScheduleMeasurement: Sendable, Codable, Equatable {
    /// P(X(s_c) in the flat basin) at each checkpoint, binomial standard errors.
    public var flat: [Estimate]
    /// P(the path has entered the flat basin by s_c).
    public var reached: [Estimate]
    /// F(X(S)).
    public var finalLoss: Estimate
    /// F(X(S)) − F(x*) of the basin X(S) lies in: how near a minimum the run ends.
    public var excess: Estimate
    /// The first-entry time over the paths that entered (count: how many did).
    public var firstReach: Estimate
    public var paths: Int
    public var seconds: Double
    /// Largest |z| of `flat` and `reached` against the master equation over the checkpoints.
    public var maxZ: Double
}

public struct BatchScheduleRow: Sendable, Codable, Equatable {
    public var name: String
    /// The schedule as `BatchSchedule` prints it.
    public var schedule: String
    /// m at each checkpoint's last iteration.
    public var batches: [Int]
    public var theory: BatchScheduleTheory.Curve
    /// The master equation's E F(X(S)) (each basin's minimum plus its noise excess η c Σ₀/4).
    public var theoryFinalLoss: Double
    /// The smallest V₀/(ηc) from the sharp minimum over the batch sizes the schedule uses.
    public var minimumSharpExponent: Double
    /// Whether the exit-time law is judged here (that exponent ≥ `BatchScheduleAnalysis.minimumExponent`).
    public var lawApplies: Bool
    public var sgd: BatchScheduleMeasurement?
    public var sde: BatchScheduleMeasurement?
}

public struct BatchScheduleResult: Sendable, Codable {
    public var schema = "sgdiff.batch-schedule/1"
    public var software: SoftwareInfo
    public var configuration: BatchScheduleConfiguration
    public var problem: String
    public var samples: Int
    public var landscape: BatchSizeLandscape
    /// The exact mean times at every batch size a schedule uses.
    public var rates: [BatchScheduleRates]
    public var rows: [BatchScheduleRow]
    /// The master equation against the SDE, and against SGD, within error bars (Bonferroni over
    /// the checkpoints of the rows where the law applies).
    public var sdeTheory: Verdict
    public var sgdTheory: Verdict
    public var zBound: Double
    /// §5: an increasing m(s) ends in the flat basin more often than constant large m, and nearer
    /// a minimum than constant small m (SGD and SDE each).
    public var increasingBeatsConstant: Verdict
    public var claimDetail: String
    /// The schedule whose final P(flat) is largest, with its final excess loss.
    public var best: String
    public var verdict: Verdict
    public var wallSeconds: Double
}
