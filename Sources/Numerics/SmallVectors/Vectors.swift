/// A point of R² stored as two scalar fields (see `StateVector` for why not SIMD2).
public struct Vector2<Scalar: BinaryFloatingPoint & Sendable & Codable>: StateVector, Codable, CustomStringConvertible {
    public var x: Scalar
    public var y: Scalar
    @inlinable public init(_ x: Scalar, _ y: Scalar) { self.x = x; self.y = y }
    @inlinable public init(repeating v: Scalar) { x = v; y = v }
    @inlinable public static var dimension: Int { 2 }
    @inlinable public func component(_ i: Int) -> Scalar { i == 0 ? x : y }
    @inlinable public mutating func setComponent(_ i: Int, to v: Scalar) { if i == 0 { x = v } else { y = v } }
    @inlinable public static func + (a: Self, b: Self) -> Self { Self(a.x + b.x, a.y + b.y) }
    @inlinable public static func - (a: Self, b: Self) -> Self { Self(a.x - b.x, a.y - b.y) }
    @inlinable public static func * (a: Self, b: Self) -> Self { Self(a.x * b.x, a.y * b.y) }
    @inlinable public static func * (s: Scalar, a: Self) -> Self { Self(s * a.x, s * a.y) }
    public var description: String { "(\(x), \(y))" }
}

/// A point of R³ stored as three scalar fields.
public struct Vector3<Scalar: BinaryFloatingPoint & Sendable & Codable>: StateVector, Codable, CustomStringConvertible {
    public var x: Scalar
    public var y: Scalar
    public var z: Scalar
    @inlinable public init(_ x: Scalar, _ y: Scalar, _ z: Scalar) { self.x = x; self.y = y; self.z = z }
    @inlinable public init(repeating v: Scalar) { x = v; y = v; z = v }
    @inlinable public static var dimension: Int { 3 }
    @inlinable public func component(_ i: Int) -> Scalar { i == 0 ? x : (i == 1 ? y : z) }
    @inlinable public mutating func setComponent(_ i: Int, to v: Scalar) {
        switch i {
        case 0: x = v
        case 1: y = v
        default: z = v
        }
    }
    @inlinable public static func + (a: Self, b: Self) -> Self { Self(a.x + b.x, a.y + b.y, a.z + b.z) }
    @inlinable public static func - (a: Self, b: Self) -> Self { Self(a.x - b.x, a.y - b.y, a.z - b.z) }
    @inlinable public static func * (a: Self, b: Self) -> Self { Self(a.x * b.x, a.y * b.y, a.z * b.z) }
    @inlinable public static func * (s: Scalar, a: Self) -> Self { Self(s * a.x, s * a.y, s * a.z) }
    public var description: String { "(\(x), \(y), \(z))" }
}

/// A point of R⁴ stored as four scalar fields.
public struct Vector4<Scalar: BinaryFloatingPoint & Sendable & Codable>: StateVector, Codable, CustomStringConvertible {
    public var x: Scalar
    public var y: Scalar
    public var z: Scalar
    public var w: Scalar
    @inlinable public init(_ x: Scalar, _ y: Scalar, _ z: Scalar, _ w: Scalar) { self.x = x; self.y = y; self.z = z; self.w = w }
    @inlinable public init(repeating v: Scalar) { x = v; y = v; z = v; w = v }
    @inlinable public static var dimension: Int { 4 }
    @inlinable public func component(_ i: Int) -> Scalar {
        switch i {
        case 0: return x
        case 1: return y
        case 2: return z
        default: return w
        }
    }
    @inlinable public mutating func setComponent(_ i: Int, to v: Scalar) {
        switch i {
        case 0: x = v
        case 1: y = v
        case 2: z = v
        default: w = v
        }
    }
    @inlinable public static func + (a: Self, b: Self) -> Self { Self(a.x + b.x, a.y + b.y, a.z + b.z, a.w + b.w) }
    @inlinable public static func - (a: Self, b: Self) -> Self { Self(a.x - b.x, a.y - b.y, a.z - b.z, a.w - b.w) }
    @inlinable public static func * (a: Self, b: Self) -> Self { Self(a.x * b.x, a.y * b.y, a.z * b.z, a.w * b.w) }
    @inlinable public static func * (s: Scalar, a: Self) -> Self { Self(s * a.x, s * a.y, s * a.z, s * a.w) }
    public var description: String { "(\(x), \(y), \(z), \(w))" }
}

/// Shorthands for the double-precision states used throughout the paper's experiments.
public typealias Point2 = Vector2<Double>
public typealias Point3 = Vector3<Double>
public typealias Point4 = Vector4<Double>
