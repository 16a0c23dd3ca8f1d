import Foundation
import Numerics
import Problems
import Randomness
import Persistence

/// One SGD training run of the F1 network (paper §6): batch size (possibly scheduled), learning
/// rate, heavy-ball momentum and the noise-injected update x ← x - η(ĝ + ε), ε ~ N(0, σ²I).
public struct TrainingConfiguration: Sendable, Equatable, Codable {
    public var batchSchedule: BatchSchedule
    public var learningRate: Double
    public var momentum: Double
    public var injectedNoise: Double
    public var iterations: Int
    public var seed: UInt64
    /// Record ‖w - w₀‖ and the training loss every this many iterations.
    public var recordEvery: Int
    /// Test accuracy every this many iterations (nil: only at the end).
    public var evaluateEvery: Int?
    /// Gradient-noise scale every this many iterations (nil: never).
    public var noiseScaleEvery: Int?
    /// Checkpoint every this many iterations (nil: one epoch's worth).
    public var checkpointEvery: Int?
    /// Keep the weights of the best test accuracy among the evaluations (`Trainer.bestState`).
    public var keepBestTestState = false

    public init(batchSize: Int, learningRate: Double = 0.1, momentum: Double = 0, injectedNoise: Double = 0, iterations: Int,
                seed: UInt64 = 1, recordEvery: Int = 10, evaluateEvery: Int? = nil, noiseScaleEvery: Int? = nil, checkpointEvery: Int? = nil) {
        batchSchedule = .constant(batchSize)
        self.learningRate = learningRate
        self.momentum = momentum
        self.injectedNoise = injectedNoise
        self.iterations = iterations
        self.seed = seed
        self.recordEvery = recordEvery
        self.evaluateEvery = evaluateEvery
        self.noiseScaleEvery = noiseScaleEvery
        self.checkpointEvery = checkpointEvery
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case invalid(String, String)
        public var description: String {
            switch self { case .invalid(let what, let why): return "invalid \(what): \(why)" }
        }
    }

    public func validate(trainingSamples: Int) throws {
        do { try batchSchedule.validate(datasetSize: trainingSamples) } catch { throw Failure.invalid("batch size", "\(error)") }
        guard learningRate > 0, learningRate.isFinite else { throw Failure.invalid("learning rate η", "\(learningRate) (must be positive)") }
        guard momentum >= 0, momentum < 1 else { throw Failure.invalid("momentum ρ", "\(momentum) (need 0 <= ρ < 1)") }
        guard injectedNoise >= 0, injectedNoise.isFinite else { throw Failure.invalid("injected noise σ", "\(injectedNoise) (must be >= 0)") }
        guard iterations >= 1 else { throw Failure.invalid("iterations", "\(iterations) (must be at least 1)") }
        guard recordEvery >= 1 else { throw Failure.invalid("record interval", "\(recordEvery) (must be at least 1)") }
        for (name, value) in [("evaluation interval", evaluateEvery), ("noise-scale interval", noiseScaleEvery), ("checkpoint interval", checkpointEvery)] {
            if let value, value < 1 { throw Failure.invalid(name, "\(value) (must be at least 1)") }
        }
        guard !keepBestTestState || evaluateEvery != nil else { throw Failure.invalid("best-state tracking", "needs an evaluation interval") }
    }
}

/// Weights and batch-norm statistics: what a warm start copies.
public struct NetworkState: Sendable, Equatable, Codable {
    public var widths: [Int]
    public var parameters: [Float]
    public var runningMean: [[Float]]
    public var runningVariance: [[Float]]

    public init(_ network: F1Network<Float>) {
        widths = network.widths
        parameters = network.parameters
        runningMean = network.runningMean
        runningVariance = network.runningVariance
    }

    public func restore(into network: F1Network<Float>) {
        precondition(network.widths == widths, "state of a different architecture")
        network.parameters = parameters
        network.runningMean = runningMean
        network.runningVariance = runningVariance
    }
}

/// What a run measured along the way and at the end.
public struct TrainingRecord: Sendable, Equatable, Codable {
    public var iterations: [Int] = []
    public var distance: [Double] = []
    public var loss: [Double] = []
    public var evaluations: [Evaluation] = []
    public var noiseScale: [NoiseScale] = []
    public var finalTrainAccuracy: Double?
    public var finalTestAccuracy: Double?
    public var bestTestAccuracy: Double?
    public var trainingSeconds: Double = 0
    public var samples: Int = 0
    public var diverged = false

    public struct Evaluation: Sendable, Equatable, Codable {
        public var iteration: Int
        public var epoch: Double
        public var testAccuracy: Double
    }

    /// tr Σ₀ of the per-sample gradients and the diffusion strength tr(Σ₀)/m at the run's batch
    /// size (paper §3.2, Proposition 1).
    public struct NoiseScale: Sendable, Equatable, Codable {
        public var iteration: Int
        public var traceSigma0: Double
        public var traceSigma0StandardError: Double
        public var batchSize: Int
        public var perBatch: Double
    }

    public var samplesPerSecond: Double { trainingSeconds > 0 ? Double(samples) / trainingSeconds : 0 }
}

/// A run stopped by its `shouldContinue`; the checkpoint holds its state.
public struct TrainingInterrupted: Error, CustomStringConvertible {
    public var iteration: Int
    public var iterations: Int
    public var description: String { "training interrupted at iteration \(iteration) of \(iterations); rerun the same command to resume" }
}
