import Numerics
import Problems

/// The underdamped SDE of heavy-ball SGD (v_{k+1} = β v_k − η ∇f(x_k), x_{k+1} = x_k + v_{k+1})
/// on phase space (X, V), in time s = kη with V the velocity per unit time:
///
///     dX = V ds,   m dV = −((1 − β) V + ∇F(X)) ds + √η S(X) dB,   m = η(1 + β)/2.
///
/// Derived by matching the central-difference expansion of x_{k+1} − x_k = β(x_k − x_{k−1}) − η g_k:
/// x_{k+1} − 2x_k + x_{k−1} = η² X″ + O(η⁴), x_k − x_{k−1} = η X′ − η² X″/2 + O(η³), so
/// η²(1 + β)/2 X″ + η(1 − β) X′ = −η g to second order; the noise η S ξ_k per step is √η S dB
/// per unit time. At β = 0 the O(η) correction X′ = −∇F − (η/2)∇²F ∇F is SME-2's drift; as
/// m → 0 it is SGD's first-order SDE at step η/(1 − β) in time s/(1 − β). The noise enters V only.
public struct UnderdampedProcess<Problem: StochasticGradientProblem>: DiffusionProcess {
    public typealias State = PhasePoint<Problem.State>
    public let problem: Problem
    public let eta: Double
    public let beta: Double
    public let mass: Double
    @usableFromInline let noiseOverMass: Double
    @usableFromInline let frictionOverMass: Double
    @usableFromInline let inverseMass: Double

    public init(_ problem: Problem, eta: Double, beta: Double) {
        precondition(eta > 0 && beta >= 0 && beta < 1, "need η > 0 and 0 ≤ β < 1")
        self.problem = problem
        self.eta = eta
        self.beta = beta
        mass = eta * (1 + beta) / 2
        noiseOverMass = eta.squareRoot() / mass
        frictionOverMass = (1 - beta) / mass
        inverseMass = 1 / mass
    }

    /// The velocity relaxation time m/(1 − β): the SDE step must resolve it.
    public var relaxationTime: Double { mass / (1 - beta) }

    @inlinable
    public func drift(at p: State, time: Double) -> State {
        State(position: p.velocity, velocity: -(frictionOverMass * p.velocity + inverseMass * problem.gradient(at: p.position)))
    }

    @inlinable
    public func diffusion(at p: State, time: Double) -> SquareMatrix<State> {
        let s = problem.noiseFactor(at: p.position, step: 0)
        var m = SquareMatrix<State>()
        let d = Problem.State.dimension
        for j in 0..<d { m[column: d + j] = State(position: .zero, velocity: noiseOverMass * s[column: j]) }
        return m
    }

    @inlinable
    public func applyDiffusion(at p: State, time: Double, _ dW: State) -> State {
        State(position: .zero, velocity: noiseOverMass * problem.applyNoiseFactor(at: p.position, step: 0, dW.velocity))
    }

    /// Additive stays additive; otherwise the V rows depend on X, which is neither diagonal nor constant.
    public var noiseStructure: NoiseStructure { problem.noiseStructure == .additive ? .additive : .general }
}
