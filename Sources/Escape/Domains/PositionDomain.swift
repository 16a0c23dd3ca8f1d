import Numerics

/// A domain of positions lifted to phase space: (x, v) is inside when x is. Exit is a property
/// of where the iterate is, not how fast it moves (the heavy-ball and underdamped studies).
public struct PositionDomain<Inner: Domain>: Domain {
    public typealias State = PhasePoint<Inner.State>
    public var inner: Inner
    public init(_ inner: Inner) { self.inner = inner }
    @inlinable public func signedDistance(_ p: State) -> Double { inner.signedDistance(p.position) }
    @inlinable public func outwardNormal(_ p: State) -> State { State(position: inner.outwardNormal(p.position), velocity: .zero) }
    public var description: String { "positions in \(inner.description)" }
}
