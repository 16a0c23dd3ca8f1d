import Numerics

/// The one-dimensional double well F(x) = x⁴/4 - x²/2 + τ x (benchmark problem A when τ = 0).
///
/// For τ = 0: minimisers ±1 (F = -1/4, F'' = 2), local maximum 0 (F = 0, F'' = -1), barrier
/// height 1/4. A tilt τ makes the wells unequal.
public struct DoubleWell: TwiceDifferentiableObjective {
    public var tilt: Double
    public init(tilt: Double = 0) { self.tilt = tilt }
    public var name: String { "double-well" }
    @inlinable public func value(at x: Double) -> Double { x * x * x * x / 4 - x * x / 2 + tilt * x }
    @inlinable public func gradient(at x: Double) -> Double { x * x * x - x + tilt }
    @inlinable public func hessian(at x: Double) -> SquareMatrix<Double> { .scalar(3 * x * x - 1) }
    @inlinable public func hessianVectorProduct(at x: Double, _ v: Double) -> Double { (3 * x * x - 1) * v }
}

/// The two-dimensional double well F(x, y) = (x² - 1)²/4 + κ y²/2 (benchmark problem B for κ = 1).
///
/// Minimisers (±1, 0) with Hessian diag(2, κ); an index-1 saddle at the origin with Hessian
/// diag(-1, κ), so γ₁ = 1; barrier height 1/4.
public struct DoubleWell2D: TwiceDifferentiableObjective {
    public var stiffness: Double
    public init(stiffness: Double = 1) { self.stiffness = stiffness }
    public var name: String { "double-well-2d" }
    public func isEven(inCoordinate i: Int) -> Bool { true }
    @inlinable public func value(at p: Point2) -> Double {
        let u = p.x * p.x - 1
        return u * u / 4 + stiffness * p.y * p.y / 2
    }
    @inlinable public func gradient(at p: Point2) -> Point2 {
        Vector2(p.x * p.x * p.x - p.x, stiffness * p.y)
    }
    @inlinable public func hessian(at p: Point2) -> SquareMatrix<Point2> {
        .diagonal(Vector2(3 * p.x * p.x - 1, stiffness))
    }
    @inlinable public func hessianVectorProduct(at p: Point2, _ v: Point2) -> Point2 {
        Vector2((3 * p.x * p.x - 1) * v.x, stiffness * v.y)
    }
}
