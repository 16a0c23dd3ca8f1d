import Numerics
import Problems

/// A family of built-in problems that the CLI can name: what `sgdiff problems` lists, the
/// defaults a `ProblemSpec` starts from, and how to build the concrete, specialised problem type.
///
/// A family is registered once, in `ProblemCatalog.families`. A problem used from the Swift API
/// needs no family at all: any `StochasticGradientProblem` runs through every study directly
/// (see `WeakErrorStudy.run(problem:initial:configuration:options:)`).
public protocol BuiltinProblem: Sendable {
    static var name: String { get }
    static var summary: String { get }
    static var dimension: Int { get }
    static var defaultNoise: NoiseSpec { get }
    static var allowedNoise: [NoiseSpec.Kind] { get }
    static var defaultInitial: [Double] { get }
    static var parameters: [ProblemParameter] { get }
    /// Known stationary points by kind ("minimum", "saddle", "maximum"), for study defaults.
    static var stationaryPoints: [String: [Double]] { get }
    /// Checks that involve several parameters (each one's own domain is checked before).
    static func validate(_ values: ProblemParameters) throws
    /// Builds the problem of `spec` and hands it, fully typed, to `visitor`.
    static func make<V: ProblemVisitor>(_ spec: ProblemSpec, _ values: ProblemParameters, visitor: V) throws -> V.Output
}

extension BuiltinProblem {
    public static var stationaryPoints: [String: [Double]] { [:] }
    public static func validate(_ values: ProblemParameters) throws {}
}

/// Receives a concrete problem type; lets a study written generically run any built-in
/// problem with full specialisation.
public protocol ProblemVisitor {
    associatedtype Output
    func visit<P: StochasticGradientProblem>(_ problem: P, initial: P.State) throws -> Output
}

extension ProblemSpec {
    /// Wraps an objective in the spec's noise model and hands the result to `visitor`.
    func visitWithNoise<O: TwiceDifferentiableObjective, V: ProblemVisitor>(_ objective: O, _ visitor: V) throws -> V.Output {
        let x0 = O.State(components: initial)
        switch noise.kind {
        case .additive:
            return try visitor.visit(NoisyObjective(objective, noise: AdditiveNoise<O.State>(sigma: noise.scale, distribution: noise.distribution)), initial: x0)
        case .multiplicative:
            return try visitor.visit(NoisyObjective(objective, noise: MultiplicativeNoise<O.State>(scale: noise.scale, distribution: noise.distribution)), initial: x0)
        case .modulated:
            return try visitor.visit(NoisyObjective(objective, noise: ModulatedNoise<O.State>(
                scale: noise.scale, amplitudes: O.State(components: noise.amplitudes), distribution: noise.distribution)), initial: x0)
        case .minibatch, .custom:
            throw ProblemError.unsupportedNoise(noise.kind.rawValue, allowed: ["additive", "multiplicative", "modulated"])
        }
    }
}
