import Foundation
import Numerics
import Problems

/// The annealed gradient diffusion of the paper's Proposition 2 (§5):
///
///     dX = -∇F(X) ds + √(γ / log(2 + s)) dB,
///
/// additive noise whose strength falls with time. In Hajek's convention dX = -∇F ds + √(2T(s)) dB
/// the temperature is T(s) = (γ/2)/log(2 + s), so his threshold "c ≥ d*" reads γ/2 ≥ d* here.
public struct AnnealingProcess<O: Objective>: DiffusionProcess {
    public typealias State = O.State
    public let objective: O
    public let gamma: Double

    public init(_ objective: O, gamma: Double) {
        precondition(gamma > 0, "γ must be positive")
        self.objective = objective
        self.gamma = gamma
    }

    /// ε(s) = γ / log(2 + s), the noise variance per unit time at time s.
    @inlinable public static func variance(gamma: Double, time s: Double) -> Double { gamma / log(2 + s) }
    @inlinable public func variance(at s: Double) -> Double { Self.variance(gamma: gamma, time: s) }

    @inlinable public func drift(at x: State, time: Double) -> State { -objective.gradient(at: x) }

    @inlinable
    public func diffusion(at x: State, time: Double) -> SquareMatrix<State> {
        .scalar(variance(at: time).squareRoot())
    }

    @inlinable
    public func applyDiffusion(at x: State, time: Double, _ dW: State) -> State {
        variance(at: time).squareRoot() * dW
    }

    public var noiseStructure: NoiseStructure { .additive }
}
