import Numerics
import Problems
import Randomness

/// A finite-sum problem of dimension d ≤ 4 seen as a `StochasticGradientProblem` over a SIMD
/// state, so that the engine built for the low-dimensional landscapes (one path per state,
/// exit detection, the Brownian-bridge test, splitting, the exit-time PDE) runs on data.
///
/// Nothing is assumed about the noise: SGD draws m distinct samples per step (Floyd), and
/// Σ(x) = (1/m_k − 1/M) Σ₀(x) is Proposition 1's with Σ₀ the sample covariance of the
/// per-sample gradients at x, computed exactly (O(M d) per call). The L2 term (λ/2)|x|² is in
/// F and in every batch gradient, so it adds no noise.
///
/// The study kernels are generic and call this from many threads at once, so each call takes
/// its scratch from the stack instead of a shared workspace.
public struct FiniteSumLandscape<Model: FiniteSumModel, State: StateVector>: StochasticGradientProblem where State.Scalar == Double {
    public let problem: FiniteSumProblem<Model>
    @usableFromInline let features: [Double]
    @usableFromInline let targets: [Double]
    @usableFromInline let featureCount: Int
    @usableFromInline let scratchCount: Int

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case dimension(model: Int, state: Int)
        public var description: String {
            switch self {
            case .dimension(let d, let s):
                return "the model has d = \(d) parameters; the low-dimensional engine (escape studies) takes d = \(s) here and at most 4 in all"
            }
        }
    }

    public init(_ problem: FiniteSumProblem<Model>) throws {
        guard problem.dimension == State.dimension else { throw Failure.dimension(model: problem.dimension, state: State.dimension) }
        self.problem = problem
        features = problem.data.features
        targets = problem.data.targets
        featureCount = problem.model.featureCount
        scratchCount = problem.model.sampleScratchCount
    }

    /// The same for every model (the model is in the problem description): "finite-sum".
    public var name: String { "finite-sum" }
    @inlinable public var count: Int { targets.count }

    /// f_i(x) and ∇f_i(x) for any i, at the x `withSamples` was called with.
    @usableFromInline
    struct SampleEvaluator {
        @usableFromInline let model: Model
        @usableFromInline let features: UnsafePointer<Double>
        @usableFromInline let targets: UnsafePointer<Double>
        @usableFromInline let featureCount: Int
        @usableFromInline let parameters: UnsafeMutablePointer<Double>
        @usableFromInline let gradient: UnsafeMutablePointer<Double>
        @usableFromInline let scratch: UnsafeMutablePointer<Double>

        @inlinable init(model: Model, features: UnsafePointer<Double>, targets: UnsafePointer<Double>, featureCount: Int,
                        parameters: UnsafeMutablePointer<Double>, gradient: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) {
            (self.model, self.features, self.targets, self.featureCount) = (model, features, targets, featureCount)
            (self.parameters, self.gradient, self.scratch) = (parameters, gradient, scratch)
        }

        @inlinable func callAsFunction(_ i: Int) -> (loss: Double, gradient: State) {
            let loss = model.sampleLossAndGradient(features: features + i * featureCount, target: targets[i], parameters: parameters,
                                                   gradient: gradient, scratch: scratch)
            var g = State.zero
            for j in 0..<State.dimension { g.setComponent(j, to: gradient[j]) }
            return (loss, g)
        }
    }

    @inlinable
    func withSamples<R>(at x: State, _ body: (SampleEvaluator) -> R) -> R {
        let d = State.dimension
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * d + scratchCount) { buffer in
            let base = buffer.baseAddress!
            for j in 0..<d { base[j] = x.component(j) }
            return features.withUnsafeBufferPointer { a in
                targets.withUnsafeBufferPointer { y in
                    body(SampleEvaluator(model: problem.model, features: a.baseAddress!, targets: y.baseAddress!, featureCount: featureCount,
                                         parameters: base, gradient: base + d, scratch: base + 2 * d))
                }
            }
        }
    }

    @inlinable
    public func value(at x: State) -> Double {
        let sum = withSamples(at: x) { sample in
            var s = 0.0
            for i in 0..<count { s += sample(i).loss }
            return s
        }
        return sum / Double(count) + 0.5 * problem.l2 * x.squaredNorm
    }

    @inlinable
    public func gradient(at x: State) -> State {
        (1 / Double(count)) * gradientSum(at: x) + problem.l2 * x
    }

    @inlinable
    func gradientSum(at x: State) -> State {
        withSamples(at: x) { sample in
            var s = State.zero
            for i in 0..<count { s = s + sample(i).gradient }
            return s
        }
    }

    @inlinable
    public func hessianVectorProduct(at x: State, _ v: State) -> State {
        let d = State.dimension
        var sum = State.zero
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 3 * d + scratchCount) { buffer in
            let base = buffer.baseAddress!
            let parameters = base, direction = base + d, product = base + 2 * d, scratch = base + 3 * d
            for j in 0..<d { (parameters[j], direction[j]) = (x.component(j), v.component(j)) }
            features.withUnsafeBufferPointer { a in
                for i in 0..<count {
                    problem.model.sampleHessianVectorProduct(features: a.baseAddress! + i * featureCount, target: targets[i], parameters: parameters,
                                                             direction: direction, product: product, scratch: scratch)
                    for j in 0..<d { sum.setComponent(j, to: sum.component(j) + product[j]) }
                }
            }
        }
        return (1 / Double(count)) * sum + problem.l2 * v
    }

    /// ∇²F(x) exactly, column by column from the exact Hessian-vector product.
    @inlinable
    public func hessian(at x: State) -> SquareMatrix<State> {
        let columns = (0..<State.dimension).map { hessianVectorProduct(at: x, State.basis($0)) }
        let h = SquareMatrix(columns: columns)
        return 0.5 * (h + h.transposed)
    }

    /// The mean gradient over m_k distinct samples drawn uniformly (Floyd), plus λ x.
    @inlinable
    public func stochasticGradient(at x: State, step: Int, driving: State, generator: inout PhiloxGenerator) -> State {
        let m = problem.batchSchedule.batchSize(atStep: step), total = count
        let sum = withSamples(at: x) { sample in
            var s = State.zero
            BatchSampler.forEachIndex(size: m, of: total, generator: &generator) { i in s = s + sample(i).gradient }
            return s
        }
        return (1 / Double(m)) * sum + problem.l2 * x
    }

    /// Σ₀(x), the sample covariance of the per-sample gradients (divisor M − 1).
    @inlinable
    public func sampleCovariance(at x: State) -> SquareMatrix<State> {
        // Two passes (mean, then centred outer products): one pass of raw moments would lose
        // the small covariance near a minimiser to cancellation.
        withSamples(at: x) { sample in
            var mean = State.zero
            for i in 0..<count { mean = mean + sample(i).gradient }
            mean = (1 / Double(count)) * mean
            var s = SquareMatrix<State>()
            for i in 0..<count {
                let c = sample(i).gradient - mean
                s = s + SquareMatrix.outer(c, c)
            }
            return (1 / Double(count - 1)) * s
        }
    }

    /// Proposition 1: Σ(x) = (1/m_k − 1/M) Σ₀(x).
    @inlinable
    public func noiseCovariance(at x: State, step: Int) -> SquareMatrix<State> {
        problem.covarianceFactor(atStep: step) * sampleCovariance(at: x)
    }

    public var noiseStructure: NoiseStructure { .general }
    @inlinable public var usesGenerator: Bool { true }
    /// Full batches at every step: SGD is gradient descent.
    public var isNoiseFree: Bool {
        if case .constant(let m) = problem.batchSchedule { return m == count }
        return false
    }
}
