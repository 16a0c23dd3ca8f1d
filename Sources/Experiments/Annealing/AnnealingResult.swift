import Foundation
import Numerics

/// One output time of one γ.
public struct AnnealingPoint: Sendable, Codable, Equatable {
    public var time: Double
    /// Fokker–Planck: P(X(s) ∈ A^ε) and its complement (summed separately, so a complement of
    /// 1e-30 keeps its digits).
    public var probability: Double
    public var complement: Double
    /// Fokker–Planck with A^ε absorbing: P(not yet in A^ε) and the hazard h(s) (per unit time).
    public var survival: Double
    public var logSurvival: Double
    public var hazard: Double
    /// The Kramers rate κ e^{−2d*/ε(s)} (κ = √(F″(trap)|F″(barrier)|)/2π).
    public var kramersHazard: Double
    /// |coarse − refined| of the two Fokker–Planck solves, for probability and survival.
    public var fokkerPlanckError: Double
    /// Monte Carlo (where the paths reach): P(X(s) ∈ A^ε), and the fraction that entered A^ε.
    public var monteCarlo: Estimate?
    public var monteCarloHit: Estimate?
}

/// A fitted exponent α of s·h(s) ∝ s^α: ∫h ds diverges (escape is certain) iff α ≥ 0.
public struct AnnealingExponent: Sendable, Codable, Equatable {
    public var value: Double
    /// Monte Carlo: its standard error; Fokker–Planck: the bias bound (window shift + grid refinement).
    public var uncertainty: Double
    /// The s-range fitted.
    public var window: [Double]
    public var points: Int
}

public struct AnnealingRow: Sendable, Codable, Equatable {
    public var gamma: Double
    /// Theory (Hajek; Hwang–Sheu): P(X(s) ∈ A^ε) → 1 iff γ ≥ 2d*.
    public var theoryConverges: Bool
    /// 1 − 2d*/γ, the exponent of s·h(s) by the rate argument.
    public var theoryExponent: Double
    public var points: [AnnealingPoint]
    /// From the Fokker–Planck hazard over the upper half of log s.
    public var exponent: AnnealingExponent?
    /// γ(1 − α)/2: the barrier the annealed process itself shows.
    public var measuredDepth: Double?
    public var exponentVerdict: Verdict
    /// "converges", "trapped" or "inconclusive", from the sign of α beyond its uncertainty.
    public var classification: String
    public var classificationVerdict: Verdict
    /// Monte Carlo exponent over its own window, beside the Fokker–Planck one over the same window.
    public var monteCarloExponent: AnnealingExponent?
    public var fokkerPlanckWindowExponent: Double?
    public var monteCarloClassification: String
    /// For a trapped γ: S(∞) ≈ S(s_max) exp(−s h(s)/|α|), the probability of never leaving the trap.
    public var survivalLimit: Double?
    /// Hazard over the Kramers rate at the last time.
    public var kramersRatio: Double
}

/// `sgdiff.anneal/1`.
public struct AnnealingResult: Sendable, Codable {
    public var schema = "sgdiff.anneal/1"
    public var software: SoftwareInfo
    public var configuration: AnnealingConfiguration
    public var landscape: AnnealingLandscape
    /// d* from the critical values (barrier minus minimum) and by minimum action.
    public var criticalDepth: Double
    public var criticalDepthMinimumAction: Double
    public var depthAgreement: Verdict
    /// 2d*: the sharp threshold in the paper's convention.
    public var criticalGamma: Double
    public var trapCurvature: Double
    public var barrierCurvature: Double
    public var rows: [AnnealingRow]
    /// Largest |z| of Monte Carlo against Fokker–Planck (probability and hit fraction at every
    /// Monte Carlo time), and the Bonferroni bound it is held to.
    public var monteCarloMaxZ: Double
    public var monteCarloZBound: Double
    public var monteCarloAgreement: Verdict
    public var exponentAgreement: Verdict
    public var threshold: Verdict
    public var verdict: Verdict
    public var wallSeconds: Double
}
