import Foundation
import Numerics
import Testing
import TestSupport
@testable import NeuralNets

let smallWidths = [784, 48, 40, 10]

@Suite(.serialized) struct TrainingTests {
    static func temporary(_ name: String) -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("sgdiff-\(name)-\(UUID().uuidString)")
    }

    @Test func learnsTheSyntheticTask() throws {
        let trainer = Trainer(data: syntheticMNIST(), widths: smallWidths, seed: 1)
        let record = try trainer.train(TrainingConfiguration(batchSize: 32, iterations: 60, recordEvery: 10))
        #expect(record.loss.last! < record.loss.first! / 4)
        #expect(record.finalTestAccuracy! > 0.9 && record.finalTrainAccuracy! > 0.9)
        #expect(record.distance.count == 6 && record.distance.allSatisfy { $0 > 0 })
    }

    /// The element-wise passes split columns or parameters across cores, never batch rows, so a
    /// run is bitwise the same however many pieces they are cut into.
    @Test func resultsDoNotDependOnTheNumberOfPieces() throws {
        var parameters: [[Float]] = []
        for pieces in [1, 2, 3] {
            forcedPieceCount = pieces
            defer { forcedPieceCount = nil }
            let trainer = Trainer(data: syntheticMNIST(), widths: smallWidths, seed: 1)
            _ = try trainer.train(TrainingConfiguration(batchSize: 64, momentum: 0.9, injectedNoise: 0.001, iterations: 12), finalEvaluation: false)
            parameters.append(trainer.network.parameters)
        }
        #expect(parameters[0] == parameters[1] && parameters[0] == parameters[2])
    }

    /// Interrupt mid-epoch (checkpointed at the stop) and at an epoch boundary, resume, and
    /// compare with the uninterrupted run bit for bit.
    @Test(arguments: [23, 16])
    func resumedRunIsIdentical(stopAt: Int) throws {
        let data = syntheticMNIST()
        var configuration = TrainingConfiguration(batchSize: 32, momentum: 0.9, injectedNoise: 0.002, iterations: 40, recordEvery: 3,
                                                  evaluateEvery: 8, noiseScaleEvery: 20)
        configuration.keepBestTestState = true
        let reference = Trainer(data: data, widths: smallWidths, seed: 5)
        var expected = try reference.train(configuration)
        let checkpoint = Self.temporary("resume")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        let trainer = Trainer(data: data, widths: smallWidths, seed: 5)
        var steps = 0
        #expect(throws: TrainingInterrupted.self) {
            try trainer.train(configuration, checkpoint: checkpoint, shouldContinue: { steps += 1; return steps <= stopAt })
        }
        // a fresh process: a new trainer whose network starts elsewhere
        let resumed = Trainer(data: data, widths: smallWidths, seed: 99)
        var got = try resumed.train(configuration, checkpoint: checkpoint)
        #expect(resumed.network.parameters == reference.network.parameters)
        #expect(resumed.network.runningVariance == reference.network.runningVariance)
        #expect(resumed.bestState == reference.bestState && resumed.bestState != nil)
        expected.trainingSeconds = 0
        got.trainingSeconds = 0
        #expect(got == expected)
    }

    @Test func malformedCheckpointIsAClearError() throws {
        let checkpoint = Self.temporary("bad-checkpoint")
        defer { try? FileManager.default.removeItem(at: checkpoint) }
        let trainer = Trainer(data: syntheticMNIST(), widths: smallWidths, seed: 1)
        let configuration = TrainingConfiguration(batchSize: 32, iterations: 20, checkpointEvery: 5)
        try Data("not a checkpoint".utf8).write(to: checkpoint)
        #expect { try trainer.train(configuration, checkpoint: checkpoint) } throws: { "\($0)".contains("--restart") }
        // a real checkpoint cut short
        var steps = 0
        _ = try? trainer.train(configuration, checkpoint: { try? FileManager.default.removeItem(at: checkpoint); return checkpoint }(),
                               shouldContinue: { steps += 1; return steps <= 7 })
        let whole = try Data(contentsOf: checkpoint)
        try whole.prefix(whole.count - 100).write(to: checkpoint)
        #expect { try trainer.train(configuration, checkpoint: checkpoint) } throws: { "\($0)".contains("truncated") }
    }

    @Test func invalidConfigurationsAreRejected() throws {
        let trainer = Trainer(data: syntheticMNIST(train: 256), widths: smallWidths, seed: 1)
        func rejects(_ c: TrainingConfiguration, _ fragment: String) {
            #expect { try trainer.train(c) } throws: { "\($0)".contains(fragment) }
        }
        rejects(TrainingConfiguration(batchSize: 32, learningRate: 0, iterations: 5), "learning rate")
        rejects(TrainingConfiguration(batchSize: 32, learningRate: .nan, iterations: 5), "learning rate")
        rejects(TrainingConfiguration(batchSize: 32, momentum: 1, iterations: 5), "momentum")
        rejects(TrainingConfiguration(batchSize: 32, injectedNoise: -1, iterations: 5), "injected noise")
        rejects(TrainingConfiguration(batchSize: 32, iterations: 0), "iterations")
        rejects(TrainingConfiguration(batchSize: 1000, iterations: 5), "batch size")
        rejects(TrainingConfiguration(batchSize: 32, iterations: 5, evaluateEvery: 0), "evaluation interval")
        var best = TrainingConfiguration(batchSize: 32, iterations: 5)
        best.keepBestTestState = true
        rejects(best, "evaluation interval")
        let other = Trainer(data: syntheticMNIST(train: 256), widths: [784, 8, 10], seed: 1)
        #expect { try trainer.train(TrainingConfiguration(batchSize: 32, iterations: 5), start: NetworkState(other.network)) } throws: {
            "\($0)".contains("different architecture")
        }
    }

    @Test func divergenceIsReported() throws {
        let trainer = Trainer(data: syntheticMNIST(), widths: smallWidths, seed: 1)
        // batch norm keeps the loss finite however large the weights; only float overflow of the
        // weights themselves ends such a run, which the distance check catches
        let record = try trainer.train(TrainingConfiguration(batchSize: 32, learningRate: 1e38, iterations: 50, recordEvery: 5))
        #expect(record.diverged && record.samples < 50 * 32)
        #expect(record.finalTestAccuracy == nil)
    }

    /// Noise injection: one noisy and one noiseless step from the same weights and batch differ
    /// by -η σ ε (up to float rounding), whose sample variance over the ~40 000 parameters must
    /// be (ησ)² within 4 standard errors (a sample variance of n normals has variance 2s⁴/n) and
    /// whose mean must be 0 within 4 standard errors.
    @Test func injectedNoiseHasTheStatedLaw() throws {
        let data = syntheticMNIST()
        let (eta, sigma) = (0.1, 0.05)
        let a = Trainer(data: data, widths: smallWidths, seed: 2), b = Trainer(data: data, widths: smallWidths, seed: 2)
        _ = try a.train(TrainingConfiguration(batchSize: 32, learningRate: eta, iterations: 1), finalEvaluation: false)
        _ = try b.train(TrainingConfiguration(batchSize: 32, learningRate: eta, injectedNoise: sigma, iterations: 1), finalEvaluation: false)
        let d = zip(b.network.parameters, a.network.parameters).map { Double($0 - $1) }
        let mean = d.reduce(0, +) / Double(d.count)
        let variance = d.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d.count - 1)
        let target = eta * eta * sigma * sigma
        #expect(abs(variance - target) < 4 * target * (2 / Double(d.count)).squareRoot(), "variance \(variance) vs \(target)")
        #expect(abs(mean) < 4 * eta * sigma / Double(d.count).squareRoot())
    }
}

@Suite struct ProbeTests {
    /// Freezing batch norm at a pool's statistics makes inference mode reproduce training mode
    /// on that pool (float32 rounding of 1/√v only).
    @Test func frozenStatisticsReproduceTrainingMode() {
        let data = syntheticMNIST(train: 256)
        let net = F1Network<Float>(widths: smallWidths, seed: 4)
        data.trainImages.withUnsafeBufferPointer { x in
            let training = Array(UnsafeBufferPointer(start: net.forward(x.baseAddress!, batch: 256, training: true, updateRunningStatistics: false), count: 2560))
            let frozen = net.withStatisticsFrozen(on: x.baseAddress!, count: 256) {
                Array(UnsafeBufferPointer(start: net.forward(x.baseAddress!, batch: 256, training: false), count: 2560))
            }
            let worst = zip(training, frozen).map { abs($0 - $1) }.max()!
            #expect(worst < 1e-4, "largest logit difference \(worst)")
        }
        #expect(net.runningMean[0].allSatisfy { $0 == 0 })  // restored
    }

    /// Lanczos against LAPACK's eigenvalues of the dense Hessian of a tiny network, built
    /// column by column from the same Hessian-vector products.
    @Test func sharpnessMatchesTheDenseHessian() throws {
        let trainer = Trainer(data: syntheticMNIST(train: 64), widths: [784, 2, 10], seed: 6)
        _ = try trainer.train(TrainingConfiguration(batchSize: 16, iterations: 20), finalEvaluation: false)
        let lanczos = try trainer.sharpness(samples: 64, steps: 60, seed: 1)
        let dense: Matrix<Double> = trainer.withHessian(samples: 64, seed: 1) { n, apply in
            var h = Matrix<Double>(rows: n, columns: n)
            for j in 0..<n {
                var e = [Double](repeating: 0, count: n)
                e[j] = 1
                let column = apply(e)
                for i in 0..<n { h[i, j] = column[i] }
            }
            return 0.5 * (h + h.transposed)
        }
        let eigen = try SymmetricEigen(dense)
        let (top, bottom) = (eigen.values.last!, eigen.values.first!)
        #expect(abs(lanczos.largest - top) <= lanczos.largestResidual + 1e-6 * abs(top), "Lanczos \(lanczos.largest) ± \(lanczos.largestResidual) vs dense \(top)")
        #expect(abs(lanczos.smallest - bottom) <= lanczos.smallestResidual + 1e-6 * abs(top), "Lanczos \(lanczos.smallest) vs dense \(bottom)")
    }

    /// With the ReLU gates frozen the operator is a Hessian: symmetric (vᵀHu = uᵀHv) and linear
    /// to the O(h²) + rounding accuracy of central differences (1e-6 relative is 10⁴ times that),
    /// even with a unit planted at its kink (pre-activation 1e-9 for one sample), where plain
    /// central differences of the gradient, letting the unit switch, are far from both (checked
    /// below on the same weights, so the test has a kink to survive).
    @Test func hessianOperatorIsSymmetricAndLinear() throws {
        let trainer = Trainer(data: syntheticMNIST(), widths: smallWidths, seed: 6)
        _ = try trainer.train(TrainingConfiguration(batchSize: 32, iterations: 30), finalEvaluation: false)
        let net = trainer.network
        let batch = trainer.samples(Array(trainer.permutation(epoch: 2_000_000, seed: 1).prefix(256)))
        // plant: shift β of hidden unit 0 of layer 1 so that the first sample's y = γ x̂ + β is 1e-9
        batch.images.withUnsafeBufferPointer { x in
            net.withStatisticsFrozen(on: x.baseAddress!, count: 256) {
                _ = net.forward(x.baseAddress!, batch: 1, training: false)
                let y = net.parameters[net.gammaOffset[0]] * net.normalized[0][0] + net.parameters[net.betaOffset[0]]
                net.parameters[net.betaOffset[0]] -= y - 1e-9
            }
        }
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        func defects(_ n: Int, _ apply: ([Double]) -> [Double]) -> (asymmetry: Double, nonlinearity: Double) {
            let u = (0..<n).map { sin(Double($0) * 0.37) }, v = (0..<n).map { cos(Double($0) * 1.91 + 0.2) }
            let (hu, hv, huv) = (apply(u), apply(v), apply(zip(u, v).map(+)))
            let asymmetry = abs(dot(v, hu) - dot(u, hv)) / (dot(hu, hu).squareRoot() * dot(v, v).squareRoot())
            let defect = zip(huv, zip(hu, hv)).map { $0 - $1.0 - $1.1 }
            return (asymmetry, dot(defect, defect).squareRoot() / (dot(hu, hu).squareRoot() + dot(hv, hv).squareRoot()))
        }
        let gated = trainer.withHessian(samples: 256, seed: 1) { n, apply in defects(n, apply) }
        #expect(gated.asymmetry < 1e-6 && gated.nonlinearity < 1e-6, "\(gated)")
        // the same differences with the gates free
        let double = net.converted(to: Double.self)
        let images = batch.images.map(Double.init)
        let free = images.withUnsafeBufferPointer { x in
            batch.labels.withUnsafeBufferPointer { y in
                double.withStatisticsFrozen(on: x.baseAddress!, count: 256) {
                    // plant the kink again in double precision: float32 rounding of the first
                    // layer's sums (~1e-6 relative) would otherwise leave y as far from 0 as the
                    // difference step moves it, and whether the unit switches would depend on
                    // the OpenBLAS kernel (it did not on AMD Zen)
                    _ = double.forward(x.baseAddress!, batch: 1, training: false)
                    let planted = double.parameters[double.gammaOffset[0]] * double.normalized[0][0] + double.parameters[double.betaOffset[0]]
                    double.parameters[double.betaOffset[0]] -= planted - 1e-9
                    let w = double.parameters
                    return defects(w.count) { v in
                        let h = 1e-5 / dot(v, v).squareRoot()
                        double.parameters = zip(w, v).map { $0 + h * $1 }
                        let plus = double.meanGradient(images: x.baseAddress!, labels: y.baseAddress!, count: 256)
                        double.parameters = zip(w, v).map { $0 - h * $1 }
                        let minus = double.meanGradient(images: x.baseAddress!, labels: y.baseAddress!, count: 256)
                        return zip(plus, minus).map { ($0 - $1) / (2 * h) }
                    }
                }
            }
        }
        #expect(max(free.asymmetry, free.nonlinearity) > 1e-3, "the planted kink should break ungated differences: \(free)")
    }
}
