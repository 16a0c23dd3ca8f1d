/// A smooth objective F: R^d -> R with its gradient and Hessian.
///
/// Conform a type to add your own landscape (see README, "Adding an objective"). Only
/// `value` and `gradient` are required: the Hessian defaults to central differences of the
/// gradient (error O(h^2), h = 1e-5 (1 + |x|)), which the order-2 SGD diffusion and the saddle
/// and minimiser analyses use; give it in closed form when you can.
public protocol Objective: Sendable {
    associatedtype State: StateVector where State.Scalar == Double
    /// A short identifier, e.g. "double-well".
    var name: String { get }
    func value(at x: State) -> Double
    func gradient(at x: State) -> State
    func hessian(at x: State) -> SquareMatrix<State>
    /// ∇²F(x) v; defaults to `hessian(at:) * v`.
    func hessianVectorProduct(at x: State, _ v: State) -> State
}

extension Objective {
    @inlinable
    public func hessian(at x: State) -> SquareMatrix<State> {
        finiteDifferenceHessian(at: x)
    }

    @inlinable
    public func hessianVectorProduct(at x: State, _ v: State) -> State {
        hessian(at: x) * v
    }

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
