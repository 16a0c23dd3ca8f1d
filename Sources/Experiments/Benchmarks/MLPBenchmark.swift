import Foundation
import NeuralNets
import Numerics

/// Training throughput of the F1 network, measured like the peers' `mlp_bench.py`: a fresh
/// model per configuration, warm-up steps, then timed windows of at least `seconds` each.
public enum MLPBenchmark {
    public struct Measurement: Sendable, Codable {
        public var batch: Int
        public var optimizer: String
        /// Samples per second of each timed window.
        public var samplesPerSecond: [Double]
        public var median: Double
        public var blasKernel: String
        public var warmupSteps: Int
        public var warmupSeconds: Double
        public var threads: Int
        public var version: String
    }

    public static func run(data: MNIST, batches: [Int], optimizers: [String], seconds: Double, windows: Int, warmup: Int = 10) throws -> [Measurement] {
        var out: [Measurement] = []
        for batch in batches {
            for optimizer in optimizers {
                let trainer = Trainer(data: data, seed: 0)
                let momentum = optimizer == "momentum" ? 0.9 : 0
                let warm = try trainer.train(TrainingConfiguration(batchSize: batch, momentum: momentum, iterations: warmup, recordEvery: warmup),
                                             finalEvaluation: false)
                // each window: enough steps for `seconds` at the warm-up rate, timed by the
                // trainer (data gathering, forward, backward and update; no evaluation)
                let steps = max(5, Int(seconds * warm.samplesPerSecond / Double(batch)))
                var rates: [Double] = []
                for w in 0..<windows {
                    let record = try trainer.train(TrainingConfiguration(batchSize: batch, momentum: momentum, iterations: steps, seed: UInt64(w + 1),
                                                                         recordEvery: steps), start: NetworkState(trainer.network), finalEvaluation: false)
                    rates.append(record.samplesPerSecond)
                }
                out.append(Measurement(batch: batch, optimizer: optimizer, samplesPerSecond: rates, median: rates.sorted()[rates.count / 2],
                                       blasKernel: BLASRuntime.coreName, warmupSteps: warmup, warmupSeconds: warm.trainingSeconds,
                                       threads: ProcessInfo.processInfo.activeProcessorCount, version: SoftwareInfo.currentVersion))
            }
        }
        return out
    }
}
