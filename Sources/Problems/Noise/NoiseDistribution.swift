import Foundation
import Numerics

/// The law of the standardised gradient-noise variable ζ (mean 0, variance 1, symmetric).
///
/// Each law is generated from a standard normal ξ by its quantile map ζ = Q(Φ(ξ)), so an SGD
/// path and an SDE path can be driven by the same ξ (a monotone coupling). Marginal laws are
/// exact; only the joint law of the pair changes, which leaves each expectation, and so each
/// weak-error estimate, unbiased while shrinking its variance.
public enum NoiseDistribution: String, Sendable, Codable, CaseIterable {
    case gaussian
    /// ±1 with probability 1/2 each: same first three moments as the Gaussian, E ζ⁴ = 1.
    case rademacher
    /// Uniform on [-√3, √3]: E ζ⁴ = 9/5.
    case uniform

    /// ζ as a monotone function of a standard normal ξ.
    @inlinable @inline(__always)
    public func fromNormal(_ xi: Double) -> Double {
        switch self {
        case .gaussian: return xi
        case .rademacher: return xi < 0 ? -1 : 1
        case .uniform: return 3.0.squareRoot() * (1 - erfc(xi / 2.0.squareRoot()))
        }
    }

    /// E ζ⁴ (3 for the Gaussian); the weak error of order-2 approximations depends on it.
    public var fourthMoment: Double {
        switch self {
        case .gaussian: return 3
        case .rademacher: return 1
        case .uniform: return 9.0 / 5.0
        }
    }
}
