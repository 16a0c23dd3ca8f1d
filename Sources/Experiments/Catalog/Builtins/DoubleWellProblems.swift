import Numerics
import Problems

/// F(x) = x⁴/4 - x²/2 + τx: two minima and a maximum, the paper's nonconvex example.
enum DoubleWellProblem: BuiltinProblem {
    static let tilt = ProblemParameter("tilt", default: 0, summary: "τ, tilts one well below the other")

    static let name = "double-well"
    static let summary = "F(x) = x⁴/4 - x²/2 + τx in 1-D: minima ±1, maximum 0, barrier 1/4 (τ = 0)"
    static let dimension = 1
    static let defaultNoise = NoiseSpec(kind: .additive)
    static let allowedNoise: [NoiseSpec.Kind] = [.additive, .multiplicative, .modulated]
    static let defaultInitial: [Double] = [0.5]
    static let parameters = [tilt]
    static let stationaryPoints = ["minimum": [-1.0], "maximum": [0.0]]

    static func make<V: ProblemVisitor>(_ spec: ProblemSpec, _ values: ProblemParameters, visitor: V) throws -> V.Output {
        try spec.visitWithNoise(DoubleWell(tilt: values[tilt]), visitor)
    }
}

/// F(x, y) = (x² - 1)²/4 + κ y²/2: two minima joined through a saddle.
enum DoubleWell2DProblem: BuiltinProblem {
    static let stiffness = ProblemParameter("stiffness", default: 1, summary: "κ, the curvature across the wells")

    static let name = "double-well-2d"
    static let summary = "F(x, y) = (x² - 1)²/4 + κ y²/2: minima (±1, 0), saddle (0, 0) with γ₁ = 1"
    static let dimension = 2
    static let defaultNoise = NoiseSpec(kind: .modulated, amplitudes: [0.5, 0])
    static let allowedNoise: [NoiseSpec.Kind] = [.additive, .multiplicative, .modulated]
    static let defaultInitial: [Double] = [-1, 0]
    static let parameters = [stiffness]
    static let stationaryPoints = ["minimum": [-1.0, 0], "saddle": [0.0, 0]]

    static func make<V: ProblemVisitor>(_ spec: ProblemSpec, _ values: ProblemParameters, visitor: V) throws -> V.Output {
        try spec.visitWithNoise(DoubleWell2D(stiffness: values[stiffness]), visitor)
    }
}
