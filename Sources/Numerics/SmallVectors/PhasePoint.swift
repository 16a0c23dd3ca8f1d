/// A point (x, v) of phase space for second-order dynamics (heavy-ball SGD, underdamped
/// Langevin): components 0..<d are the position, d..<2d the velocity.
///
/// A `StateVector` itself, so the exit engine, the ensemble lanes and the SDE steppers run
/// momentum methods unchanged; `SquareMatrix` limits 2d to 4, i.e. positions of d ≤ 2.
public struct PhasePoint<Position: StateVector>: StateVector {
    public typealias Scalar = Position.Scalar
    public var position: Position
    public var velocity: Position

    @inlinable public init(position: Position, velocity: Position) {
        self.position = position
        self.velocity = velocity
    }
    @inlinable public init(repeating value: Scalar) {
        position = Position(repeating: value)
        velocity = Position(repeating: value)
    }
    @inlinable public static var dimension: Int { 2 * Position.dimension }
    @inlinable public func component(_ i: Int) -> Scalar {
        i < Position.dimension ? position.component(i) : velocity.component(i - Position.dimension)
    }
    @inlinable public mutating func setComponent(_ i: Int, to value: Scalar) {
        if i < Position.dimension { position.setComponent(i, to: value) } else { velocity.setComponent(i - Position.dimension, to: value) }
    }
    @inlinable public static func + (a: Self, b: Self) -> Self { Self(position: a.position + b.position, velocity: a.velocity + b.velocity) }
    @inlinable public static func - (a: Self, b: Self) -> Self { Self(position: a.position - b.position, velocity: a.velocity - b.velocity) }
    @inlinable public static func * (a: Self, b: Self) -> Self { Self(position: a.position * b.position, velocity: a.velocity * b.velocity) }
    @inlinable public static func * (s: Scalar, a: Self) -> Self { Self(position: s * a.position, velocity: s * a.velocity) }
}
