import Dynamics
import Numerics
import Problems

/// The peers' standard ensemble problems (`shared/bench/README.md`), written directly as SDEs so
/// the same definition runs in Float and Double:
///
///     A: dX = -(X³ - X) dt + √η σ dB                                   X₀ = -1
///     B: d(X, Y) = -((X³ - X), Y) dt + √η diag(1 + ½ sin X, 1) dB     (X₀, Y₀) = (-1, 0)
///
/// with η = 0.05, σ = 1, Euler–Maruyama step h = 0.01. In Double these are exactly the SGD
/// diffusions (order 1) of `DoubleWell` with isotropic noise and of `DoubleWell2D` with
/// `.modulated(scale: 1, amplitudes: (0.5, 0))` noise; a test checks the two agree.
public struct BenchmarkProblemA<T: BinaryFloatingPoint & Sendable & Codable>: DiffusionProcess where T: StateVector, T.Scalar == T {
    public typealias State = T
    public let noiseScale: T
    public init(eta: Double = 0.05, sigma: Double = 1) { noiseScale = T((eta).squareRoot() * sigma) }
    @inlinable public func drift(at x: T, time: Double) -> T { x - x * x * x }
    @inlinable public func diffusion(at x: T, time: Double) -> SquareMatrix<T> { .scalar(noiseScale) }
    @inlinable public func applyDiffusion(at x: T, time: Double, _ dW: T) -> T { noiseScale * dW }
    public var noiseStructure: NoiseStructure { .additive }
}

public protocol FastSine: BinaryFloatingPoint & Sendable & Codable {
    static func fastSin(_ x: Self) -> Self
}
extension Double: FastSine { @inlinable public static func fastSin(_ x: Double) -> Double { FastMath.sin(x) } }
extension Float: FastSine { @inlinable public static func fastSin(_ x: Float) -> Float { FastMath.sin(x) } }

public struct BenchmarkProblemB<T: FastSine>: DiffusionProcess {
    public typealias State = Vector2<T>
    public let noiseScale: T
    public init(eta: Double = 0.05, sigma: Double = 1) { noiseScale = T((eta).squareRoot() * sigma) }
    @inlinable public func drift(at p: Vector2<T>, time: Double) -> Vector2<T> { Vector2(p.x - p.x * p.x * p.x, -p.y) }
    @inlinable public func diffusion(at p: Vector2<T>, time: Double) -> SquareMatrix<Vector2<T>> {
        .diagonal(noiseScale * Vector2(1 + 0.5 * T.fastSin(p.x), 1))
    }
    @inlinable public func applyDiffusion(at p: Vector2<T>, time: Double, _ dW: Vector2<T>) -> Vector2<T> {
        Vector2(noiseScale * (1 + 0.5 * T.fastSin(p.x)) * dW.x, noiseScale * dW.y)
    }
    public var noiseStructure: NoiseStructure { .diagonal }
}
