import Foundation
import Problems
import Numerics

/// A test function φ for weak errors and observables. The theory (Theorem 1) wants φ smooth
/// and bounded with bounded derivatives; `cos` and `gauss` are, `x` and `x^2` are the moments
/// users usually ask for (fine on confining landscapes).
public enum TestFunction: String, Sendable, Codable, CaseIterable {
    /// x₁, the first coordinate.
    case x
    /// |x|².
    case square = "x^2"
    /// cos x₁.
    case cos
    /// exp(-|x|²/2).
    case gauss

    @inlinable
    public func callAsFunction<V: StateVector>(_ p: V) -> Double where V.Scalar == Double {
        switch self {
        case .x: return p.component(0)
        case .square: return p.squaredNorm
        case .cos: return Foundation.cos(p.component(0))
        case .gauss: return exp(-0.5 * p.squaredNorm)
        }
    }

    public var formula: String {
        switch self {
        case .x: return "x₁"
        case .square: return "|x|²"
        case .cos: return "cos x₁"
        case .gauss: return "exp(-|x|²/2)"
        }
    }
}
