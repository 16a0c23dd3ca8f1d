import Randomness
import Numerics

/// An objective with a gradient-noise model: ∇f(x; ζ) = ∇F(x) + ε(x; ζ).
public struct NoisyObjective<O: TwiceDifferentiableObjective, N: NoiseModel>: StochasticGradientProblem where N.State == O.State {
    public typealias State = O.State
    public var objective: O
    public var noise: N

    public init(_ objective: O, noise: N) {
        self.objective = objective
        self.noise = noise
    }

    public var name: String { objective.name }
    @inlinable public func value(at x: State) -> Double { objective.value(at: x) }
    @inlinable public func gradient(at x: State) -> State { objective.gradient(at: x) }
    @inlinable public func hessian(at x: State) -> SquareMatrix<State> { objective.hessian(at: x) }
    @inlinable public func hessianVectorProduct(at x: State, _ v: State) -> State {
        objective.hessianVectorProduct(at: x, v)
    }

    @inlinable
    public func stochasticGradient(at x: State, step: Int, driving: State, generator: inout PhiloxGenerator) -> State {
        objective.gradient(at: x) + noise.sample(at: x, driving: driving)
    }

    @inlinable public func noiseCovariance(at x: State, step: Int) -> SquareMatrix<State> { noise.covariance(at: x) }
    @inlinable public func noiseFactor(at x: State, step: Int) -> SquareMatrix<State> { noise.factor(at: x) }
    @inlinable public func applyNoiseFactor(at x: State, step: Int, _ z: State) -> State { noise.apply(at: x, z) }
    public var noiseStructure: NoiseStructure { noise.structure }
    public var hasConstantHessian: Bool { objective.hasConstantHessian }
    public var isotropicNoiseScale: Double? { noise.isotropicScale }
    public var isNoiseFree: Bool { noise.vanishes }
    public var isAxiallySymmetric: Bool {
        (1..<State.dimension).allSatisfy { objective.isEven(inCoordinate: $0) && noise.isEven(inCoordinate: $0) }
    }
}
