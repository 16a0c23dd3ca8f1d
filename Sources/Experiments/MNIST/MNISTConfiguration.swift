import Foundation
import NeuralNets

/// The §6 experiment: the F1 network on MNIST, trained by SGD at several batch sizes, with and
/// without momentum and injected noise (Figs 1–4), warm-started from the best small- and
/// large-batch weights (Figs 5–6), with the gradient-noise scale tr(Σ₀)/m and the sharpness
/// (top Hessian eigenvalue) measured along the way.
public struct MNISTConfiguration: Sendable, Codable, Equatable {
    /// Use only the first `trainSubset` training examples (nil: all 60 000); the test set is
    /// always complete.
    public var trainSubset: Int?
    public var learningRate: Double
    /// The paper's σ of the noise-injected large-batch runs.
    public var injectedNoise: Double
    public var momenta: [Double]
    /// Batch sizes of Figs 3–4 (Figs 1–2 use the smallest and the largest).
    public var batchSizes: [Int]
    /// Iterations of every sweep run ("the same number of iterations", Figs 3–4).
    public var iterations: Int
    /// Iteration at which an extra sweep run per momentum switches from the small to the large
    /// batch (§5: small batches early, large ones late); nil for none.
    public var scheduleSwitch: Int?
    /// Independent seeds per sweep configuration (error bars across seeds when > 1).
    public var replicates: Int
    public var recordEvery: Int
    /// Gradient-noise scale measurements per sweep run, evenly spaced (plus one at iteration 0).
    public var noiseScaleMeasurements: Int
    public var smallBatch: Int
    public var largeBatch: Int
    /// Epochs of the anchor runs whose best-test-accuracy weights seed Figs 5–6.
    public var smallAnchorEpochs: Int
    public var largeAnchorEpochs: Int
    /// Epochs of each warm-started run.
    public var warmStartEpochs: Int
    /// Training examples and Lanczos steps of each sharpness measurement.
    public var sharpnessSamples: Int
    public var sharpnessSteps: Int
    public var seed: UInt64

    public static func quick(seed: UInt64 = 1) -> MNISTConfiguration {
        MNISTConfiguration(trainSubset: 12_000, learningRate: 0.1, injectedNoise: 0.00054, momenta: [0, 0.9], batchSizes: [128, 2048],
                           iterations: 150, scheduleSwitch: 75, replicates: 1, recordEvery: 5, noiseScaleMeasurements: 1, smallBatch: 128, largeBatch: 2048,
                           smallAnchorEpochs: 4, largeAnchorEpochs: 15, warmStartEpochs: 2, sharpnessSamples: 1024, sharpnessSteps: 10, seed: seed)
    }

    public static func paper(seed: UInt64 = 1) -> MNISTConfiguration {
        MNISTConfiguration(trainSubset: nil, learningRate: 0.1, injectedNoise: 0.00054, momenta: [0, 0.9], batchSizes: [128, 256, 512, 1024, 2048],
                           iterations: 2000, scheduleSwitch: 1000, replicates: 3, recordEvery: 10, noiseScaleMeasurements: 4, smallBatch: 128, largeBatch: 2048,
                           smallAnchorEpochs: 20, largeAnchorEpochs: 60, warmStartEpochs: 10, sharpnessSamples: 2048, sharpnessSteps: 20, seed: seed)
    }

    public func validate(trainingSamples available: Int) throws {
        func fail(_ what: String, _ why: String) -> TrainingConfiguration.Failure { .invalid(what, why) }
        let n = min(trainSubset ?? available, available)
        if let trainSubset, trainSubset < 2 * largeBatch { throw fail("training subset", "\(trainSubset) examples cannot hold two batches of \(largeBatch)") }
        guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 >= 2 && $0 <= n }) else { throw fail("batch sizes", "\(batchSizes) (each in 2...\(n))") }
        guard smallBatch >= 2, largeBatch > smallBatch, largeBatch <= n else { throw fail("anchor batch sizes", "small \(smallBatch), large \(largeBatch) (need 2 <= small < large <= \(n))") }
        guard !momenta.isEmpty, momenta.allSatisfy({ $0 >= 0 && $0 < 1 }) else { throw fail("momenta", "\(momenta) (each in [0, 1))") }
        guard learningRate > 0, learningRate.isFinite else { throw fail("learning rate", "\(learningRate)") }
        guard injectedNoise >= 0, injectedNoise.isFinite else { throw fail("injected noise σ", "\(injectedNoise)") }
        guard iterations >= 1, replicates >= 1, recordEvery >= 1, noiseScaleMeasurements >= 0 else {
            throw fail("counts", "iterations \(iterations), replicates \(replicates), record interval \(recordEvery), noise-scale measurements \(noiseScaleMeasurements) (need positive)")
        }
        if let scheduleSwitch, !(1..<iterations).contains(scheduleSwitch) {
            throw fail("schedule switch", "iteration \(scheduleSwitch) (must lie in 1..<\(iterations))")
        }
        guard smallAnchorEpochs >= 1, largeAnchorEpochs >= 1, warmStartEpochs >= 1 else { throw fail("epochs", "anchor and warm-start epochs must be at least 1") }
        guard sharpnessSamples >= 1, sharpnessSteps >= 2 else { throw fail("sharpness", "\(sharpnessSamples) samples, \(sharpnessSteps) Lanczos steps (need >= 1, >= 2)") }
    }
}
