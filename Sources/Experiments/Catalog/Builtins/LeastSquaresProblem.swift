import Problems
import Numerics

/// Least squares on synthetic data, SGD on mini-batches without replacement (Proposition 1).
enum LeastSquaresProblem: BuiltinProblem {
    static let samples = ProblemParameter("samples", default: 64, domain: .integer(2...1_000_000), summary: "M, the data set size")
    static let batch = ProblemParameter("batch", default: 8, domain: .integer(1...1_000_000), summary: "m, the batch size (1...M)")
    static let dataNoise = ProblemParameter("dataNoise", default: 0.5, summary: "standard deviation of the targets' noise")
    static let dataSeed = ProblemParameter("dataSeed", default: 1, domain: .integer(0...Int(Int32.max)), summary: "seed of the synthetic data")

    static let name = "least-squares"
    static let summary = "F(x) = (1/M) Σ ½(a_iᵀx - b_i)² in 2-D on synthetic data, SGD on mini-batches without replacement"
    static let dimension = 2
    static let defaultNoise = NoiseSpec(kind: .minibatch)
    static let allowedNoise: [NoiseSpec.Kind] = [.minibatch]
    static let defaultInitial: [Double] = [0, 0]
    static let parameters = [samples, batch, dataNoise, dataSeed]

    static func validate(_ values: ProblemParameters) throws {
        let m = values.integer(batch), n = values.integer(samples)
        guard m <= n else { throw ProblemError.invalidValue("batch", "m = \(m) exceeds M = \(n) (need 1 <= m <= M)") }
    }

    static func make<V: ProblemVisitor>(_ spec: ProblemSpec, _ values: ProblemParameters, visitor: V) throws -> V.Output {
        let problem = try LeastSquares<Point2>.synthetic(
            count: values.integer(samples), truth: Point2(1, -0.5), noise: values[dataNoise],
            seed: UInt64(values.integer(dataSeed)), batchSchedule: .constant(values.integer(batch)))
        return try visitor.visit(problem, initial: Point2(components: spec.initial))
    }
}
