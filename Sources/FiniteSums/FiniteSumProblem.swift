import Numerics
import Problems

/// F(x) = (1/M) Σ_i f_i(x) + (λ/2)|x|² over a training set, with SGD on mini-batches of m_k
/// samples drawn without replacement (paper §3.2). Proposition 1 then gives the gradient noise
/// covariance exactly, Σ_k(x) = (1/m_k − 1/M) Σ₀(x), Σ₀ the sample covariance of the ∇f_i(x);
/// the L2 term is deterministic and adds nothing to it.
public struct FiniteSumProblem<Model: FiniteSumModel>: Sendable {
    public let model: Model
    public let data: TrainingSet
    /// Held-out samples for the test loss; nil when the user gave none.
    public let test: TrainingSet?
    public let l2: Double
    public let batchSchedule: BatchSchedule

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case featureCount(model: Int, data: Int, which: String)
        case invalidTarget(row: Int, reason: String, which: String)
        case negativeL2(Double)
        case batch(BatchSchedule.Failure)
        public var description: String {
            switch self {
            case .featureCount(let m, let d, let w): return "the model reads \(m) features but the \(w) set has \(d)"
            case .invalidTarget(let r, let why, let w): return "\(w) row \(r): \(why)"
            case .negativeL2(let l): return "L2 regularisation λ must be non-negative and finite, got \(l)"
            case .batch(let f): return f.description
            }
        }
    }

    public init(model: Model, data: TrainingSet, test: TrainingSet? = nil, l2: Double = 0, batchSchedule: BatchSchedule) throws {
        for (set, which) in [(data, "training"), (test, "test")] {
            guard let set else { continue }
            guard set.featureCount == model.featureCount else {
                throw Failure.featureCount(model: model.featureCount, data: set.featureCount, which: which)
            }
            if let bad = model.firstInvalidTarget(set.targets) { throw Failure.invalidTarget(row: bad.row, reason: bad.reason, which: which) }
        }
        guard l2 >= 0, l2.isFinite else { throw Failure.negativeL2(l2) }
        do { try batchSchedule.validate(datasetSize: data.count) } catch let f as BatchSchedule.Failure { throw Failure.batch(f) }
        (self.model, self.data, self.test, self.l2, self.batchSchedule) = (model, data, test, l2, batchSchedule)
    }

    /// The same problem with another batch schedule (checked against 1…M).
    public func with(batchSchedule schedule: BatchSchedule) throws -> FiniteSumProblem {
        try FiniteSumProblem(model: model, data: data, test: test, l2: l2, batchSchedule: schedule)
    }

    public var dimension: Int { model.parameterCount }
    public var count: Int { data.count }

    /// Proposition 1's factor 1/m − 1/M at iteration k.
    public func covarianceFactor(atStep k: Int) -> Double {
        1 / Double(batchSchedule.batchSize(atStep: k)) - 1 / Double(count)
    }

    // MARK: - One parameter vector (theory, tests, the initial point)

    /// F(x), including the L2 term.
    public func value(at x: [Double]) -> Double {
        meanLoss(on: data, at: x) + 0.5 * l2 * x.reduce(0) { $0 + $1 * $1 }
    }

    /// (1/n) Σ f_i(x) over `set` (no regularisation): the test loss on held-out data.
    public func meanLoss(on set: TrainingSet, at x: [Double]) -> Double {
        precondition(x.count == dimension, "expected \(dimension) parameters")
        let ws = ModelWorkspace(model: model, rows: set.count, ld: 1)
        return set.withDesign { design in
            x.withUnsafeBufferPointer { model.forward(design, parameters: $0.baseAddress!, ld: 1, workspace: ws, losses: true) }
            var s = 0.0
            for i in 0..<set.count { s += ws.losses[i] }
            return s / Double(set.count)
        }
    }

    /// ∇F(x).
    public func gradient(at x: [Double]) -> [Double] {
        var g = weightedGradient(at: x, weights: [Double](repeating: 1 / Double(count), count: count))
        for j in 0..<dimension { g[j] += l2 * x[j] }
        return g
    }

    /// Σ_i w_i ∇f_i(x) (no regularisation).
    public func weightedGradient(at x: [Double], weights: [Double]) -> [Double] {
        precondition(x.count == dimension && weights.count == count, "shape mismatch")
        let ws = ModelWorkspace(model: model, rows: count, ld: 1)
        var g = [Double](repeating: 0, count: dimension)
        data.withDesign { design in
            x.withUnsafeBufferPointer { px in
                weights.withUnsafeBufferPointer { pw in
                    g.withUnsafeMutableBufferPointer { pg in
                        model.forward(design, parameters: px.baseAddress!, ld: 1, workspace: ws, losses: false)
                        model.backward(design, weights: .matrix(pw.baseAddress!), workspace: ws, into: pg.baseAddress!)
                    }
                }
            }
        }
        return g
    }

    /// ∇f_i(x) for every sample i, as the rows of an M × d matrix: one single-row pass per
    /// sample, O(M d) in all.
    public func sampleGradients(at x: [Double]) -> Matrix<Double> {
        precondition(x.count == dimension, "expected \(dimension) parameters")
        var rows = Matrix<Double>(rows: count, columns: dimension)
        let ws = ModelWorkspace(model: model, rows: 1, ld: 1)
        var g = [Double](repeating: 0, count: dimension)
        let p = model.featureCount
        data.withDesign { design in
            x.withUnsafeBufferPointer { px in
                g.withUnsafeMutableBufferPointer { pg in
                    for i in 0..<count {
                        let one = DesignView(rows: 1, features: design.features + i * p, targets: design.targets + i)
                        model.forward(one, parameters: px.baseAddress!, ld: 1, workspace: ws, losses: false)
                        model.backward(one, weights: .uniform(1), workspace: ws, into: pg.baseAddress!)
                        for j in 0..<dimension { rows[i, j] = pg[j] }
                    }
                }
            }
        }
        return rows
    }

    /// Σ₀(x) = (1/(M−1)) Σ_i (∇f_i − ∇f̄)(∇f_i − ∇f̄)ᵀ, d × d: for theory and tests at moderate d.
    public func sampleCovariance(at x: [Double]) -> Matrix<Double> {
        let g = sampleGradients(at: x)
        var mean = [Double](repeating: 0, count: dimension)
        for i in 0..<count { for j in 0..<dimension { mean[j] += g[i, j] / Double(count) } }
        var centred = g
        for i in 0..<count { for j in 0..<dimension { centred[i, j] -= mean[j] } }
        return (1 / Double(count - 1)) * Matrix.product(centred, centred, transposeA: true)
    }

    /// ∇²F(x), d × d, from d exact Hessian-vector products (symmetrised: the products agree to
    /// rounding), for the escape theory at moderate d.
    public func hessian(at x: [Double]) -> Matrix<Double> {
        var h = Matrix<Double>(rows: dimension, columns: dimension)
        var e = [Double](repeating: 0, count: dimension)
        for j in 0..<dimension {
            e[j] = 1
            let column = hessianVectorProduct(at: x, e)
            for i in 0..<dimension { h[i, j] = column[i] }
            e[j] = 0
        }
        for i in 0..<dimension { for j in 0..<i { let m = 0.5 * (h[i, j] + h[j, i]); (h[i, j], h[j, i]) = (m, m) } }
        return h
    }

    /// ∇²F(x) v, exact, including λ v.
    public func hessianVectorProduct(at x: [Double], _ v: [Double]) -> [Double] {
        precondition(x.count == dimension && v.count == dimension, "shape mismatch")
        let ws = ModelWorkspace(model: model, rows: count, ld: 1)
        var h = [Double](repeating: 0, count: dimension)
        data.withDesign { design in
            x.withUnsafeBufferPointer { px in
                v.withUnsafeBufferPointer { pv in
                    h.withUnsafeMutableBufferPointer { ph in
                        model.forward(design, parameters: px.baseAddress!, ld: 1, workspace: ws, losses: false)
                        model.hessianVectorProduct(design, parameters: px.baseAddress!, direction: pv.baseAddress!, scale: 1 / Double(count),
                                                   workspace: ws, into: ph.baseAddress!)
                    }
                }
            }
        }
        for j in 0..<dimension { h[j] += l2 * v[j] }
        return h
    }
}

extension TrainingSet {
    /// The whole set as a `DesignView` for the duration of `body`.
    public func withDesign<R>(_ body: (DesignView) throws -> R) rethrows -> R {
        try features.withUnsafeBufferPointer { f in
            try targets.withUnsafeBufferPointer { t in
                try body(DesignView(rows: count, features: f.baseAddress!, targets: t.baseAddress!))
            }
        }
    }
}
