import Dynamics
import Foundation
import Numerics
import Problems
import Randomness

/// The state of a block of paths: parameters d × ld (column b is path b), and the heavy-ball
/// velocities when SGD uses momentum.
public final class ParameterBlock: @unchecked Sendable {
    public let dimension: Int
    public let ld: Int
    public let values: UnsafeMutablePointer<Double>
    public let velocities: UnsafeMutablePointer<Double>

    public init(initial x0: [Double], ld: Int) {
        dimension = x0.count
        self.ld = ld
        values = .allocate(capacity: dimension * ld)
        velocities = .allocate(capacity: dimension * ld)
        velocities.initialize(repeating: 0, count: dimension * ld)
        for j in 0..<dimension { (values + j * ld).initialize(repeating: x0[j], count: ld) }
    }

    deinit {
        values.deallocate()
        velocities.deallocate()
    }

    public subscript(lane b: Int) -> [Double] { (0..<dimension).map { values[$0 * ld + b] } }
    public func laneIsFinite(_ b: Int) -> Bool { (0..<dimension).allSatisfy { values[$0 * ld + b].isFinite } }
}

/// SGD, SVAG and the exact SGD diffusion (SME-1, SME-2) of a finite-sum problem, advanced for a
/// block of paths at a time. One engine per block and thread: it owns every buffer it needs, so
/// no step allocates (memory O(M p + d ld + M ld)).
///
/// The diffusion noise never forms a d × d matrix. With z ~ N(0, I_M) and z̄ its mean,
/// Σ_i (z_i − z̄) ∇f_i(x) ~ N(0, Σ_i ∇f_i ∇f_iᵀ − M ∇F ∇Fᵀ) = N(0, (M − 1) Σ₀(x)) exactly, so
///
///     S(x) ξ = √((1/m − 1/M)/(M − 1)) Σ_i (z_i − z̄) ∇f_i(x)   has law N(0, Σ(x)) (Prop. 1),
///
/// and an Euler–Maruyama step of dX = −∇F dt + √(η Σ) dW is one weighted backward pass with
/// weights w_i = h/M + √(h η (1/m − 1/M)/(M − 1)) (z_i − z̄): two GEMMs per step for linear
/// models. SME-2's extra drift −(η/2) ∇²F ∇F is one exact Hessian-vector product.
///
/// Random numbers, all named by (seed, stream, path, draw) so a path is the same on any thread
/// or shard: SDE step n uses draws n M ..< (n + 1) M of the driving stream (one per sample);
/// SGD's batch at iteration k comes from `PhiloxGenerator(seed, .sampling, path, k << 24)`,
/// injected noise from stream `.independent(2)`, draws k d ..< (k + 1) d.
public final class BlockEngine<Model: FiniteSumModel>: @unchecked Sendable {
    public let problem: FiniteSumProblem<Model>
    public let ld: Int
    let full: ModelWorkspace
    let single: ModelWorkspace
    let batchFeatures: UnsafeMutablePointer<Double>
    let batchTargets: UnsafeMutablePointer<Double>
    let batchWeights: UnsafeMutablePointer<Double>
    let batchCapacity: Int
    /// d × ld scratch: the gradient, the Hessian-vector product, the noise.
    let gradient: UnsafeMutablePointer<Double>
    let curvature: UnsafeMutablePointer<Double>
    let noise: UnsafeMutablePointer<Double>
    /// M × ld: the weights of one weighted backward pass.
    let weights: UnsafeMutablePointer<Double>
    /// d × 1 scratch for one lane.
    let lane: UnsafeMutablePointer<Double>
    let laneGradient: UnsafeMutablePointer<Double>

    public init(problem: FiniteSumProblem<Model>, ld: Int, maximumBatch: Int? = nil) {
        self.problem = problem
        self.ld = ld
        let model = problem.model, d = problem.dimension, p = model.featureCount
        full = ModelWorkspace(model: model, rows: max(problem.count, problem.test?.count ?? 0), ld: ld)
        // SVAG draws two batches per step
        batchCapacity = 2 * (maximumBatch ?? problem.count)
        single = ModelWorkspace(model: model, rows: batchCapacity, ld: 1)
        batchFeatures = .allocate(capacity: batchCapacity * p)
        batchTargets = .allocate(capacity: batchCapacity)
        batchWeights = .allocate(capacity: batchCapacity)
        gradient = .allocate(capacity: d * ld)
        curvature = .allocate(capacity: d * ld)
        noise = .allocate(capacity: d * ld)
        weights = .allocate(capacity: problem.count * ld)
        lane = .allocate(capacity: d)
        laneGradient = .allocate(capacity: d)
    }

    deinit {
        for p in [batchFeatures, batchTargets, batchWeights, gradient, curvature, noise, weights, lane, laneGradient] { p.deallocate() }
    }

    // MARK: - The SGD diffusion

    /// One Euler–Maruyama step of SME-1 (`order` 1) or SME-2 (`order` 2) of SGD with learning
    /// rate η, from time t = `sgdStep`·η (which fixes m in a batch-size schedule), of size h.
    ///
    /// - Parameter normals: M × ld standard normals (row i: sample i), left unchanged.
    public func diffusionStep(_ x: ParameterBlock, order: Int, eta: Double, dt h: Double, sgdStep k: Int, normals: UnsafePointer<Double>) {
        let M = problem.count, d = problem.dimension, l2 = problem.l2
        let noiseScale = (h * eta * problem.covarianceFactor(atStep: k) / Double(M - 1)).squareRoot()
        centre(normals, scale: noiseScale, offset: order == 1 ? h / Double(M) : 0)
        problem.data.withDesign { design in
            let model = problem.model
            if order == 1 {
                if !model.fusedWeightedGradient(design, parameters: x.values, ld: ld, weights: weights, into: gradient) {
                    model.forward(design, parameters: x.values, ld: ld, workspace: full, losses: false)
                    model.backward(design, weights: .matrix(weights), workspace: full, into: gradient)
                }
                for e in 0..<(d * ld) { x.values[e] -= gradient[e] + h * l2 * x.values[e] }
                return
            }
            model.forward(design, parameters: x.values, ld: ld, workspace: full, losses: false)
            model.backward(design, weights: .uniform(1 / Double(M)), workspace: full, into: gradient)
            for e in 0..<(d * ld) { gradient[e] += l2 * x.values[e] }
            model.hessianVectorProduct(design, parameters: x.values, direction: gradient, scale: 1 / Double(M), workspace: full, into: curvature)
            model.backward(design, weights: .matrix(weights), workspace: full, into: noise)
            let c2 = h * eta / 2
            for e in 0..<(d * ld) { x.values[e] -= h * gradient[e] + c2 * (curvature[e] + l2 * gradient[e]) + noise[e] }
        }
    }

    /// weights[i, b] = offset + scale (z_ib − z̄_b).
    func centre(_ z: UnsafePointer<Double>, scale: Double, offset: Double) {
        let M = problem.count
        withUnsafeTemporaryAllocation(of: Double.self, capacity: ld) { mean in
            mean.initialize(repeating: 0)
            for i in 0..<M { for b in 0..<ld { mean[b] += z[i * ld + b] } }
            for b in 0..<ld { mean[b] /= Double(M) }
            for i in 0..<M { for b in 0..<ld { weights[i * ld + b] = offset + scale * (z[i * ld + b] - mean[b]) } }
        }
    }

    // MARK: - SGD and SVAG

    /// One SGD iteration k for lanes 0..<lanes (paths firstPath…): batch of m_k without
    /// replacement, optional heavy-ball momentum and injected noise (`SGDMethod`'s conventions).
    public func sgdStep(_ x: ParameterBlock, method: SGDMethod, step k: Int, firstPath: Int, lanes: Int, seed: UInt64) {
        let m = problem.batchSchedule.batchSize(atStep: k)
        let injected = method.injectedNoise > 0 ? GaussianStream(seed: seed, stream: .independent(2)) : nil
        for b in 0..<lanes {
            var generator = PhiloxGenerator(seed: seed, stream: .sampling, path: firstPath + b, offset: UInt64(k) << 24)
            let rows = gather(first: m, weight: 1 / Double(m), second: 0, weight: 0, generator: &generator)
            laneGradient(x, lane: b, rows: rows)
            let d = problem.dimension
            if let injected {
                for j in 0..<d { laneGradient[j] += method.injectedNoise * injected.normal(path: firstPath + b, draw: k * d + j) }
            }
            for j in 0..<d {
                let e = j * ld + b
                if method.momentum > 0 {
                    x.velocities[e] = method.momentum * x.velocities[e] + laneGradient[j]
                    x.values[e] -= method.eta * x.velocities[e]
                } else {
                    x.values[e] -= method.eta * laneGradient[j]
                }
            }
        }
    }

    /// One SVAG iteration j (Li, Malladi & Arora 2021): step η/l on the gradient of
    /// ½(1 + √(2l − 1)) f_{B₁} + ½(1 − √(2l − 1)) f_{B₂}, B₁, B₂ independent batches of m_{⌊j/l⌋}.
    /// Its noise has covariance l Σ and its drift ∇F, so with step η/l the chain converges weakly
    /// to the same SDE as l grows; l = 1 is SGD with the very same batches.
    ///
    /// - Parameter scores: when given (M × ld), B₁ is the top m of each lane's scores (coupled to
    ///   the SDE's normals, as in the coupled `sgdStep`) and B₂ comes from the sampling stream.
    public func svagStep(_ x: ParameterBlock, eta: Double, l: Int, step j: Int, firstPath: Int, lanes: Int, seed: UInt64,
                         scores: UnsafePointer<Double>? = nil) {
        let m = problem.batchSchedule.batchSize(atStep: j / l)
        let root = Double(2 * l - 1).squareRoot()
        let w1 = (1 + root) / (2 * Double(m)), w2 = (1 - root) / (2 * Double(m))
        let h = eta / Double(l), d = problem.dimension
        for b in 0..<lanes {
            var generator = PhiloxGenerator(seed: seed, stream: .sampling, path: firstPath + b, offset: UInt64(j) << 24)
            let rows: Int
            if let scores {
                let first = gatherTop(m, scores: scores, lane: b, weight: w1, startingAt: 0)
                rows = l == 1 ? first : gather(first: m, weight: w2, second: 0, weight: 0, generator: &generator, startingAt: first)
            } else {
                rows = gather(first: m, weight: w1, second: l == 1 ? 0 : m, weight: w2, generator: &generator)
            }
            laneGradient(x, lane: b, rows: rows)
            for jj in 0..<d { x.values[jj * ld + b] -= h * laneGradient[jj] }
        }
    }

    /// Copies the rows of two consecutive batches (each without replacement; the second may be
    /// empty) into the batch buffer, with one weight per batch; returns the number of rows.
    func gather(first m1: Int, weight w1: Double, second m2: Int, weight w2: Double, generator: inout PhiloxGenerator,
                startingAt start: Int = 0) -> Int {
        let p = problem.model.featureCount, M = problem.count
        var row = start
        problem.data.features.withUnsafeBufferPointer { f in
            problem.data.targets.withUnsafeBufferPointer { t in
                for (size, weight) in [(m1, w1), (m2, w2)] where size > 0 {
                    BatchSampler.forEachIndex(size: size, of: M, generator: &generator) { i in
                        (batchFeatures + row * p).update(from: f.baseAddress! + i * p, count: p)
                        batchTargets[row] = t[i]
                        batchWeights[row] = weight
                        row += 1
                    }
                }
            }
        }
        return row
    }

    /// laneGradient = Σ_rows w_r ∇f_r(x_b) + λ x_b over the gathered rows.
    func laneGradient(_ x: ParameterBlock, lane b: Int, rows: Int) {
        let d = problem.dimension
        for j in 0..<d { lane[j] = x.values[j * ld + b] }
        let design = DesignView(rows: rows, features: batchFeatures, targets: batchTargets)
        problem.model.forward(design, parameters: lane, ld: 1, workspace: single, losses: false)
        problem.model.backward(design, weights: .matrix(batchWeights), workspace: single, into: laneGradient)
        for j in 0..<d { laneGradient[j] += problem.l2 * lane[j] }
    }

    // MARK: - Observables

    /// Per lane: F(x_b) (with the L2 term), the mean test loss (NaN without a test set), |x_b − x₀|².
    public func observe(_ x: ParameterBlock, from x0: [Double], lanes: Int) -> [(train: Double, test: Double, distance: Double)] {
        let d = problem.dimension
        let train = meanLosses(x, on: problem.data)
        let test = problem.test.map { meanLosses(x, on: $0) }
        return (0..<lanes).map { b in
            var norm = 0.0, dist = 0.0
            for j in 0..<d {
                let v = x.values[j * ld + b]
                norm += v * v
                dist += (v - x0[j]) * (v - x0[j])
            }
            return (train[b] + 0.5 * problem.l2 * norm, test?[b] ?? .nan, dist)
        }
    }

    func meanLosses(_ x: ParameterBlock, on set: TrainingSet) -> [Double] {
        set.withDesign { design in
            problem.model.forward(design, parameters: x.values, ld: ld, workspace: full, losses: true)
        }
        var sums = [Double](repeating: 0, count: ld)
        for i in 0..<set.count { for b in 0..<ld { sums[b] += full.losses[i * ld + b] } }
        return sums.map { $0 / Double(set.count) }
    }
}
