import Foundation
import Numerics

/// Exit times of one ensemble, in effective time τ.
public struct MomentumExitTimes: Sendable, Codable, Equatable {
    /// The method's own time step: η (heavy ball), η_eff (SGD) or the SDE step h, in s = kη.
    public var step: Double
    public var paths: Int
    public var exited: Int
    public var censored: Int
    /// E τ over exited paths.
    public var meanTime: Estimate
}

/// One (η, β) at the saddle: heavy ball, plain SGD at η_eff and the underdamped SDE.
public struct MomentumSaddleRow: Sendable, Codable, Equatable {
    public var eta: Double
    public var beta: Double
    public var etaEffective: Double
    /// ηγ₁/(1 − β)²: the log(1/η) law needs it small (heavy ball's unstable growth per effective
    /// time is then γ₁).
    public var inertia: Double
    /// log z₁/η_eff, against γ₁.
    public var effectiveGrowth: Double
    public var heavyBall: MomentumExitTimes
    /// At β = 0 heavy ball is plain SGD at η (the same ensemble, not rerun).
    public var sgd: MomentumExitTimes
    public var sde: MomentumExitTimes
    /// The linear laws (`MomentumTheory`): heavy ball's at (η, β), SGD's at η_eff, the SDE's.
    public var heavyBallTheory: Double
    public var sgdTheory: Double
    public var sdeTheory: Double
    /// E τ heavy ball / E τ SGD(η_eff), by the delta method.
    public var ratio: Estimate
    public var ratioTheory: Double
}

/// One (η_eff, β) at the minimum.
public struct MomentumMinimumRow: Sendable, Codable, Equatable {
    public var etaEffective: Double
    public var beta: Double
    public var eta: Double
    /// ΔF/T with T = η_eff σ²/2: Kramers' formula is the leading term as this grows.
    public var barrierOverTemperature: Double
    public var heavyBall: MomentumExitTimes
    public var sgd: MomentumExitTimes
    public var sde: MomentumExitTimes
    /// E τ of SGD's first-order SDE at η_eff by quadrature.
    public var overdamped: Double
    public var kramersFactor: Double
    /// E τ heavy ball / E τ SGD(η_eff), and the SDE's against the overdamped quadrature, beside 1/κ.
    public var ratio: Estimate
    public var sdeRatio: Estimate
}

/// E τ against log(1/η) at one β.
public struct MomentumSlope: Sendable, Codable, Equatable {
    public var beta: Double
    public var method: String
    /// The law's slope plus the fitted slope of (measured − law), with its standard error and 95% interval.
    public var slope: Double?
    public var standardError: Double?
    public var interval: [Double]?
    /// The slope of the linear law over the same η (least squares through its values).
    public var lawSlope: Double
    /// Theorem 3's 1/(2γ₁), the η → 0 slope at any fixed β.
    public var theorem3: Double
    /// max ηγ₁/(1 − β)² over the grid.
    public var maxInertia: Double
    /// Against the linear law, within ±10% of 1/(2γ₁).
    public var lawVerdict: Verdict
    /// Against Theorem 3 (10%): judged at β = 0 only; at β > 0 reported (the grid is not yet in
    /// the η → 0 regime there).
    public var theorem3Verdict: Verdict?
}

public struct MomentumResult: Sendable, Codable {
    public var schema = "sgdiff.momentum/1"
    public var software: SoftwareInfo
    public var configuration: MomentumConfiguration
    public var saddle: [MomentumSaddleRow]
    public var minimum: [MomentumMinimumRow]
    public var slopes: [MomentumSlope]
    /// (a) heavy ball against its underdamped SDE at the saddle: max |z| of the gap beyond
    /// `modelAllowance` (relative) against the Bonferroni bound.
    public var consistency: Verdict
    public var consistencyMaxZ: Double
    /// At the minimum (η up to 0.125, not judged): max |E τ heavy ball / E τ SDE − 1|.
    public var minimumSDEDeviation: Double
    public var zBound: Double
    /// Heavy ball against its own linear law at the saddle (same bound).
    public var linearLaw: Verdict
    public var linearLawMaxZ: Double
    /// (b) heavy ball / SGD at the minimum against 1/κ within `kramersTolerance` (relative).
    public var kramers: Verdict
    public var kramersTolerance: Double
    /// The relative model error allowed at the saddle before |z| is taken (SDE and linear law).
    public var modelAllowance: Double
    /// (c) the slopes.
    public var slopeVerdict: Verdict
    public var verdict: Verdict
    public var wallSeconds: Double
}
