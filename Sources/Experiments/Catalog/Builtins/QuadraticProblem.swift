import Problems
import Numerics

/// F(x) = a x²/2 in 1-D, the problem whose SGD and SME moments are known in closed form.
enum QuadraticProblem: BuiltinProblem {
    static let curvature = ProblemParameter("curvature", default: 1, summary: "a in F(x) = a x²/2")

    static let name = "quadratic"
    static let summary = "F(x) = a x²/2 in 1-D; with multiplicative noise f(x; g) = ½(1 + g) a x², moments in closed form"
    static let dimension = 1
    static let defaultNoise = NoiseSpec(kind: .multiplicative)
    static let allowedNoise: [NoiseSpec.Kind] = [.additive, .multiplicative]
    static let defaultInitial: [Double] = [1]
    static let parameters = [curvature]
    static let stationaryPoints = ["minimum": [0.0]]

    static func make<V: ProblemVisitor>(_ spec: ProblemSpec, _ values: ProblemParameters, visitor: V) throws -> V.Output {
        try spec.visitWithNoise(Quadratic(curvature: values[curvature]), visitor)
    }
}

/// F(x, y) = (-γ₁ x² + λ y²)/2: Theorem 3's nondegenerate saddle.
enum SaddleProblem: BuiltinProblem {
    static let gamma1 = ProblemParameter("gamma1", default: 1, domain: .positive, summary: "γ₁, the unstable curvature")
    static let lambda = ProblemParameter("lambda", default: 1, domain: .positive, summary: "λ, the stable curvature")

    static let name = "saddle"
    static let summary = "F(x, y) = (-γ₁ x² + λ y²)/2: a nondegenerate saddle at the origin"
    static let dimension = 2
    static let defaultNoise = NoiseSpec(kind: .additive)
    static let allowedNoise: [NoiseSpec.Kind] = [.additive, .modulated]
    static let defaultInitial: [Double] = [0, 0]
    static let parameters = [gamma1, lambda]
    static let stationaryPoints = ["saddle": [0.0, 0]]

    static func make<V: ProblemVisitor>(_ spec: ProblemSpec, _ values: ProblemParameters, visitor: V) throws -> V.Output {
        let h = SquareMatrix<Point2>.diagonal(Point2(-values[gamma1], values[lambda]))
        return try spec.visitWithNoise(Quadratic(curvature: h, name: name), visitor)
    }
}

/// F(x, y) = -(γ₁ x² + γ₂ y²)/2: Theorem 3 at a local maximum.
enum MaximumProblem: BuiltinProblem {
    static let gamma1 = ProblemParameter("gamma1", default: 1, domain: .positive, summary: "γ₁, the larger curvature magnitude")
    static let gamma2 = ProblemParameter("gamma2", default: 0.5, domain: .positive, summary: "γ₂")

    static let name = "maximum"
    static let summary = "F(x, y) = -(γ₁ x² + γ₂ y²)/2: a nondegenerate local maximum at the origin"
    static let dimension = 2
    static let defaultNoise = NoiseSpec(kind: .additive)
    static let allowedNoise: [NoiseSpec.Kind] = [.additive, .modulated]
    static let defaultInitial: [Double] = [0, 0]
    static let parameters = [gamma1, gamma2]
    static let stationaryPoints = ["maximum": [0.0, 0]]

    static func make<V: ProblemVisitor>(_ spec: ProblemSpec, _ values: ProblemParameters, visitor: V) throws -> V.Output {
        let h = SquareMatrix<Point2>.diagonal(Point2(-values[gamma1], -values[gamma2]))
        return try spec.visitWithNoise(Quadratic(curvature: h, name: name), visitor)
    }
}
