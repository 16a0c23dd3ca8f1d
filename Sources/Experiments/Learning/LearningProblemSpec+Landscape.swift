import FiniteSums
import Numerics
import Escape
import Problems

/// The name every `FiniteSumLandscape` goes by, which a `ProblemSpec(learning:)` records.
enum FiniteSumLandscapeName {
    static let value = "finite-sum"
}

extension LearningProblemSpec {
    /// Builds the problem and hands it to `visitor` on the SIMD state of its dimension (d ≤ 4),
    /// so that every catalogued study runs on it with the low-dimensional engine.
    func visitLandscape<V: ProblemVisitor>(initial: [Double], _ visitor: V) throws -> V.Output {
        try Self.visit(try build(), initial: initial, visitor)
    }

    static func visit<Model: FiniteSumModel, V: ProblemVisitor>(_ problem: FiniteSumProblem<Model>, initial: [Double], _ visitor: V) throws -> V.Output {
        guard problem.dimension == initial.count else {
            throw ProblemError.wrongDimension(expected: problem.dimension, got: initial.count, what: "initial point x0 of the learning problem")
        }
        switch problem.dimension {
        case 1: return try visitor.visit(FiniteSumLandscape<Model, Double>(problem), initial: initial[0])
        case 2: return try visitor.visit(FiniteSumLandscape<Model, Point2>(problem), initial: Point2(components: initial))
        case 3: return try visitor.visit(FiniteSumLandscape<Model, Vector3<Double>>(problem), initial: Vector3(components: initial))
        case 4: return try visitor.visit(FiniteSumLandscape<Model, Vector4<Double>>(problem), initial: Vector4(components: initial))
        default:
            throw tooLarge(problem.dimension)
        }
    }

    static func tooLarge(_ d: Int) -> Failure {
        .invalid("the learning problem has d = \(d) parameters; escape-minimum takes d = 1 and the low-dimensional engine d = 1…4 (fewer features, or --no-intercept); escape-saddle, weak-error and simulate take any d")
    }
}

extension LearningProblemSpec {
    /// The stationary point Newton's method reaches from `start` (nil: 0; see
    /// `StationaryPoint.locate`; any d, the Hessian from d exact products past d = 4), for the escape studies, which need the exact point rather
    /// than the digits a user types. Its length is the problem's dimension d, which `check`
    /// sees first (a study that takes fewer dimensions refuses before any Newton step).
    public func stationaryPoint(near start: [Double]?, check: (Int) throws -> Void = { _ in }) throws -> [Double] {
        struct Locate: ProblemVisitor {
            typealias Output = [Double]
            func visit<P: StochasticGradientProblem>(_ problem: P, initial: P.State) throws -> [Double] {
                try StationaryPoint.locate(problem, near: initial).components
            }
        }
        let problem = try build()
        try check(problem.dimension)
        let start = start ?? Array(repeating: 0, count: problem.dimension)
        guard start.count == problem.dimension else {
            throw Failure.invalid("the start has \(start.count) coordinates but the learning problem has d = \(problem.dimension) parameters")
        }
        guard (1...4).contains(problem.dimension) else {
            return try StationaryPoint.locate(near: start, value: problem.value(at:), gradient: problem.gradient(at:), hessian: problem.hessian(at:))
        }
        return try Self.visit(problem, initial: start, Locate())
    }
}
