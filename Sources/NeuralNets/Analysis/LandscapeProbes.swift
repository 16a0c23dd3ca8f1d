import Foundation
import Numerics
import Randomness

extension F1Network {
    /// Runs `body` with batch norm frozen at the statistics of `count` samples of `images`: the
    /// network becomes a fixed function of the weights (training-mode batch norm makes a
    /// sample's loss depend on its batch-mates, so per-sample losses f_i, their gradient
    /// covariance and the Hessian are otherwise undefined) that agrees with the training-mode
    /// network on that pool. Running statistics are restored afterwards.
    func withStatisticsFrozen<T>(on images: UnsafePointer<S>, count: Int, _ body: () throws -> T) rethrows -> T {
        let (savedMean, savedVariance) = (runningMean, runningVariance)
        defer { (runningMean, runningVariance) = (savedMean, savedVariance) }
        _ = forward(images, batch: count, training: true, updateRunningStatistics: false)
        for l in 0..<(layerCount - 1) {
            for j in 0..<widths[l + 1] {
                runningMean[l][j] = batchMean[l][j] + parameters[biasOffset[l] + j]
                let s = inverseStd[l][j]
                runningVariance[l][j] = 1 / (s * s) - Self.epsilon
            }
        }
        return try body()
    }

    /// Runs `body` with the ReLU gates of `count` samples frozen at the current weights (see
    /// `frozenGates`); inference-mode batch norm, samples in the order `meanGradient` takes them.
    func withGatesFrozen<T>(on images: UnsafePointer<S>, count: Int, _ body: () throws -> T) rethrows -> T {
        var gates = (1..<layerCount).map { [S](repeating: 0, count: count * widths[$0]) }
        var start = 0
        while start < count {
            let b = min(512, count - start)
            _ = forward(images + start * widths[0], batch: b, training: false)
            for l in 0..<(layerCount - 1) {
                let out = widths[l + 1]
                for k in 0..<(b * out) { gates[l][start * out + k] = outputs[l][k] > 0 ? 1 : 0 }
            }
            start += b
        }
        frozenGates = gates
        defer { frozenGates = nil; gateRow = 0 }
        return try body()
    }

    /// Mean loss gradient over `count` samples (inference-mode batch norm), in chunks of 512,
    /// accumulated in Double.
    func meanGradient(images: UnsafePointer<S>, labels: UnsafePointer<UInt8>, count: Int) -> [Double] {
        var total = [Double](repeating: 0, count: parameterCount)
        var start = 0
        while start < count {
            let b = min(512, count - start)
            let x = images + start * widths[0]
            gateRow = start
            _ = forward(x, batch: b, training: false)
            _ = loss(labels: labels + start, batch: b)
            backward(x, labels: labels + start, batch: b, training: false)
            for i in 0..<parameterCount { total[i] += Double(gradients[i]) * Double(b) }
            start += b
        }
        return total.map { $0 / Double(count) }
    }
}

extension Trainer {
    /// Images and labels of training samples `indices`, as one contiguous batch.
    func samples(_ indices: [Int]) -> (images: [Float], labels: [UInt8]) {
        var images = [Float](), labels = [UInt8]()
        images.reserveCapacity(indices.count * MNIST.pixels)
        for i in indices {
            images.append(contentsOf: data.trainImages[(i * MNIST.pixels)..<((i + 1) * MNIST.pixels)])
            labels.append(data.trainLabels[i])
        }
        return (images, labels)
    }

    /// tr Σ₀, the trace of the per-sample gradient covariance, by Proposition 1: over a fixed
    /// pool of M training samples (batch norm frozen at the pool's statistics), a batch of m
    /// drawn without replacement has E|g_B - ḡ|² = (1/m - 1/M) tr Σ₀ (Σ₀ with divisor M - 1).
    /// Averaged over `draws` batches; the standard error is that of the mean of the draws.
    func noiseScale(iteration: Int, batchSize m0: Int, seed: UInt64, draws: Int = 8) -> TrainingRecord.NoiseScale {
        let pool = Array(permutation(epoch: 1_000_000, seed: seed).prefix(min(4096, data.trainCount)))
        let m = min(m0, pool.count / 2)
        let (images, labels) = samples(pool)
        var values: [Double] = []
        images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                network.withStatisticsFrozen(on: x.baseAddress!, count: pool.count) {
                    let full = network.meanGradient(images: x.baseAddress!, labels: y.baseAddress!, count: pool.count)
                    var generator = PhiloxGenerator(seed: seed, stream: .independent(10), path: iteration)
                    for _ in 0..<draws {
                        var chosen = Set<Int>()
                        for j in (pool.count - m)..<pool.count {  // Floyd's algorithm
                            let t = generator.nextInt(below: j + 1)
                            chosen.insert(chosen.contains(t) ? j : t)
                        }
                        let batch = samples(chosen.sorted().map { pool[$0] })
                        let g = batch.images.withUnsafeBufferPointer { bx in
                            batch.labels.withUnsafeBufferPointer { by in network.meanGradient(images: bx.baseAddress!, labels: by.baseAddress!, count: m) }
                        }
                        var squared = 0.0
                        for i in 0..<g.count { let d = g[i] - full[i]; squared += d * d }
                        values.append(squared / (1 / Double(m) - 1 / Double(pool.count)))
                    }
                }
            }
        }
        let trace = Estimate(sample: values)
        return .init(iteration: iteration, traceSigma0: trace.mean, traceSigma0StandardError: trace.standardError,
                     batchSize: m0, perBatch: trace.mean / Double(m0))
    }

    /// Runs `body` with the Hessian of the training loss at the current weights as an operator
    /// v ↦ H v: batch norm frozen at the statistics of `samples` training examples (over which
    /// the loss is averaged) and the ReLU gates frozen at w (the Hessian autograd would give;
    /// without freezing, units that switch between w ± hv add (gradient jump)/2h terms whose total
    /// does not shrink with h). H v ≈ (∇f(w + hv) - ∇f(w - hv)) / 2h in double precision with
    /// h = 1e-5 ‖v‖⁻¹: exact up to O(h²) once the gates are fixed, rounding ~1e-16/h.
    func withHessian<T>(samples count: Int, seed: UInt64, _ body: (_ dimension: Int, _ apply: ([Double]) -> [Double]) throws -> T) rethrows -> T {
        let net = network.converted(to: Double.self)
        let indices = Array(permutation(epoch: 2_000_000, seed: seed).prefix(min(count, data.trainCount)))
        let batch = samples(indices)
        let images = batch.images.map(Double.init), labels = batch.labels
        return try images.withUnsafeBufferPointer { x in
            try labels.withUnsafeBufferPointer { y in
                try net.withStatisticsFrozen(on: x.baseAddress!, count: labels.count) {
                    try net.withGatesFrozen(on: x.baseAddress!, count: labels.count) {
                        let w = net.parameters
                        defer { net.parameters = w }
                        func gradient(at point: [Double]) -> [Double] {
                            net.parameters = point
                            return net.meanGradient(images: x.baseAddress!, labels: y.baseAddress!, count: labels.count)
                        }
                        return try body(w.count) { v in
                            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
                            guard norm > 0 else { return [Double](repeating: 0, count: w.count) }
                            let h = 1e-5 / norm
                            var plus = w, minus = w
                            for i in 0..<w.count { plus[i] += h * v[i]; minus[i] -= h * v[i] }
                            let (gp, gm) = (gradient(at: plus), gradient(at: minus))
                            return (0..<w.count).map { (gp[$0] - gm[$0]) / (2 * h) }
                        }
                    }
                }
            }
        }
    }

    /// The extreme Hessian eigenvalues of the training loss at the current weights (see
    /// `withHessian`) by `steps` Lanczos steps from a Gaussian start, with residual bounds.
    public func sharpness(samples count: Int = 2048, steps: Int = 20, seed: UInt64) throws -> Lanczos.Result {
        try withHessian(samples: count, seed: seed) { n, apply in
            var g = PhiloxGenerator(seed: seed, stream: .independent(11), path: 0)
            var start = [Double](repeating: 0, count: n)
            for i in stride(from: 0, to: n, by: 2) {
                let (a, b) = g.nextGaussianPair()
                start[i] = a
                if i + 1 < n { start[i + 1] = b }
            }
            return try Lanczos.extremeEigenvalues(dimension: n, start: start, steps: steps, apply: apply)
        }
    }
}
