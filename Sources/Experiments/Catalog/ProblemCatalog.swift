import Foundation
import Problems

/// The built-in problems, by name.
public enum ProblemCatalog {
    public struct Entry: Sendable {
        public var name: String
        public var summary: String
        public var dimension: Int
        public var defaultNoise: NoiseSpec
        public var allowedNoise: [NoiseSpec.Kind]
        public var defaultInitial: [Double]
        public var defaultParameters: [String: Double]
        /// Known stationary points by kind ("minimum", "saddle", "maximum"), for defaults.
        public var stationaryPoints: [String: [Double]] = [:]
        var validate: @Sendable (ProblemSpec) throws -> Void = { _ in }
    }

    public static let entries: [Entry] = [
        Entry(name: "quadratic", summary: "F(x) = a x²/2 in 1-D; with multiplicative noise f(x; g) = ½(1 + g) a x², moments in closed form",
              dimension: 1, defaultNoise: NoiseSpec(kind: .multiplicative), allowedNoise: [.additive, .multiplicative],
              defaultInitial: [1], defaultParameters: ["curvature": 1], stationaryPoints: ["minimum": [0]]),
        Entry(name: "double-well", summary: "F(x) = x⁴/4 - x²/2 + τx in 1-D: minima ±1, maximum 0, barrier 1/4 (τ = 0)",
              dimension: 1, defaultNoise: NoiseSpec(kind: .additive), allowedNoise: [.additive, .multiplicative, .modulated],
              defaultInitial: [0.5], defaultParameters: ["tilt": 0], stationaryPoints: ["minimum": [-1], "maximum": [0]]),
        Entry(name: "double-well-2d", summary: "F(x, y) = (x² - 1)²/4 + κ y²/2: minima (±1, 0), saddle (0, 0) with γ₁ = 1",
              dimension: 2, defaultNoise: NoiseSpec(kind: .modulated, amplitudes: [0.5, 0]),
              allowedNoise: [.additive, .multiplicative, .modulated],
              defaultInitial: [-1, 0], defaultParameters: ["stiffness": 1], stationaryPoints: ["minimum": [-1, 0], "saddle": [0, 0]]),
        Entry(name: "saddle", summary: "F(x, y) = (-γ₁ x² + λ y²)/2: a nondegenerate saddle at the origin",
              dimension: 2, defaultNoise: NoiseSpec(kind: .additive), allowedNoise: [.additive, .modulated],
              defaultInitial: [0, 0], defaultParameters: ["gamma1": 1, "lambda": 1], stationaryPoints: ["saddle": [0, 0]],
              validate: { spec in
                  guard spec.parameter("gamma1") > 0 else { throw ProblemError.invalidValue("gamma1", "\(spec.parameter("gamma1")) (must be > 0 for a saddle)") }
                  guard spec.parameter("lambda") > 0 else { throw ProblemError.invalidValue("lambda", "\(spec.parameter("lambda")) (must be > 0 for a saddle)") }
              }),
        Entry(name: "maximum", summary: "F(x, y) = -(γ₁ x² + γ₂ y²)/2: a nondegenerate local maximum at the origin",
              dimension: 2, defaultNoise: NoiseSpec(kind: .additive), allowedNoise: [.additive, .modulated],
              defaultInitial: [0, 0], defaultParameters: ["gamma1": 1, "gamma2": 0.5], stationaryPoints: ["maximum": [0, 0]],
              validate: { spec in
                  guard spec.parameter("gamma1") > 0, spec.parameter("gamma2") > 0 else {
                      throw ProblemError.invalidValue("gamma1/gamma2", "must both be > 0 for a maximum")
                  }
              }),
        Entry(name: "least-squares", summary: "F(x) = (1/M) Σ ½(a_iᵀx - b_i)² in 2-D on synthetic data, SGD on mini-batches without replacement",
              dimension: 2, defaultNoise: NoiseSpec(kind: .minibatch), allowedNoise: [.minibatch],
              defaultInitial: [0, 0], defaultParameters: ["samples": 64, "batch": 8, "dataNoise": 0.5, "dataSeed": 1],
              validate: { spec in
                  let m = spec.parameter("batch"), n = spec.parameter("samples")
                  guard n >= 2, n == n.rounded(), n <= 1_000_000 else { throw ProblemError.invalidValue("samples", "\(n) (need an integer in 2...1000000)") }
                  guard m == m.rounded() else { throw ProblemError.invalidValue("batch", "\(m) (must be an integer)") }
                  // m may be any size: only a small one is printed as an integer (Int(m) would trap)
                  let shown = abs(m) < 1e15 ? String(Int(m)) : "\(m)"
                  guard m >= 1 else { throw ProblemError.invalidValue("batch", "m = \(shown) (need 1 <= m <= M = \(Int(n)))") }
                  guard m <= n else { throw ProblemError.invalidValue("batch", "m = \(shown) exceeds M = \(Int(n)) (need 1 <= m <= M)") }
                  let seed = spec.parameter("dataSeed")
                  guard seed >= 0, seed == seed.rounded(), seed <= 0x1p53 else {
                      throw ProblemError.invalidValue("dataSeed", "\(seed) (need a whole number in 0...2^53)")
                  }
              }),
    ]

    public static func entry(named name: String) -> Entry? { entries.first { $0.name == name } }
}

/// Receives a concrete problem type; lets an experiment written generically run any built-in
/// problem with full specialisation.
public protocol ProblemVisitor {
    associatedtype Output
    func visit<P: StochasticGradientProblem>(_ problem: P, initial: P.State) throws -> Output
}

extension ProblemSpec {
    public func accept<V: ProblemVisitor>(_ visitor: V) throws -> V.Output {
        try validate()
        switch name {
        case "quadratic":
            return try visitNoise(Quadratic(curvature: parameter("curvature")), visitor)
        case "double-well":
            return try visitNoise(DoubleWell(tilt: parameter("tilt")), visitor)
        case "double-well-2d":
            return try visitNoise(DoubleWell2D(stiffness: parameter("stiffness")), visitor)
        case "saddle":
            let h = SquareMatrix<Point2>.diagonal(Point2(-parameter("gamma1"), parameter("lambda")))
            return try visitNoise(Quadratic(curvature: h, name: "saddle"), visitor)
        case "maximum":
            let h = SquareMatrix<Point2>.diagonal(Point2(-parameter("gamma1"), -parameter("gamma2")))
            return try visitNoise(Quadratic(curvature: h, name: "maximum"), visitor)
        case "least-squares":
            let problem = try LeastSquares<Point2>.synthetic(
                count: Int(parameter("samples")), truth: Point2(1, -0.5), noise: parameter("dataNoise"),
                seed: UInt64(parameter("dataSeed")), batchSchedule: .constant(Int(parameter("batch"))))
            return try visitor.visit(problem, initial: Point2(components: initial))
        default:
            throw ProblemError.unknownProblem(name)
        }
    }

    func visitNoise<O: Objective, V: ProblemVisitor>(_ objective: O, _ visitor: V) throws -> V.Output {
        let x0 = O.State(components: initial)
        switch noise.kind {
        case .additive:
            return try visitor.visit(NoisyObjective(objective, noise: AdditiveNoise<O.State>(sigma: noise.scale, distribution: noise.distribution)), initial: x0)
        case .multiplicative:
            return try visitor.visit(NoisyObjective(objective, noise: MultiplicativeNoise<O.State>(scale: noise.scale, distribution: noise.distribution)), initial: x0)
        case .modulated:
            return try visitor.visit(NoisyObjective(objective, noise: ModulatedNoise<O.State>(
                scale: noise.scale, amplitudes: O.State(components: noise.amplitudes), distribution: noise.distribution)), initial: x0)
        case .minibatch:
            throw ProblemError.unsupportedNoise("minibatch", allowed: ["additive", "multiplicative", "modulated"])
        }
    }
}
