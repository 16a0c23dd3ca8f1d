import Dynamics
import Numerics
import Problems
import Randomness

/// Heavy-ball SGD on phase space, for `ExitEnsemble`: the state carries the velocity, so a
/// slot that takes over a new path starts it at rest and every path's history stays its own.
///
/// The iteration is `SGDMethod`'s (PyTorch's u_{k+1} = β u_k + g_k, x_{k+1} = x_k − η u_{k+1});
/// the state stores V = −u, which is exactly (x_{k+1} − x_k)/η, the velocity per unit time of
/// `UnderdampedProcess` (negation is exact, so this is `SGDMethod` bit for bit). At β = 0
/// `SGDMethod` takes its plain branch: the positions are plain SGD's bit for bit.
/// The gradient noise uses the position half of the phase-space normals.
public struct HeavyBallExitDynamics<P: StochasticGradientProblem>: ExitDynamics where P.State.Scalar == Double {
    public typealias State = PhasePoint<P.State>
    public let problem: P
    public let method: SGDMethod
    public let seed: UInt64

    public init(problem: P, eta: Double, beta: Double, seed: UInt64) {
        self.problem = problem
        method = SGDMethod(eta: eta, momentum: beta)
        self.seed = seed
    }

    /// s = kη, as for plain SGD.
    public var timeStep: Double { method.eta }
    public var usesAuxiliaryBits: Bool { false }

    @inlinable
    public func advance(_ p: State, path: Int, step k: Int, normals z: State, auxiliary: UInt64) -> State {
        var u = -p.velocity
        var generator = PhiloxGenerator(seed: seed, stream: .sampling, path: problem.usesGenerator ? path : 0, offset: UInt64(k) << 24)
        let x = method.step(problem, from: p.position, velocity: &u, step: k, driving: z.position, injected: .zero, generator: &generator)
        return State(position: x, velocity: -u)
    }

    public func normalVariance(at x: State, direction n: State) -> Double? { nil }
}
