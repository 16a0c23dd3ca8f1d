import Numerics
import Randomness

/// A model of gradient noise ε(x) = ∇f(x; ζ) - ∇F(x), written ε = -S(x) ζ with ζ a vector of
/// independent standardised variables of one `NoiseDistribution`, so Σ(x) = S(x) S(x)ᵀ.
///
/// The minus sign is a convention that pairs SGD with its SDE: an SGD step subtracts η ε while
/// the SDE adds √η S ΔW, so ζ = ξ (the shared normal) makes the two move together. For the
/// symmetric laws here the sign does not change the law of ε.
///
/// Noise models are separate types (not cases of one enum) so that, after specialisation, the
/// per-path simulation loop contains no branch on the model and vectorises across paths.
public protocol NoiseModel: Sendable, CustomStringConvertible {
    associatedtype State: StateVector where State.Scalar == Double
    var distribution: NoiseDistribution { get }
    /// S(x).
    func factor(at x: State) -> SquareMatrix<State>
    /// S(x) z; override when cheaper than forming S.
    func apply(at x: State, _ z: State) -> State
    var structure: NoiseStructure { get }
    /// σ when S(x) = σ I for every x; nil otherwise (see `StochasticGradientProblem.isotropicNoiseScale`).
    var isotropicScale: Double? { get }
    /// True when S(x) = 0 for every x (see `StochasticGradientProblem.isNoiseFree`).
    var vanishes: Bool { get }
    /// True when S(x) is even in x_i and does not couple x_i to the other coordinates, so
    /// reflecting x_i leaves the law of the noise unchanged.
    func isEven(inCoordinate i: Int) -> Bool
}

extension NoiseModel {
    @inlinable public func apply(at x: State, _ z: State) -> State { factor(at: x) * z }
    public var isotropicScale: Double? { nil }
    public var vanishes: Bool { false }
    public func isEven(inCoordinate i: Int) -> Bool { false }

    /// Σ(x) = S(x) S(x)ᵀ.
    @inlinable public func covariance(at x: State) -> SquareMatrix<State> {
        let s = factor(at: x)
        return s * s.transposed
    }

    /// ε = -S(x) ζ with ζ_i = distribution.fromNormal(ξ_i).
    @inlinable public func sample(at x: State, driving xi: State) -> State {
        var zeta = State.zero
        for i in 0..<State.dimension { zeta.setComponent(i, to: distribution.fromNormal(xi.component(i))) }
        return -apply(at: x, zeta)
    }
}

/// Additive noise: S constant and symmetric PSD, Σ = S².
public struct AdditiveNoise<State: StateVector>: NoiseModel where State.Scalar == Double {
    public var root: SquareMatrix<State>
    public var distribution: NoiseDistribution
    public let isotropicScale: Double?

    /// Σ = σ² I.
    public init(sigma: Double, distribution: NoiseDistribution = .gaussian) {
        root = .scalar(sigma)
        self.distribution = distribution
        isotropicScale = sigma
    }

    /// A given covariance Σ (its symmetric square root is taken once).
    public init(covariance: SquareMatrix<State>, distribution: NoiseDistribution = .gaussian) {
        root = covariance.psdSquareRoot
        self.distribution = distribution
        isotropicScale = nil
    }

    @inlinable public func factor(at x: State) -> SquareMatrix<State> { root }
    @inlinable public func apply(at x: State, _ z: State) -> State { root * z }
    public var structure: NoiseStructure { .additive }
    public var vanishes: Bool { root.matrix.elements.allSatisfy { $0 == 0 } }
    public func isEven(inCoordinate i: Int) -> Bool {
        (0..<State.dimension).allSatisfy { j in j == i || (root[i, j] == 0 && root[j, i] == 0) }
    }
    public var description: String { "additive \(distribution.rawValue) noise, S = \(root.matrix.elements)" }
}

/// Multiplicative noise ε_i = σ ζ_i x_i: Σ = σ² diag(x²), S = σ diag(|x|). With the quadratic,
/// f(x; g) = ½(1 + g)|x|² is the paper-style example with state-dependent noise and closed-form
/// moments.
public struct MultiplicativeNoise<State: StateVector>: NoiseModel where State.Scalar == Double {
    public var scale: Double
    public var distribution: NoiseDistribution

    public init(scale: Double, distribution: NoiseDistribution = .gaussian) {
        self.scale = scale
        self.distribution = distribution
    }

    @inlinable public func factor(at x: State) -> SquareMatrix<State> {
        var d = State.zero
        for i in 0..<State.dimension { d.setComponent(i, to: scale * abs(x.component(i))) }
        return .diagonal(d)
    }

    @inlinable public func apply(at x: State, _ z: State) -> State {
        var r = State.zero
        for i in 0..<State.dimension { r.setComponent(i, to: scale * abs(x.component(i)) * z.component(i)) }
        return r
    }

    public var structure: NoiseStructure { .diagonal }
    public var vanishes: Bool { scale == 0 }
    public func isEven(inCoordinate i: Int) -> Bool { true }
    public var description: String { "multiplicative \(distribution.rawValue) noise, σ = \(scale)" }
}

/// S(x) = σ diag(1 + a_i sin x_i): smooth, bounded and uniformly positive definite when every
/// |a_i| < 1 (benchmark problem B's noise, with σ = 1, a = (1/2, 0)).
public struct ModulatedNoise<State: StateVector>: NoiseModel where State.Scalar == Double {
    public var scale: Double
    public var amplitudes: State
    public var distribution: NoiseDistribution

    public init(scale: Double, amplitudes: State, distribution: NoiseDistribution = .gaussian) {
        self.scale = scale
        self.amplitudes = amplitudes
        self.distribution = distribution
    }

    @inlinable func diagonal(at x: State) -> State {
        var d = State.zero
        for i in 0..<State.dimension {
            d.setComponent(i, to: scale * (1 + amplitudes.component(i) * FastMath.sin(x.component(i))))
        }
        return d
    }

    @inlinable public func factor(at x: State) -> SquareMatrix<State> { .diagonal(diagonal(at: x)) }
    @inlinable public func apply(at x: State, _ z: State) -> State { diagonal(at: x) * z }
    public var structure: NoiseStructure { .diagonal }
    public var vanishes: Bool { scale == 0 }
    /// sin is odd, so only an unmodulated coordinate is symmetric.
    public func isEven(inCoordinate i: Int) -> Bool { amplitudes.component(i) == 0 }
    public var description: String { "modulated \(distribution.rawValue) noise, σ = \(scale), a = \(amplitudes.components)" }
}
