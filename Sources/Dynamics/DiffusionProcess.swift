import Problems
import Numerics

/// An Itô SDE dX = b(X, s) ds + S(X, s) dB with B a standard Brownian motion of the state's
/// dimension: the problem a stepper solves, kept apart from the method (diffrax's term/solver
/// split).
public protocol DiffusionProcess: Sendable {
    associatedtype State: StateVector
    /// b(x, s).
    func drift(at x: State, time: Double) -> State
    /// S(x, s), columns b^j.
    func diffusion(at x: State, time: Double) -> SquareMatrix<State>
    /// S(x, s) dW; defaults to `diffusion(at:time:) * dW`.
    func applyDiffusion(at x: State, time: Double, _ dW: State) -> State
    var noiseStructure: NoiseStructure { get }
}

extension DiffusionProcess {
    @inlinable
    public func applyDiffusion(at x: State, time: Double, _ dW: State) -> State {
        diffusion(at: x, time: time) * dW
    }
}

/// The SGD diffusion process of a problem (paper (3.2), (3.6), (3.15)):
///
///     dX = b(X) ds + √η S(X) dB,  S = Σ^{1/2},
///     b = -∇F                          (order 1, "SME-1")
///     b = -∇F - (η/4) ∇|∇F|²  = -∇F - (η/2) ∇²F ∇F   (order 2, "SME-2", Theorem 1)
///
/// Time s is SGD's pseudo-time: iteration k sits at s = kη, so the batch size of a schedule is
/// read at step ⌊s/η⌋.
public struct SGDDiffusionProcess<Problem: StochasticGradientProblem>: DiffusionProcess {
    public typealias State = Problem.State

    public enum Order: Int, Sendable, Codable, CaseIterable {
        case first = 1
        case second = 2
    }

    public let problem: Problem
    public let eta: Double
    public let order: Order
    @usableFromInline let sqrtEta: Double
    @usableFromInline let isSecondOrder: Bool

    public init(_ problem: Problem, eta: Double, order: Order) {
        precondition(eta > 0, "η must be positive")
        self.problem = problem
        self.eta = eta
        self.order = order
        sqrtEta = eta.squareRoot()
        isSecondOrder = order == .second
    }

    @inlinable
    public func drift(at x: State, time: Double) -> State {
        let g = problem.gradient(at: x)
        return isSecondOrder ? -(g + (0.5 * eta) * problem.hessianVectorProduct(at: x, g)) : -g
    }

    /// ⌊s/η⌋ clamped to [0, 2^50], by exact floating-point arithmetic rather than `Int(_:)`:
    /// a trapping conversion in the per-path loop stops it from vectorising even when the
    /// problem ignores the step, while this is dead code then.
    @inlinable
    func step(at time: Double) -> Int {
        let q = Swift.max(0, Swift.min((time / eta).rounded(.down), 0x1p50))
        return Int(truncatingIfNeeded: (q + 0x1p52).bitPattern & 0x000f_ffff_ffff_ffff)
    }

    @inlinable
    public func diffusion(at x: State, time: Double) -> SquareMatrix<State> {
        sqrtEta * problem.noiseFactor(at: x, step: step(at: time))
    }

    @inlinable
    public func applyDiffusion(at x: State, time: Double, _ dW: State) -> State {
        sqrtEta * problem.applyNoiseFactor(at: x, step: step(at: time), dW)
    }

    public var noiseStructure: NoiseStructure { problem.noiseStructure }
}
