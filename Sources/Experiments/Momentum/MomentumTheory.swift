import Escape
import Foundation

/// Closed forms beside the momentum study's measurements. Times are effective times
/// τ = kη/(1 − β) (heavy ball) or kη_eff (plain SGD at η_eff = η/(1 − β)): gradient-flow time,
/// in which both methods take the same deterministic path as η → 0.
public enum MomentumTheory {
    static let eulerGamma = 0.5772156649015329

    /// The unstable root z₁ > 1 and the stable root z₂ = β/z₁ of z² − (1 + β + ηγ₁)z + β = 0: the
    /// heavy-ball recursion x_{k+1} = (1 + β + ηγ₁)x_k − βx_{k−1} along the unstable direction.
    public static func heavyBallRoots(eta: Double, beta: Double, gamma1: Double) -> (Double, Double) {
        let b = 1 + beta + eta * gamma1
        let z1 = (b + (b * b - 4 * beta).squareRoot()) / 2
        return (z1, beta / z1)
    }

    /// Stationary variance of heavy ball on a stable quadratic of curvature a: the AR(2)
    /// x_{k+1} = (1 + β − ηa)x_k − βx_{k−1} − ησξ_k has γ₀ = ησ²(1 + β)/((1 − β) a (2(1 + β) − ηa)).
    public static func heavyBallStableVariance(eta: Double, beta: Double, curvature a: Double, sigma: Double) -> Double {
        eta * sigma * sigma * (1 + beta) / ((1 - beta) * a * (2 * (1 + beta) - eta * a))
    }

    /// E τ of heavy ball from the saddle of F = (−γ₁x² + λy²)/2 (S = σI) out of the ball of radius R.
    ///
    /// Along x the recursion's impulse response is (z₁^{n+1} − z₂^{n+1})/(z₁ − z₂), so x_k ≈ z₁^k A
    /// with A = −ησ/(z₁ − z₂) Σ_j z₁^{−j} ξ_j ~ N(0, η²σ²z₁²/((z₁ − z₂)²(z₁² − 1))). The exit is the
    /// first k with z₁^k|A| ≥ R_eff, R_eff = √(R² − y²) ≈ R − y²/(2R) with y at its stationary
    /// variance; with E log|Z| = −(γ_E + log 2)/2 and the ceiling's half step (the fractional part of
    /// a spread-out τ is uniform): E N = [log R − ½ log var A + (γ_E + log 2)/2 − E y²/(2R²)]/log z₁ + ½.
    /// At β = 0 and small η this is `EscapeTheory.linearSaddleMeanExitTime` (its log(1/η)/(2γ₁) law).
    public static func heavyBallSaddleTime(eta: Double, beta: Double, gamma1: Double, lambda: Double, sigma: Double, radius: Double) -> Double {
        let (z1, z2) = heavyBallRoots(eta: eta, beta: beta, gamma1: gamma1)
        let variance = eta * eta * sigma * sigma * z1 * z1 / ((z1 - z2) * (z1 - z2) * (z1 * z1 - 1))
        let stable = heavyBallStableVariance(eta: eta, beta: beta, curvature: lambda, sigma: sigma)
        let steps = linearEscapeLogRatio(variance: variance, stable: stable, radius: radius) / log(z1) + 0.5
        return steps * eta / (1 - beta)
    }

    /// The same for the underdamped SDE with step h (exits seen on the grid: half a step late).
    /// m X″ + (1 − β)X′ − γ₁X = √η σ Ḃ has growth λ₁ = (−(1 − β) + √((1 − β)² + 4mγ₁))/(2m) and
    /// X(s) ≈ e^{λ₁s}A, var A = ησ²/(((1 − β)² + 4mγ₁) 2λ₁); the stable coordinate's variance is
    /// ησ²/(2(1 − β)λ) for any m. τ = s/(1 − β).
    public static func underdampedSaddleTime(eta: Double, beta: Double, gamma1: Double, lambda: Double, sigma: Double, radius: Double, step h: Double) -> Double {
        let m = eta * (1 + beta) / 2, root = ((1 - beta) * (1 - beta) + 4 * m * gamma1).squareRoot()
        let growth = (root - (1 - beta)) / (2 * m)
        let variance = eta * sigma * sigma / (root * root * 2 * growth)
        let stable = eta * sigma * sigma / (2 * (1 - beta) * lambda)
        let s = linearEscapeLogRatio(variance: variance, stable: stable, radius: radius) / growth + h / 2
        return s / (1 - beta)
    }

    /// log of R_eff over the unstable amplitude |A|, in expectation: the numerator both linear
    /// saddle laws divide by their growth rate.
    static func linearEscapeLogRatio(variance: Double, stable: Double, radius: Double) -> Double {
        log(radius) - 0.5 * log(variance) + (eulerGamma + log(2)) / 2 - stable / (2 * radius * radius)
    }

    /// Growth rate of heavy ball's unstable mode per unit effective time, log z₁/η_eff; → γ₁ as
    /// ηγ₁/(1 − β)² → 0, which is when the log(1/η)/(2γ₁) law can return.
    public static func effectiveGrowth(eta: Double, beta: Double, gamma1: Double) -> Double {
        log(heavyBallRoots(eta: eta, beta: beta, gamma1: gamma1).0) * (1 - beta) / eta
    }

    /// Kramers' factor κ ≤ 1 by which inertia lowers the escape rate at equal temperature.
    ///
    /// For m X″ = −γX′ − F′(X) + noise at temperature T (here T = ησ²/(2(1 − β)), the same as SGD's
    /// SDE at η_eff: both have Gibbs density ∝ e^{−F/T}), the moderate-to-high-friction Kramers rate
    /// is k = (ω_a/2π)(√(γ_f²/4 + ω_b²) − γ_f/2)/ω_b · e^{−ΔF/T} with γ_f = γ/m, ω² = |F″|/m; its
    /// overdamped limit is √(F″_a|F″_b|)/(2πγ) e^{−ΔF/T}. Their ratio is
    /// κ = γ_f(√(γ_f²/4 + ω_b²) − γ_f/2)/ω_b² = (√(¼ + q) − ½)/q with q = ω_b²/γ_f² = |F″_b| m/γ²,
    /// here q = |F″_b| η(1 + β)/(2(1 − β)²); in the friction γ = 1 − β and mass m directly,
    /// κ = (√(γ² + 4m|F″_b|) − γ)γ/(2m|F″_b|). κ = 1 − q + O(q²) → 1 as m → 0: the overdamped
    /// limit, checked in the tests. Heavy ball then needs 1/κ times as long as SGD.
    public static func kramersFactor(eta: Double, beta: Double, barrierCurvature: Double) -> Double {
        let q = barrierCurvature * eta * (1 + beta) / (2 * (1 - beta) * (1 - beta))
        return ((0.25 + q).squareRoot() - 0.5) / q
    }

    /// E τ of SGD's first-order SDE at η_eff, dX = −F′ dτ + √η_eff σ dB, from x₀ to `target`
    /// (reflected at `reflecting`), by quadrature: the overdamped reference for the minimum.
    public static func overdampedFirstPassage(etaEffective: Double, sigma: Double, from x0: Double, to target: Double, reflecting: Double,
                                              gradient: (Double) -> Double) -> Double {
        ExactMeanExitTime1D.firstPassage(from: x0, to: target, reflecting: reflecting, drift: { -gradient($0) },
                                         diffusion: { _ in etaEffective * sigma * sigma / 2 })
    }
}
