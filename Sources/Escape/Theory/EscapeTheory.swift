import Foundation
import Numerics
import Problems

/// Predictions of §4 for exit times of dX = -∇F ds + √η S dB.
public enum EscapeTheory {
    /// Theorem 3, (4.12): E T / log(1/η) → 1/(2γ₁) from a nondegenerate unstable point.
    public static func saddleSlope(gamma1: Double) -> Double { 1 / (2 * gamma1) }

    /// The full small-η asymptotics for the linear saddle F = (-γ₁x² + Σ λ_i y_i²)/2 with
    /// isotropic noise S = σI, started at the saddle, exiting the ball of radius R:
    ///
    ///     E T = (1/(2γ₁)) log(1/η) + (1/γ₁) [log(R √(2γ₁)/σ) + (γ_E + log 2)/2] + O(η)
    ///
    /// X₁(s) = e^{γ₁s}(√η σ ∫₀^s e^{-γ₁u} dB_u) → e^{γ₁s} G with G ~ N(0, ησ²/(2γ₁)), exit when
    /// |X₁| = R, and E log|Z| = -(γ_E + log 2)/2 for Z ~ N(0, 1).
    public static func linearSaddleMeanExitTime(gamma1: Double, sigma: Double, radius: Double, eta: Double) -> Double {
        let eulerGamma = 0.5772156649015329
        return log(1 / eta) / (2 * gamma1) + (log(radius * (2 * gamma1).squareRoot() / sigma) + (eulerGamma + log(2)) / 2) / gamma1
    }

    /// θ(x₀) of the remark after Theorem 3: the exit time of the gradient flow x' = -∇F(x) from
    /// x₀, by RK4 with step `dt`; nil if it has not exited by `horizon` (x₀ on the stable manifold).
    @inlinable
    public static func gradientFlowExitTime<P: StochasticGradientProblem, D: Domain>(
        _ problem: P, domain: D, from x0: P.State, dt: Double = 1e-3, horizon: Double = 200
    ) -> Double? where D.State == P.State {
        var x = x0, t = 0.0
        let f = { (p: P.State) in -problem.gradient(at: p) }
        while t < horizon {
            let k1 = f(x), k2 = f(x + (dt / 2) * k1), k3 = f(x + (dt / 2) * k2), k4 = f(x + dt * k3)
            let y = x + (dt / 6) * (k1 + 2 * k2 + 2 * k3 + k4)
            if !domain.contains(y) {
                // linear interpolation of the crossing within the step
                let a = domain.signedDistance(x), b = domain.signedDistance(y)
                return t + dt * (-a) / max(b - a, .leastNonzeroMagnitude)
            }
            x = y
            t += dt
        }
        return nil
    }

    /// The Eyring–Kramers law for dX = -∇F ds + √η σ dB, i.e. dX = -∇F ds + √(2ε) dB with
    /// **ε = ησ²/2** (Bovier, Eckhoff, Gayrard & Klein 2004):
    ///
    ///     E τ = (2π / |λ₁(z*)|) sqrt(|det ∇²F(z*)| / det ∇²F(x*)) exp((F(z*) - F(x*)) / ε)
    ///
    /// for the time to cross the saddle z* into the next basin. The time to *hit* the saddle
    /// itself (a domain whose boundary passes through z*) is half of it: at z* a path is as
    /// likely to fall back as to go on.
    public static func eyringKramers(eta: Double, sigma: Double, barrier: Double, saddleUnstableEigenvalue: Double,
                                     saddleDeterminant: Double, minimumDeterminant: Double, hittingSaddle: Bool) -> Double {
        let epsilon = eta * sigma * sigma / 2
        let prefactor = 2 * Double.pi / abs(saddleUnstableEigenvalue) * (abs(saddleDeterminant) / minimumDeterminant).squareRoot()
        return (hittingSaddle ? 0.5 : 1) * prefactor * exp(barrier / epsilon)
    }

    /// The same formula with the paper's stated scaling ε = √η (remark (ii) after Theorem 2),
    /// kept to show numerically that it is not the right one for this SDE.
    public static func eyringKramersPaperScaling(eta: Double, barrier: Double, saddleUnstableEigenvalue: Double,
                                                 saddleDeterminant: Double, minimumDeterminant: Double, hittingSaddle: Bool) -> Double {
        let epsilon = eta.squareRoot()
        let prefactor = 2 * Double.pi / abs(saddleUnstableEigenvalue) * (abs(saddleDeterminant) / minimumDeterminant).squareRoot()
        return (hittingSaddle ? 0.5 : 1) * prefactor * exp(barrier / epsilon)
    }

    /// Theorem 2's V̄_D for gradient systems with S = σI: the quasi-potential is V(z) = 2(F(z) - F(x*))/σ²,
    /// so V̄_D = 2 (min_{∂D} F - F(x*)) / σ².
    public static func gradientQuasiPotential(barrier: Double, sigma: Double) -> Double { 2 * barrier / (sigma * sigma) }

    /// The 1-D quasi-potential for any S(x) > 0: V(z) = ∫_{x*}^{z} 2F'(y)/S(y)² dy (Simpson, n intervals).
    public static func oneDimensionalQuasiPotential(from minimum: Double, to z: Double, gradient: (Double) -> Double,
                                                    noise: (Double) -> Double, intervals: Int = 20_000) -> Double {
        let n = intervals % 2 == 0 ? intervals : intervals + 1
        let h = (z - minimum) / Double(n)
        func integrand(_ y: Double) -> Double { let s = noise(y); return 2 * gradient(y) / (s * s) }
        var sum = integrand(minimum) + integrand(z)
        for i in 1..<n { sum += (i % 2 == 1 ? 4 : 2) * integrand(minimum + Double(i) * h) }
        return sum * h / 3
    }
}
