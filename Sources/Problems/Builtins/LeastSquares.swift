import Randomness
import Numerics

/// Least squares as a finite sum, F(x) = (1/M) Σ_i f_i(x) with f_i(x) = ½ (a_iᵀx - b_i)²,
/// minimised by SGD on mini-batches drawn uniformly *without replacement* (paper §3.2).
///
/// The per-sample gradients g_i(x) = (a_iᵀx - b_i) a_i are real data gradients, and the noise
/// covariance is Proposition 1's, exactly: Σ(x) = (1/m - 1/M) Σ₀(x) with Σ₀ the sample
/// covariance of the g_i(x).
public struct LeastSquares<State: StateVector>: StochasticGradientProblem where State.Scalar == Double {
    public let inputs: [State]
    public let targets: [Double]
    public var batchSchedule: BatchSchedule
    @usableFromInline let meanHessian: SquareMatrix<State>

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case emptyDataset
        case mismatchedCounts(inputs: Int, targets: Int)
        case nonFiniteData(row: Int)
        case batch(BatchSchedule.Failure)
        public var description: String {
            switch self {
            case .emptyDataset: return "the dataset needs at least 2 samples"
            case .mismatchedCounts(let a, let b): return "\(a) input rows but \(b) targets"
            case .nonFiniteData(let r): return "row \(r) of the dataset is not finite"
            case .batch(let f): return f.description
            }
        }
    }

    public init(inputs: [State], targets: [Double], batchSchedule: BatchSchedule) throws {
        guard inputs.count == targets.count else { throw Failure.mismatchedCounts(inputs: inputs.count, targets: targets.count) }
        guard inputs.count >= 2 else { throw Failure.emptyDataset }
        for i in 0..<inputs.count where !(inputs[i].isFinite && targets[i].isFinite) { throw Failure.nonFiniteData(row: i) }
        do { try batchSchedule.validate(datasetSize: inputs.count) } catch let f as BatchSchedule.Failure { throw Failure.batch(f) }
        self.inputs = inputs
        self.targets = targets
        self.batchSchedule = batchSchedule
        var h = SquareMatrix<State>()
        for a in inputs { h = h + SquareMatrix.outer(a, a) }
        meanHessian = (1 / Double(inputs.count)) * h
    }

    public var name: String { "least-squares" }
    public var count: Int { inputs.count }

    @inlinable public func sampleLoss(_ i: Int, at x: State) -> Double {
        let r = inputs[i].dot(x) - targets[i]
        return 0.5 * r * r
    }

    @inlinable public func sampleGradient(_ i: Int, at x: State) -> State {
        (inputs[i].dot(x) - targets[i]) * inputs[i]
    }

    public func value(at x: State) -> Double {
        var s = 0.0
        for i in 0..<count { s += sampleLoss(i, at: x) }
        return s / Double(count)
    }

    @inlinable public func gradient(at x: State) -> State { meanHessian * x - meanTarget }

    @inlinable var meanTarget: State {
        var s = State.zero
        for i in 0..<count { s = s + targets[i] * inputs[i] }
        return (1 / Double(count)) * s
    }

    @inlinable public func hessian(at x: State) -> SquareMatrix<State> { meanHessian }
    public var hasConstantHessian: Bool { true }

    /// The mean gradient over a uniformly drawn batch of m_k distinct samples (Floyd's algorithm:
    /// every m-subset equally likely, O(m) draws).
    @inlinable
    public func stochasticGradient(at x: State, step: Int, driving: State, generator: inout PhiloxGenerator) -> State {
        let m = batchSchedule.batchSize(atStep: step)
        var sum = State.zero
        forEachBatchIndex(size: m, generator: &generator) { i in sum = sum + sampleGradient(i, at: x) }
        return (1 / Double(m)) * sum
    }

    /// Calls `body` with m distinct indices of 0..<M (see `BatchSampler`).
    @inlinable
    public func forEachBatchIndex(size m: Int, generator: inout PhiloxGenerator, _ body: (Int) -> Void) {
        BatchSampler.forEachIndex(size: m, of: count, generator: &generator, body)
    }

    /// Σ₀(x), the sample covariance of the per-sample gradients.
    public func sampleCovariance(at x: State) -> SquareMatrix<State> {
        let mean = gradient(at: x)
        var s = SquareMatrix<State>()
        for i in 0..<count {
            let d = sampleGradient(i, at: x) - mean
            s = s + SquareMatrix.outer(d, d)
        }
        return (1 / Double(count - 1)) * s
    }

    /// Proposition 1: Σ(x) = (1/m - 1/M) Σ₀(x) for batches of m drawn without replacement.
    public func noiseCovariance(at x: State, step: Int) -> SquareMatrix<State> {
        let m = Double(batchSchedule.batchSize(atStep: step))
        return (1 / m - 1 / Double(count)) * sampleCovariance(at: x)
    }

    public var noiseStructure: NoiseStructure { .general }
    public var usesGenerator: Bool { true }
}

extension LeastSquares {
    /// A reproducible synthetic dataset: a_i ~ N(0, I), b_i = a_iᵀx* + ν ε_i.
    public static func synthetic(count: Int, truth: State, noise: Double, seed: UInt64,
                                 batchSchedule: BatchSchedule) throws -> LeastSquares {
        let normals = GaussianStream(seed: seed, stream: .initial)
        var inputs: [State] = []
        var targets: [Double] = []
        for i in 0..<count {
            var a = State.zero
            for j in 0..<State.dimension { a.setComponent(j, to: normals.normal(path: i, draw: j)) }
            inputs.append(a)
            targets.append(a.dot(truth) + noise * normals.normal(path: i, draw: State.dimension))
        }
        return try LeastSquares(inputs: inputs, targets: targets, batchSchedule: batchSchedule)
    }
}
