import Numerics

/// A differentiable objective F: R^d -> R: its value and gradient.
///
/// The layers, by capability (as swift-numerics layers `ElementaryFunctions` → `RealFunctions`):
///
///     Objective                      F, ∇F                         (SGD, SME-1, exit times)
///       └ TwiceDifferentiableObjective   + ∇²F, ∇²F v               (SME-2's drift, saddle analysis)
///           └ StochasticGradientProblem  + ∇f(x; ζ), Σ(x), S(x)     (everything the paper simulates)
///
/// Conform a type to add your own landscape; nothing in the library needs to learn its name
/// (see `Examples/CustomProblem`).
public protocol Objective: Sendable {
    associatedtype State: StateVector where State.Scalar == Double
    /// A short identifier, e.g. "double-well".
    var name: String { get }
    /// F(x).
    func value(at x: State) -> Double
    /// ∇F(x).
    func gradient(at x: State) -> State
    /// True when F is even in coordinate i (F(…, -x_i, …) = F(x)); lets studies use symmetry
    /// (a minimum-action path on an axis of symmetry stays on it). Defaults to false.
    func isEven(inCoordinate i: Int) -> Bool
}

extension Objective {
    @inlinable public func isEven(inCoordinate i: Int) -> Bool { false }
}

/// An objective with second derivatives.
///
/// Both requirements have defaults: the Hessian by central differences of the gradient
/// (error O(h²), h = 1e-5 (1 + |x|)), the Hessian-vector product as `hessian(at:) * v`. Declaring
/// the conformance with no body opts into them; give the Hessian in closed form when you can.
public protocol TwiceDifferentiableObjective: Objective {
    /// ∇²F(x).
    func hessian(at x: State) -> SquareMatrix<State>
    /// ∇²F(x) v.
    func hessianVectorProduct(at x: State, _ v: State) -> State
    /// True when ∇²F does not depend on x (a quadratic): linear-saddle theory then applies exactly.
    var hasConstantHessian: Bool { get }
}

extension TwiceDifferentiableObjective {
    @inlinable
    public func hessian(at x: State) -> SquareMatrix<State> {
        finiteDifferenceHessian(at: x)
    }

    @inlinable
    public func hessianVectorProduct(at x: State, _ v: State) -> State {
        hessian(at: x) * v
    }

    @inlinable public var hasConstantHessian: Bool { false }
}

extension Objective {

    /// Central-difference Hessian from the gradient, symmetrised.
    @inlinable
    public func finiteDifferenceHessian(at x: State) -> SquareMatrix<State> {
        var h = SquareMatrix<State>()
        for j in 0..<State.dimension {
            let step = 1e-5 * (1 + abs(x.component(j)))
            var xp = x, xm = x
            xp.setComponent(j, to: x.component(j) + step)
            xm.setComponent(j, to: x.component(j) - step)
            h[column: j] = (1 / (2 * step)) * (gradient(at: xp) - gradient(at: xm))
        }
        return 0.5 * (h + h.transposed)
    }

    /// Central-difference gradient from the value, for checking a hand-written gradient.
    public func finiteDifferenceGradient(at x: State, step: Double = 1e-6) -> State {
        var g = State.zero
        for j in 0..<State.dimension {
            let h = step * (1 + abs(x.component(j)))
            var xp = x, xm = x
            xp.setComponent(j, to: x.component(j) + h)
            xm.setComponent(j, to: x.component(j) - h)
            g.setComponent(j, to: (value(at: xp) - value(at: xm)) / (2 * h))
        }
        return g
    }
}
