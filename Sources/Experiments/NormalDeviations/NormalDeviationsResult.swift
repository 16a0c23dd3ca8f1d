import Foundation
import Numerics

/// One entry (a, b) of Cov Z at one time: theory and two Monte Carlo estimates.
public struct CovarianceEntry: Sendable, Codable, Equatable {
    public var row: Int
    public var column: Int
    /// P_ab(s) from the Lyapunov ODE with M = −∇²F(Y) (Theorem 5).
    public var lyapunov: Double
    /// ∫₀ˢ Σ_ab(Y) du: what (A.7), which drops M Z, would give.
    public var driftless: Double
    /// The exact covariance of the Euler-linearised twin z (the control variate's mean).
    public var discreteLyapunov: Double
    /// The sample covariance of Z^η = (x^η − Y)/√η from SGD paths (plain Monte Carlo).
    public var monteCarlo: Estimate
    /// The same with the linearised twin as control variate (much smaller standard error).
    public var controlVariate: Estimate
}

public struct NormalDeviationsTimePoint: Sendable, Codable, Equatable {
    public var time: Double
    /// Y(s).
    public var flow: [Double]
    /// E Z^η(s) = E(Z^η − z), per coordinate (→ 0 like √η).
    public var meanDeviation: [Estimate]
    public var entries: [CovarianceEntry]
}

/// E φ(x^η(T)) against the linear-noise approximation E φ(Y + √η Z), Z ~ N(0, P(T)).
public struct LinearNoiseRow: Sendable, Codable, Equatable {
    public var testFunction: TestFunction
    public var sgd: Estimate
    /// E φ(Y(T) + √η Z) in closed form.
    public var linearNoise: Double
    /// φ(Y(T)): the gradient flow alone.
    public var flow: Double
    /// E φ(x) − E φ(Y + √η Z), by the twin as control variate.
    public var linearNoiseError: Estimate
    /// E φ(x) − φ(Y(T)).
    public var flowError: Estimate
}

public struct NormalDeviationsEtaRow: Sendable, Codable, Equatable {
    public var eta: Double
    public var steps: Int
    public var points: [NormalDeviationsTimePoint]
    /// E max_k |x_k − Y(kη)| over SGD paths, (A.4): O(√η).
    public var supError: Estimate
    /// max_k |x_k − Y(kη)| of noise-free gradient descent: O(η).
    public var gradientDescentSupError: Double
    /// ‖Cov Z^η(T) − P(T)‖_F / ‖P(T)‖_F (control variate).
    public var covarianceDiscrepancy: Estimate
    /// ‖Cov Z^η(T) − ∫Σ(Y)‖_F / ‖P(T)‖_F: the discrepancy from (A.7)'s covariance.
    public var driftlessDiscrepancy: Estimate
    /// tr Cov Z^η(T) / tr P(T): the constant √η of (A.5) checked (→ 1).
    public var traceRatio: Estimate
    /// |E Z^η(T)|.
    public var meanDeviation: Estimate
    public var linearNoise: [LinearNoiseRow]
    /// Paths whose SGD state left the finite numbers.
    public var diverged: Int
}

/// A fitted rate r of an error ∝ η^r, judged only against being slower than theory.
public struct RateFit: Sendable, Codable, Equatable {
    public var fit: SlopeFit
    /// The η of the points used (an error not resolved from 0 by two standard errors is left out).
    public var etas: [Double]
    public var verdict: Verdict
}

/// `sgdiff.normal-deviations/1`.
public struct NormalDeviationsResult: Sendable, Codable {
    public var schema = "sgdiff.normal-deviations/1"
    public var software: SoftwareInfo
    public var configuration: NormalDeviationsConfiguration
    public var dimension: Int
    public var rows: [NormalDeviationsEtaRow]
    /// (A.4): E sup error ∝ η^{1/2}; gradient descent's ∝ η (deterministic: no interval).
    public var supRate: RateFit
    public var gradientDescentRate: Double?
    /// Theorem 5: ‖Cov Z^η − P‖ ∝ η (the first correction of the expansion; Gaussian-symmetric noise).
    public var covarianceRate: RateFit
    /// |E Z^η(T)| ∝ η^{1/2}.
    public var meanRate: RateFit
    /// Weak error of the linear-noise approximation ∝ η, per test function.
    public var linearNoiseRates: [RateFit]
    /// At the smallest η: is SGD's covariance distinguishable from (A.7)'s ∫Σ(Y) (|z| > 3)?
    public var driftlessRejected: Bool
    public var verdict: Verdict
    public var wallSeconds: Double
}
