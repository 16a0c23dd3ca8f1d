import Foundation
import Numerics
import Randomness

extension Trainer {
    /// Mean loss gradient over samples `indices` of the training set, batch norm in inference
    /// mode (so each sample's loss f_i is a function of the weights alone), in chunks of 512.
    func meanGradient(_ net: F1Network<Float>, indices: [Int]) -> [Double] {
        var total = [Double](repeating: 0, count: net.parameterCount)
        var start = 0
        while start < indices.count {
            let b = min(512, indices.count - start)
            gather(indices[start..<(start + b)])
            batchImages.withUnsafeBufferPointer { x in
                batchLabels.withUnsafeBufferPointer { y in
                    _ = net.forward(x.baseAddress!, batch: b, training: false)
                    _ = net.loss(labels: y.baseAddress!, batch: b)
                    net.backward(x.baseAddress!, labels: y.baseAddress!, batch: b, training: false)
                }
            }
            for i in 0..<net.parameterCount { total[i] += Double(net.gradients[i]) * Double(b) }
            start += b
        }
        return total.map { $0 / Double(indices.count) }
    }

    /// tr Σ₀ by Proposition 1: over a fixed pool of M training samples, batches of m drawn
    /// without replacement have E|g_B - ḡ|² = (1/m - 1/M) tr Σ₀; averaged over 8 batches.
    func noiseScale(iteration: Int, batchSize m0: Int, seed: UInt64) -> TrainingRecord.NoiseScale {
        let pool = Array(permutation(epoch: 1_000_000, seed: seed).prefix(min(4096, data.trainCount)))
        let m = min(m0, pool.count / 2)
        let full = meanGradient(network, indices: pool)
        var generator = PhiloxGenerator(seed: seed, stream: .independent(10), path: iteration)
        var total = 0.0
        let draws = 8
        for _ in 0..<draws {
            var chosen = Set<Int>()
            for j in (pool.count - m)..<pool.count {  // Floyd's algorithm
                let t = generator.nextInt(below: j + 1)
                chosen.insert(chosen.contains(t) ? j : t)
            }
            let g = meanGradient(network, indices: chosen.sorted().map { pool[$0] })
            for i in 0..<g.count { let d = g[i] - full[i]; total += d * d }
        }
        let trace = total / Double(draws) / (1 / Double(m) - 1 / Double(pool.count))
        return .init(iteration: iteration, traceSigma0: trace, batchSize: m0, perBatch: trace / Double(m0))
    }

    /// The largest Hessian eigenvalue of the training loss at the current weights (inference-
    /// mode batch norm, `samples` training examples), by power iteration on Hessian-vector
    /// products from central differences of the gradient in double precision.
    public func sharpness(samples: Int = 2048, iterations: Int = 20, seed: UInt64) -> Double {
        let net = network.converted(to: Double.self)
        let indices = Array(permutation(epoch: 2_000_000, seed: seed).prefix(min(samples, data.trainCount)))
        let images = indices.flatMap { i in data.trainImages[(i * MNIST.pixels)..<((i + 1) * MNIST.pixels)].map(Double.init) }
        let labels = indices.map { data.trainLabels[$0] }
        func gradient(at w: [Double]) -> [Double] {
            net.parameters = w
            return images.withUnsafeBufferPointer { x in
                labels.withUnsafeBufferPointer { y in
                    _ = net.forward(x.baseAddress!, batch: labels.count, training: false)
                    _ = net.loss(labels: y.baseAddress!, batch: labels.count)
                    net.backward(x.baseAddress!, labels: y.baseAddress!, batch: labels.count, training: false)
                    return net.gradients
                }
            }
        }
        let w = net.parameters
        var g = PhiloxGenerator(seed: seed, stream: .independent(11), path: 0)
        var v = (0..<w.count).map { _ in g.nextGaussianPair().0 }
        var lambda = 0.0
        for _ in 0..<iterations {
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            v = v.map { $0 / norm }
            let h = 1e-4
            let plus = gradient(at: zip(w, v).map { $0 + h * $1 }), minus = gradient(at: zip(w, v).map { $0 - h * $1 })
            let hv = zip(plus, minus).map { ($0 - $1) / (2 * h) }
            lambda = zip(v, hv).reduce(0) { $0 + $1.0 * $1.1 }
            v = hv
        }
        return lambda
    }
}
