import Foundation
import Numerics
import Problems
import Randomness
import Report

/// Trains the F1 network with SGD on MNIST, resumably.
///
/// Data order: the training set is reshuffled at each epoch by a Fisher–Yates permutation from
/// Philox stream (seed, .sampling, path = epoch); batches are consecutive slices, a partial batch
/// at the end of an epoch is dropped (as PyTorch's `drop_last`). Injected noise for iteration k
/// is variate (path = parameter index, draw = k) of stream (seed, .independent(9)). So a run is a
/// function of its configuration, and a resumed run (from the checkpoint written every epoch)
/// reproduces the uninterrupted one exactly (for a fixed BLAS thread count, whose summation
/// order GEMM results depend on).
public final class Trainer {
    public let data: MNIST
    public let network: F1Network<Float>
    var batchImages: [Float] = []
    var batchLabels: [UInt8] = []

    public init(data: MNIST, widths: [Int] = [784, 512, 512, 512, 512, 512, 10], seed: UInt64) {
        self.data = data
        network = F1Network<Float>(widths: widths, seed: seed)
    }

    struct Checkpoint: Codable {
        var fingerprint: String
        var iteration: Int
        var epoch: Int
        var cursor: Int
        var parameters: [Float]
        var velocity: [Float]
        var runningMean: [[Float]]
        var runningVariance: [[Float]]
        var initial: [Float]
        var record: TrainingRecord
    }

    func permutation(epoch: Int, seed: UInt64) -> [Int] {
        var p = Array(0..<data.trainCount)
        var g = PhiloxGenerator(seed: seed, stream: .sampling, path: epoch)
        for i in stride(from: p.count - 1, to: 0, by: -1) { p.swapAt(i, g.nextInt(below: i + 1)) }
        return p
    }

    func gather(_ indices: ArraySlice<Int>) {
        let n = indices.count, d = MNIST.pixels
        if batchImages.count < n * d { batchImages = [Float](repeating: 0, count: n * d); batchLabels = [UInt8](repeating: 0, count: n) }
        batchImages.withUnsafeMutableBufferPointer { dst in
            data.trainImages.withUnsafeBufferPointer { src in
                for (row, i) in indices.enumerated() {
                    (dst.baseAddress! + row * d).update(from: src.baseAddress! + i * d, count: d)
                    batchLabels[row] = data.trainLabels[i]
                }
            }
        }
    }

    /// Runs `configuration` from `start` (a warm start) or the seeded initialisation, resuming
    /// from `checkpoint` if it holds this run's progress.
    public func train(_ configuration: TrainingConfiguration, start: NetworkState? = nil, checkpoint: URL? = nil,
                      finalEvaluation: Bool = true, progress: (Int) -> Void = { _ in }) throws -> TrainingRecord {
        try configuration.validate(trainingSamples: data.trainCount)
        let c = configuration
        let print = try runFingerprint(c, start: start)
        if let start { start.restore(into: network) }
        var velocity = [Float](repeating: 0, count: network.parameterCount)
        var initial = network.parameters
        var record = TrainingRecord()
        var iteration = 0, epoch = 0, cursor = 0
        if let checkpoint, let saved = try? JSONDecoder().decode(Checkpoint.self, from: Data(contentsOf: checkpoint)), saved.fingerprint == print {
            network.parameters = saved.parameters
            network.runningMean = saved.runningMean
            network.runningVariance = saved.runningVariance
            velocity = saved.velocity
            initial = saved.initial
            record = saved.record
            iteration = saved.iteration
            epoch = saved.epoch
            cursor = saved.cursor
        }
        var order = permutation(epoch: epoch, seed: c.seed)
        let noise = GaussianStream(seed: c.seed, stream: .independent(9))
        var injected = c.injectedNoise > 0 ? [Float](repeating: 0, count: (network.parameterCount + 7) & ~7) : []
        let lr = Float(c.learningRate), rho = Float(c.momentum), sigma = Float(c.injectedNoise)
        var lossSum = 0.0, lossCount = 0
        let checkpointEvery = c.checkpointEvery ?? max(1, data.trainCount / c.batchSchedule.batchSize(atStep: 0))
        while iteration < c.iterations {
            let b = c.batchSchedule.batchSize(atStep: iteration)
            if cursor + b > data.trainCount {
                epoch += 1
                cursor = 0
                order = permutation(epoch: epoch, seed: c.seed)
            }
            let t0 = DispatchTime.now().uptimeNanoseconds
            gather(order[cursor..<(cursor + b)])
            cursor += b
            let loss: Double = batchImages.withUnsafeBufferPointer { x in
                batchLabels.withUnsafeBufferPointer { y in
                    _ = network.forward(x.baseAddress!, batch: b, training: true)
                    let l = network.loss(labels: y.baseAddress!, batch: b).loss
                    network.backward(x.baseAddress!, labels: y.baseAddress!, batch: b, training: true)
                    return l
                }
            }
            if sigma > 0 {
                injected.withUnsafeMutableBufferPointer {
                    noise.fill(firstPath: 0, lanes: network.parameterCount, firstDraw: iteration, draws: 1, stride: $0.count, into: $0.baseAddress!)
                }
            }
            update(velocity: &velocity, injected: injected, lr: lr, rho: rho, sigma: sigma)
            record.trainingSeconds += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            record.samples += b
            iteration += 1
            guard loss.isFinite else {
                record.diverged = true
                break
            }
            lossSum += loss
            lossCount += 1
            if iteration % c.recordEvery == 0 || iteration == c.iterations {
                record.iterations.append(iteration)
                record.distance.append(distance(from: initial))
                record.loss.append(lossSum / Double(lossCount))
                lossSum = 0
                lossCount = 0
            }
            if let every = c.evaluateEvery, iteration % every == 0 || iteration == c.iterations {
                record.evaluations.append(.init(iteration: iteration, epoch: Double(record.samples) / Double(data.trainCount),
                                                testAccuracy: accuracy(images: data.testImages, labels: data.testLabels)))
            }
            if let every = c.noiseScaleEvery, iteration % every == 0 || iteration == 1 {
                record.noiseScale.append(noiseScale(iteration: iteration, batchSize: b, seed: c.seed))
            }
            progress(iteration)
            if let checkpoint, iteration % checkpointEvery == 0, iteration < c.iterations {
                let saved = Checkpoint(fingerprint: print, iteration: iteration, epoch: epoch, cursor: cursor, parameters: network.parameters,
                                       velocity: velocity, runningMean: network.runningMean, runningVariance: network.runningVariance,
                                       initial: initial, record: record)
                try AtomicFile.write(try JSONEncoder().encode(saved), to: checkpoint)
            }
        }
        if !record.diverged && finalEvaluation {
            record.finalTestAccuracy = accuracy(images: data.testImages, labels: data.testLabels)
            record.finalTrainAccuracy = accuracy(images: data.trainImages, labels: data.trainLabels)
        }
        return record
    }

    func runFingerprint(_ c: TrainingConfiguration, start: NetworkState?) throws -> String {
        struct Key: Encodable { var c: TrainingConfiguration; var start: Int?; var train: Int; var test: Int }
        let startHash = start.map { s in s.parameters.reduce(0) { ($0 &* 31) &+ Int($1.bitPattern) } }
        return try fingerprintOf(Key(c: c, start: startHash, train: data.trainCount, test: data.testCount))
    }

    /// w ← w - η (g + σ ε), or with momentum v ← ρ v + g + σ ε, w ← w - η v (PyTorch's convention).
    func update(velocity: inout [Float], injected: [Float], lr: Float, rho: Float, sigma: Float) {
        let n = network.parameterCount
        network.parameters.withUnsafeMutableBufferPointer { w in
            network.gradients.withUnsafeBufferPointer { g in
                velocity.withUnsafeMutableBufferPointer { v in
                    injected.withUnsafeBufferPointer { e in
                        if rho > 0 {
                            if sigma > 0 {
                                for i in 0..<n { v[i] = rho * v[i] + g[i] + sigma * e[i]; w[i] -= lr * v[i] }
                            } else {
                                for i in 0..<n { v[i] = rho * v[i] + g[i]; w[i] -= lr * v[i] }
                            }
                        } else if sigma > 0 {
                            for i in 0..<n { w[i] -= lr * (g[i] + sigma * e[i]) }
                        } else {
                            for i in 0..<n { w[i] -= lr * g[i] }
                        }
                    }
                }
            }
        }
    }

    func distance(from initial: [Float]) -> Double {
        var s = 0.0
        for i in 0..<network.parameterCount { let d = Double(network.parameters[i] - initial[i]); s += d * d }
        return s.squareRoot()
    }

    /// Accuracy with batch norm in inference mode, 1000 samples at a time.
    public func accuracy(images: [Float], labels: [UInt8]) -> Double {
        var correct = 0
        let n = labels.count
        images.withUnsafeBufferPointer { x in
            labels.withUnsafeBufferPointer { y in
                var start = 0
                while start < n {
                    let b = min(1000, n - start)
                    _ = network.forward(x.baseAddress! + start * MNIST.pixels, batch: b, training: false)
                    correct += network.loss(labels: y.baseAddress! + start, batch: b).correct
                    start += b
                }
            }
        }
        return Double(correct) / Double(n)
    }
}

func fingerprintOf<T: Encodable>(_ value: T) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in try encoder.encode(value) { hash ^= UInt64(byte); hash &*= 0x0000_0100_0000_01b3 }
    return String(hash, radix: 16)
}
