import Randomness
import Numerics

/// A stochastic optimisation problem min F(x) = E f(x; ζ): the objective, and the law of the
/// stochastic gradient ∇f(x; ζ) with its covariance Σ(x) = var ∇f(x; ζ) (paper (2.1), (3.7)).
///
/// This is everything needed to run SGD (2.2) *and* to build its diffusion approximation (3.2),
/// (3.6): drift -∇F (order 1) or -∇F - (η/2) ∇²F ∇F (order 2), diffusion √η Σ^{1/2}.
///
/// F, ∇F, ∇²F come from `TwiceDifferentiableObjective`; this layer adds only the noise.
public protocol StochasticGradientProblem: TwiceDifferentiableObjective {
    /// A sample of ∇f(x; ζ) for iteration `step`.
    ///
    /// - Parameters:
    ///   - driving: independent standard normals. Noise models built from them (Gaussian, and
    ///     non-Gaussian laws by quantile coupling) let SGD share randomness with its SDE.
    ///   - generator: for discrete sampling, e.g. mini-batch indices.
    func stochasticGradient(at x: State, step: Int, driving: State, generator: inout PhiloxGenerator) -> State

    /// Σ(x) at iteration `step` (the step matters only for batch-size schedules).
    func noiseCovariance(at x: State, step: Int) -> SquareMatrix<State>
    /// S(x) = Σ(x)^{1/2}; defaults to the symmetric square root of `noiseCovariance`.
    func noiseFactor(at x: State, step: Int) -> SquareMatrix<State>
    /// S(x) z; defaults to `noiseFactor(at:step:) * z`. Override when S is cheap to apply.
    func applyNoiseFactor(at x: State, step: Int, _ z: State) -> State
    /// What S(x) looks like, so solvers can skip work.
    var noiseStructure: NoiseStructure { get }
    /// True if `stochasticGradient` depends on `generator` (then SGD cannot share noise with the SDE).
    var usesGenerator: Bool { get }
    /// σ when Σ(x) = σ² I everywhere; nil otherwise. Studies use it to put closed-form theory
    /// (Eyring–Kramers, the gradient quasi-potential 2ΔF/σ², the linear-saddle law) beside a
    /// measurement; a problem that leaves it nil still runs every study, with minimum-action theory.
    var isotropicNoiseScale: Double? { get }
    /// True when the stochastic gradient is exact, Σ(x) = 0 for every x, so SGD is gradient
    /// descent and no path leaves a stationary point: the escape studies refuse such a problem.
    /// A problem that cannot say leaves it false.
    var isNoiseFree: Bool { get }
    /// True when F and the law of the noise are even in each of x₂…x_d, so the x₁ axis is an
    /// axis of symmetry (the 2-D quasi-potential along it is then a 1-D integral).
    var isAxiallySymmetric: Bool { get }
}

extension StochasticGradientProblem {
    @inlinable
    public func noiseFactor(at x: State, step: Int) -> SquareMatrix<State> {
        noiseCovariance(at: x, step: step).psdSquareRoot
    }

    @inlinable
    public func applyNoiseFactor(at x: State, step: Int, _ z: State) -> State {
        noiseFactor(at: x, step: step) * z
    }

    @inlinable public var usesGenerator: Bool { false }

    @inlinable public var isotropicNoiseScale: Double? { nil }
    public var isNoiseFree: Bool { false }
    public var isAxiallySymmetric: Bool { false }
}

/// How the diffusion matrix S(x) depends on x.
public enum NoiseStructure: String, Sendable, Codable {
    /// S is constant: weak order-2 schemes reduce to Heun's method plus S ΔW.
    case additive
    /// S is diagonal and S_jj depends on x_j only: the scheme's cross terms vanish.
    case diagonal
    /// Anything else.
    case general
}
