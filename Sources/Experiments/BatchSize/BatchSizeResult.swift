import Foundation
import Numerics

/// A Monte Carlo exit-time estimate: E T over the paths that exited, and how they exited.
public struct ExitTimeEstimate: Sendable, Codable, Equatable {
    public var meanExitTime: Double
    public var standardError: Double
    public var paths: Int
    public var censored: Int
    /// Fraction of exits over the barrier (the rest left through the far end).
    public var overBarrier: Double
    public var steps: Double
    public var seconds: Double

    public var stepsPerSecond: Double { seconds > 0 ? steps / seconds : 0 }
    /// log E T with the delta-method standard error, for the slope fits.
    public var logEstimate: Estimate { Estimate(mean: log(meanExitTime), standardError: standardError / meanExitTime, count: paths) }
}

/// The SDE's E T by adaptive multilevel splitting where direct simulation cannot reach.
public struct SplittingExitTime: Sendable, Codable, Equatable {
    public var meanExitTime: Double
    public var standardError: Double
    public var probability: Double
    public var runs: Int
    public var replicas: Int
    public var steps: Int
    public var seconds: Double
}

/// One basin at one batch size.
public struct BatchSizeRow: Sendable, Codable, Equatable {
    public var basin: String
    public var batch: Int
    /// 1/c = mM/(M − m): log E T is linear in it.
    public var inverseFactor: Double
    /// V₀/(η c).
    public var exponent: Double
    public var kramers: Double
    /// The exact E T of the SDE from x* (quadrature of the 1-D formula).
    public var exact: Double
    /// Whether E T/η is within the direct-simulation budget.
    public var direct: Bool
    public var sde: ExitTimeEstimate?
    public var sgd: ExitTimeEstimate?
    public var splitting: SplittingExitTime?
    /// E T(SGD)/E T(SDE, exact), with the delta-method standard error.
    public var sgdOverExact: Estimate?
    /// (E T(SDE) − exact)/SE.
    public var sdeZ: Double?
    /// P(SGD has left the basin by the horizon S), and 1 − exp(−S/E T) (exponential exit law).
    public var horizonEscape: Estimate?
    public var horizonTheory: Double

    public var sdeEstimate: Estimate? {
        if let sde { return sde.logEstimate }
        if let s = splitting { return Estimate(mean: log(s.meanExitTime), standardError: s.standardError / s.meanExitTime, count: s.runs) }
        return nil
    }
}

/// log E T against 1/c for one basin and one method.
public struct BatchSizeFit: Sendable, Codable, Equatable {
    public var basin: String
    public var method: String
    public var fit: SlopeFit
}

public struct BatchSizeResult: Sendable, Codable {
    public var schema = "sgdiff.batch-size/1"
    public var software: SoftwareInfo
    public var configuration: BatchSizeConfiguration
    public var problem: String
    public var samples: Int
    public var landscape: BatchSizeLandscape
    public var rows: [BatchSizeRow]
    public var fits: [BatchSizeFit]
    /// E T(flat)/E T(sharp) per batch size (SGD where simulated, else the exact SDE value).
    public var rateRatios: [RateRatio]
    public var quasiPotentialAgreement: Verdict
    public var tableAccuracy: Verdict
    public var sdeAgreement: Verdict
    public var sdeMaxZ: Double
    public var sdeZBound: Double
    public var slopeVerdict: Verdict
    /// §5's claim: at every batch size the sharp minimum is left sooner than the flat one.
    public var sharpEscapesFirst: Verdict
    /// P(in the flat basin at S) over (η, m) from the sharp minimum; empty when turned off.
    public var choices: [BasinChoiceRow]
    public var choiceSummary: BasinChoiceSummary?
    public var verdict: Verdict
    public var wallSeconds: Double

    public struct RateRatio: Sendable, Codable, Equatable {
        public var batch: Int
        public var exact: Double
        public var sgd: Estimate?
    }
}
