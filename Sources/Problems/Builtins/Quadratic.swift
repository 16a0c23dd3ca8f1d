import Numerics

/// F(x) = ½ (x - c)ᵀ H (x - c) for a symmetric H: a minimum, a saddle or a maximum at c
/// depending on the signs of H's eigenvalues.
///
/// With multiplicative noise, the one-dimensional case f(x; g) = ½(1 + g)x² has SGD and SDE
/// moments in closed form (see `ClosedForms`), which the weak-error study checks against.
public struct Quadratic<State: StateVector>: TwiceDifferentiableObjective where State.Scalar == Double {
    public var curvature: SquareMatrix<State>
    public var center: State
    public var name: String

    public init(curvature: SquareMatrix<State>, center: State = .zero, name: String = "quadratic") {
        self.curvature = curvature
        self.center = center
        self.name = name
    }

    @inlinable public func value(at x: State) -> Double {
        let d = x - center
        return 0.5 * d.dot(curvature * d)
    }
    @inlinable public func gradient(at x: State) -> State { curvature * (x - center) }
    @inlinable public func hessian(at x: State) -> SquareMatrix<State> { curvature }
    @inlinable public func hessianVectorProduct(at x: State, _ v: State) -> State { curvature * v }
    public var hasConstantHessian: Bool { true }
}

extension Quadratic where State == Double {
    /// F(x) = a x²/2.
    public init(curvature a: Double) {
        self.init(curvature: .scalar(a), center: 0, name: "quadratic")
    }
}
