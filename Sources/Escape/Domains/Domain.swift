import Problems
import Numerics

/// An open set D whose first exit time T = inf{s > 0: X(s) ∉ D} is measured (paper (4.1)).
///
/// Described by a signed distance: negative inside, positive outside, zero on ∂D. Built-ins
/// return the exact Euclidean distance to the boundary from inside (which the Brownian-bridge
/// crossing test needs); a user-supplied function only needs the right sign and a gradient that
/// points outwards.
public protocol Domain: Sendable, CustomStringConvertible {
    associatedtype State: StateVector where State.Scalar == Double
    func signedDistance(_ x: State) -> Double
    /// Outward unit normal of the boundary nearest x.
    func outwardNormal(_ x: State) -> State
}

extension Domain {
    @inlinable public func contains(_ x: State) -> Bool { signedDistance(x) < 0 }
}

/// (lower, upper) ⊂ R; either end may be infinite.
public struct Interval: Domain {
    public var lower: Double
    public var upper: Double
    public init(_ lower: Double, _ upper: Double) {
        self.lower = lower
        self.upper = upper
    }
    @inlinable public func signedDistance(_ x: Double) -> Double { Swift.max(lower - x, x - upper) }
    @inlinable public func outwardNormal(_ x: Double) -> Double { upper - x < x - lower ? 1 : -1 }
    public var description: String { "(\(lower), \(upper))" }
}

/// The open ball {|x - c| < r}.
public struct Ball<State: StateVector>: Domain where State.Scalar == Double {
    public var center: State
    public var radius: Double
    public init(center: State, radius: Double) {
        self.center = center
        self.radius = radius
    }
    @inlinable public func signedDistance(_ x: State) -> Double { (x - center).squaredNorm.squareRoot() - radius }
    @inlinable public func outwardNormal(_ x: State) -> State {
        let d = x - center
        let n = d.squaredNorm.squareRoot()
        return n > 0 ? (1 / n) * d : State.basis(0)
    }
    public var description: String { "ball(center \(center.components), radius \(radius))" }
}

/// The open box Π (lower_i, upper_i); bounds may be infinite (a half-space or a slab).
public struct Box<State: StateVector>: Domain where State.Scalar == Double {
    public var lower: State
    public var upper: State
    public init(lower: State, upper: State) {
        self.lower = lower
        self.upper = upper
    }
    @inlinable public func signedDistance(_ x: State) -> Double {
        var d = -Double.infinity
        for i in 0..<State.dimension {
            d = Swift.max(d, lower.component(i) - x.component(i), x.component(i) - upper.component(i))
        }
        return d
    }
    @inlinable public func outwardNormal(_ x: State) -> State {
        var best = -Double.infinity, axis = 0, sign = 1.0
        for i in 0..<State.dimension {
            let below = lower.component(i) - x.component(i), above = x.component(i) - upper.component(i)
            if below > best { best = below; axis = i; sign = -1 }
            if above > best { best = above; axis = i; sign = 1 }
        }
        return sign * State.basis(axis)
    }
    public var description: String { "box(\(lower.components) to \(upper.components))" }
}

/// A domain given by any function that is negative inside: its normal is the normalised
/// central-difference gradient.
public struct LevelSetDomain<State: StateVector>: Domain where State.Scalar == Double {
    public var function: @Sendable (State) -> Double
    public var name: String
    public init(name: String, _ function: @escaping @Sendable (State) -> Double) {
        self.name = name
        self.function = function
    }
    public func signedDistance(_ x: State) -> Double { function(x) }
    public func outwardNormal(_ x: State) -> State {
        var g = State.zero
        for i in 0..<State.dimension {
            let h = 1e-6 * (1 + abs(x.component(i)))
            var xp = x, xm = x
            xp.setComponent(i, to: x.component(i) + h)
            xm.setComponent(i, to: x.component(i) - h)
            g.setComponent(i, to: (function(xp) - function(xm)) / (2 * h))
        }
        let n = g.squaredNorm.squareRoot()
        return n > 0 ? (1 / n) * g : State.basis(0)
    }
    public var description: String { name }
}
