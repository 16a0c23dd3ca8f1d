import Problems

/// What the theory of a study needs to know about a problem beyond its configuration.
@usableFromInline
struct ProblemFacts: Sendable {
    /// σ when Σ = σ² I (closed-form Kramers, gradient quasi-potential, linear-saddle law).
    @usableFromInline var isotropicNoiseScale: Double?
    @usableFromInline var hasConstantHessian: Bool
    /// F and S even in x₂…x_d: the minimum-action path along the x₁ axis stays on it.
    @usableFromInline var isAxiallySymmetric: Bool

    @inlinable
    init<P: StochasticGradientProblem>(_ problem: P) {
        isotropicNoiseScale = problem.isotropicNoiseScale
        hasConstantHessian = problem.hasConstantHessian
        isAxiallySymmetric = problem.isAxiallySymmetric
    }
}
