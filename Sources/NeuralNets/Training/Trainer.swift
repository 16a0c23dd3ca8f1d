import Foundation
import Numerics
import Problems
import Randomness
import Persistence

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

    /// The weights with the best test accuracy seen at an evaluation, if the configuration
    /// asked to keep them (`keepBestTestState`): the paper's "best result" warm starts (§6).
    public private(set) var bestState: NetworkState?

    /// Runs `configuration` from `start` (a warm start) or the seeded initialisation, resuming
    /// from `checkpoint` if it holds this run's progress (a checkpoint of another configuration
    /// is replaced). When `shouldContinue` returns false the state is checkpointed and
    /// `TrainingInterrupted` thrown; calling again with the same arguments resumes.
    public func train(_ configuration: TrainingConfiguration, start: NetworkState? = nil, checkpoint: URL? = nil,
                      finalEvaluation: Bool = true, shouldContinue: () -> Bool = { true },
                      progress: (Int) -> Void = { _ in }) throws -> TrainingRecord {
        try configuration.validate(trainingSamples: data.trainCount)
        if let start, start.widths != network.widths { throw TrainingConfiguration.Failure.invalid("warm start", "weights of a different architecture") }
        let c = configuration
        let print = try runFingerprint(c, start: start)
        let fresh = F1Network<Float>(widths: network.widths, seed: c.seed)
        network.parameters = fresh.parameters
        network.runningMean = fresh.runningMean
        network.runningVariance = fresh.runningVariance
        if let start { start.restore(into: network) }
        var velocity = [Float](repeating: 0, count: network.parameterCount)
        var initial = network.parameters
        var record = TrainingRecord()
        var iteration = 0, epoch = 0, cursor = 0
        var lossSum = 0.0, lossCount = 0
        bestState = nil
        var bestAccuracy: Double?
        if let checkpoint, let saved = try TrainingCheckpoint.read(from: checkpoint), saved.header.fingerprint == print {
            let h = saved.header, n = network.parameterCount
            network.parameters = try saved.array("parameters", count: n, url: checkpoint)
            velocity = try saved.array("velocity", count: n, url: checkpoint)
            initial = try saved.array("initial", count: n, url: checkpoint)
            let hidden = network.runningMean.map(\.count)
            network.runningMean = try unflatten(saved.array("runningMean", count: hidden.reduce(0, +), url: checkpoint), hidden)
            network.runningVariance = try unflatten(saved.array("runningVariance", count: hidden.reduce(0, +), url: checkpoint), hidden)
            if h.bestTestAccuracy != nil {
                var best = NetworkState(network)
                best.parameters = try saved.array("bestParameters", count: n, url: checkpoint)
                best.runningMean = try unflatten(saved.array("bestRunningMean", count: hidden.reduce(0, +), url: checkpoint), hidden)
                best.runningVariance = try unflatten(saved.array("bestRunningVariance", count: hidden.reduce(0, +), url: checkpoint), hidden)
                bestState = best
            }
            (iteration, epoch, cursor, lossSum, lossCount, record, bestAccuracy) = (h.iteration, h.epoch, h.cursor, h.lossSum, h.lossCount, h.record, h.bestTestAccuracy)
        }
        func save() throws {
            guard let checkpoint else { return }
            var arrays: [String: [Float]] = ["parameters": network.parameters, "velocity": velocity, "initial": initial,
                                             "runningMean": network.runningMean.flatMap { $0 }, "runningVariance": network.runningVariance.flatMap { $0 }]
            if let bestState {
                arrays["bestParameters"] = bestState.parameters
                arrays["bestRunningMean"] = bestState.runningMean.flatMap { $0 }
                arrays["bestRunningVariance"] = bestState.runningVariance.flatMap { $0 }
            }
            let header = TrainingCheckpoint.Header(fingerprint: print, iteration: iteration, epoch: epoch, cursor: cursor, lossSum: lossSum,
                                                   lossCount: lossCount, record: record, bestTestAccuracy: bestAccuracy, arrays: [])
            try TrainingCheckpoint(header: header, arrays: arrays).write(to: checkpoint)
        }
        func evaluate() {
            let accuracy = accuracy(images: data.testImages, labels: data.testLabels)
            record.evaluations.append(.init(iteration: iteration, epoch: Double(record.samples) / Double(data.trainCount), testAccuracy: accuracy))
            if c.keepBestTestState, accuracy > (bestAccuracy ?? -1) {
                bestAccuracy = accuracy
                bestState = NetworkState(network)
            }
        }
        if iteration == 0 {
            if c.evaluateEvery != nil { evaluate() }
            if c.noiseScaleEvery != nil { record.noiseScale.append(noiseScale(iteration: 0, batchSize: c.batchSchedule.batchSize(atStep: 0), seed: c.seed)) }
        }

        var order = permutation(epoch: epoch, seed: c.seed)
        let noise = GaussianStream(seed: c.seed, stream: .independent(9))
        var injected = c.injectedNoise > 0 ? [Float](repeating: 0, count: (network.parameterCount + 7) & ~7) : []
        let lr = Float(c.learningRate), rho = Float(c.momentum), sigma = Float(c.injectedNoise)
        let checkpointEvery = c.checkpointEvery ?? max(1, data.trainCount / c.batchSchedule.batchSize(atStep: 0))
        while iteration < c.iterations {
            guard shouldContinue() else {
                try save()
                throw TrainingInterrupted(iteration: iteration, iterations: c.iterations)
            }
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
                // batch norm keeps the loss finite long after the weights blow up: check them too
                let travelled = distance(from: initial)
                guard travelled.isFinite else {
                    record.diverged = true
                    break
                }
                record.iterations.append(iteration)
                record.distance.append(travelled)
                record.loss.append(lossSum / Double(lossCount))
                lossSum = 0
                lossCount = 0
            }
            if let every = c.evaluateEvery, iteration % every == 0 || iteration == c.iterations { evaluate() }
            if let every = c.noiseScaleEvery, iteration % every == 0 || iteration == c.iterations {
                record.noiseScale.append(noiseScale(iteration: iteration, batchSize: b, seed: c.seed))
            }
            progress(iteration)
            if iteration % checkpointEvery == 0, iteration < c.iterations { try save() }
        }
        if !record.diverged && finalEvaluation {
            record.finalTestAccuracy = accuracy(images: data.testImages, labels: data.testLabels)
            record.finalTrainAccuracy = accuracy(images: data.trainImages, labels: data.trainLabels)
        }
        record.bestTestAccuracy = bestAccuracy
        return record
    }

    func unflatten(_ flat: [Float], _ counts: [Int]) -> [[Float]] {
        var out: [[Float]] = [], offset = 0
        for n in counts { out.append(Array(flat[offset..<(offset + n)])); offset += n }
        return out
    }

    func runFingerprint(_ c: TrainingConfiguration, start: NetworkState?) throws -> String {
        struct Key: Encodable { var c: TrainingConfiguration; var start: Int?; var train: Int; var test: Int }
        let startHash = start.map { s in (s.parameters + s.runningMean.flatMap { $0 } + s.runningVariance.flatMap { $0 }).reduce(0) { ($0 &* 31) &+ Int($1.bitPattern) } }
        return try fingerprintOf(Key(c: c, start: startHash, train: data.trainCount, test: data.testCount))
    }

    /// w ← w - η (g + σ ε), or with momentum v ← ρ v + g + σ ε, w ← w - η v (PyTorch's convention).
    func update(velocity: inout [Float], injected: [Float], lr: Float, rho: Float, sigma: Float) {
        let n = network.parameterCount
        network.parameters.withUnsafeMutableBufferPointer { w in
            network.gradients.withUnsafeBufferPointer { g in
                velocity.withUnsafeMutableBufferPointer { v in
                    injected.withUnsafeBufferPointer { e in
                        let (w, g, v, e) = (w.baseAddress!, g.baseAddress!, v.baseAddress!, e.baseAddress)
                        forEachPiece(of: n, work: n) { piece in
                            let (lo, hi) = (piece.lowerBound, piece.upperBound)
                            if rho > 0 {
                                if let e, sigma > 0 {
                                    for i in lo..<hi { v[i] = rho * v[i] + g[i] + sigma * e[i]; w[i] -= lr * v[i] }
                                } else {
                                    for i in lo..<hi { v[i] = rho * v[i] + g[i]; w[i] -= lr * v[i] }
                                }
                            } else if let e, sigma > 0 {
                                for i in lo..<hi { w[i] -= lr * (g[i] + sigma * e[i]) }
                            } else {
                                for i in lo..<hi { w[i] -= lr * g[i] }
                            }
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
