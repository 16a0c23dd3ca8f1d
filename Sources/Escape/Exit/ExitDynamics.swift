import Dynamics
import Problems
import Randomness
import Numerics

/// One time step of a process whose exit is being timed: an SDE solver or an SGD iteration.
public protocol ExitDynamics: Sendable {
    associatedtype State: StateVector where State.Scalar == Double
    /// Physical time per step: h for an SDE, η for SGD (so SGD's s = kη matches the SDE's time).
    var timeStep: Double { get }
    var usesAuxiliaryBits: Bool { get }
    /// The state after step k from x, given d standard normals `z` and auxiliary bits.
    func advance(_ x: State, path: Int, step k: Int, normals z: State, auxiliary: UInt64) -> State
    /// nᵀ a(x) n with a = S Sᵀ the diffusion matrix: the variance per unit time of the motion
    /// normal to the boundary, for the Brownian-bridge crossing test; nil disables the test.
    func normalVariance(at x: State, direction n: State) -> Double?
    /// False when `advance` ignores its normals, so the ensemble need not draw them.
    var usesDrivingNormals: Bool { get }
}

extension ExitDynamics {
    public var usesDrivingNormals: Bool { true }
}

/// An SDE advanced by a stepper with step h.
public struct SDEExitDynamics<P: DiffusionProcess, S: SDEStepper>: ExitDynamics where P.State.Scalar == Double {
    public typealias State = P.State
    public let process: P
    public let stepper: S
    public let timeStep: Double
    /// Whether to apply the Brownian-bridge crossing test between grid points.
    public let bridge: Bool
    @usableFromInline let sqrtH: Double

    public init(process: P, stepper: S, step h: Double, bridge: Bool = true) {
        self.process = process
        self.stepper = stepper
        timeStep = h
        self.bridge = bridge
        sqrtH = h.squareRoot()
    }

    public var usesAuxiliaryBits: Bool { S.weakOrder >= 2 && State.dimension > 1 && process.noiseStructure == .general }

    @inlinable
    public func advance(_ x: State, path: Int, step k: Int, normals z: State, auxiliary: UInt64) -> State {
        stepper.step(process, from: x, time: Double(k) * timeStep, dt: timeStep, dW: sqrtH * z, auxiliaryBits: auxiliary)
    }

    @inlinable
    public func normalVariance(at x: State, direction n: State) -> Double? {
        guard bridge else { return nil }
        let s = process.diffusion(at: x, time: 0)
        // |Sᵀ n|²
        var total = 0.0
        for j in 0..<State.dimension { let c = s[column: j].dot(n); total += c * c }
        return total
    }
}

/// SGD iterations (time per step η); exits are checked at the iterates only.
public struct SGDExitDynamics<P: StochasticGradientProblem>: ExitDynamics {
    public typealias State = P.State
    public let problem: P
    public let method: SGDMethod
    public let seed: UInt64

    public init(problem: P, method: SGDMethod, seed: UInt64) {
        self.problem = problem
        self.method = method
        self.seed = seed
    }

    public var timeStep: Double { method.eta }
    public var usesAuxiliaryBits: Bool { false }

    @inlinable
    public func advance(_ x: State, path: Int, step k: Int, normals z: State, auxiliary: UInt64) -> State {
        var velocity = State.zero
        var generator = PhiloxGenerator(seed: seed, stream: .sampling, path: problem.usesGenerator ? path : 0, offset: UInt64(k) << 24)
        return method.step(problem, from: x, velocity: &velocity, step: k, driving: z, injected: .zero, generator: &generator)
    }

    public func normalVariance(at x: State, direction n: State) -> Double? { nil }
}
