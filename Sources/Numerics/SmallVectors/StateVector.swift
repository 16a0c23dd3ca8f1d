/// A point of a low-dimensional state space: `Double`/`Float` for d = 1, `Vector2`, `Vector3`,
/// `Vector4` of them for d = 2...4.
///
/// Objectives and steppers are written once against this protocol; after specialisation the
/// component loops disappear and the per-path code is straight-line scalar arithmetic, which
/// the compiler then vectorises *across paths* in the ensemble engine's lane loops. (The
/// standard library's SIMD2 would vectorise within one path instead, and LLVM's loop
/// vectoriser gives up on loops that already contain vector instructions: problem B ran 4x
/// slower with SIMD2 states.)
public protocol StateVector: Sendable, Equatable {
    associatedtype Scalar: BinaryFloatingPoint & Sendable & Codable
    static var dimension: Int { get }
    init(repeating value: Scalar)
    func component(_ i: Int) -> Scalar
    mutating func setComponent(_ i: Int, to value: Scalar)
    static func + (lhs: Self, rhs: Self) -> Self
    static func - (lhs: Self, rhs: Self) -> Self
    /// Componentwise product.
    static func * (lhs: Self, rhs: Self) -> Self
    static func * (lhs: Scalar, rhs: Self) -> Self
}

extension StateVector {
    @inlinable public static var zero: Self { Self(repeating: 0) }

    @inlinable public init(components: [Scalar]) {
        precondition(components.count == Self.dimension, "expected \(Self.dimension) components, got \(components.count)")
        self.init(repeating: 0)
        for i in 0..<Self.dimension { setComponent(i, to: components[i]) }
    }

    @inlinable public var components: [Scalar] { (0..<Self.dimension).map { component($0) } }

    @inlinable public static prefix func - (x: Self) -> Self { Self(repeating: 0) - x }

    @inlinable public func dot(_ other: Self) -> Scalar {
        var s: Scalar = 0
        for i in 0..<Self.dimension { s += component(i) * other.component(i) }
        return s
    }

    @inlinable public var squaredNorm: Scalar { dot(self) }

    /// The unit vector e_i.
    @inlinable public static func basis(_ i: Int) -> Self {
        var e = Self(repeating: 0)
        e.setComponent(i, to: 1)
        return e
    }

    @inlinable public var isFinite: Bool {
        var ok = true
        for i in 0..<Self.dimension { ok = ok && component(i).isFinite }
        return ok
    }
}

extension Double: StateVector {
    @inlinable public static var dimension: Int { 1 }
    @inlinable public init(repeating value: Double) { self = value }
    @inlinable public func component(_ i: Int) -> Double { self }
    @inlinable public mutating func setComponent(_ i: Int, to value: Double) { self = value }
}

extension Float: StateVector {
    @inlinable public static var dimension: Int { 1 }
    @inlinable public init(repeating value: Float) { self = value }
    @inlinable public func component(_ i: Int) -> Float { self }
    @inlinable public mutating func setComponent(_ i: Int, to value: Float) { self = value }
}
