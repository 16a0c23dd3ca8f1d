import Ensembles
import Foundation
import NeuralNets
import Numerics
import Problems
import Report

/// One training run of the study and what was measured at its end.
public struct MNISTRun: Sendable, Codable, Equatable {
    public enum Role: String, Sendable, Codable { case sweep, anchor, warmStart = "warm-start" }
    public var name: String
    public var role: Role
    public var batchSize: Int
    /// The batch-size schedule when it is not constant (then `batchSize` is its first size).
    public var schedule: BatchSchedule?
    public var momentum: Double
    public var injectedNoise: Double
    public var seed: UInt64
    public var iterations: Int
    /// The anchor whose best weights this run starts from (warm starts).
    public var start: String?
    public var record: TrainingRecord
    public var sharpness: Lanczos.Result?
    public var seconds: Double
}

public struct MNISTRunPlan: Sendable, Equatable {
    public var name: String
    public var role: MNISTRun.Role
    public var training: TrainingConfiguration
    public var start: String?
    public var measureSharpness: Bool
    public var batchSize: Int { training.batchSchedule.batchSize(atStep: 0) }
    public var samples: Int { (0..<training.iterations).reduce(0) { $0 + training.batchSchedule.batchSize(atStep: $1) } }
}

/// Runs the study: every run is checkpointed each epoch and its result kept in
/// DIR/runs/<name>.json once done, so a killed study resumes where it stopped.
public enum MNISTStudy {
    public static let experiment = "mnist"
    /// Bumped when what is measured after a run changes (2: sharpness with frozen ReLU gates).
    static let measurementVersion = 2

    public struct Interrupted: Error, CustomStringConvertible {
        public var run: String
        public var cause: TrainingInterrupted
        public var description: String { "mnist interrupted in run \(run) (\(cause)); progress is checkpointed, rerun the same command to resume" }
    }

    static func fileName(_ run: String) -> String { run.replacingOccurrences(of: "/", with: "_") }

    public static func plan(_ c: MNISTConfiguration, trainCount n: Int) -> [MNISTRunPlan] {
        var plans: [MNISTRunPlan] = []
        let noiseEvery = c.noiseScaleMeasurements > 0 ? max(1, c.iterations / c.noiseScaleMeasurements) : nil
        for rho in c.momenta {
            for r in 0..<c.replicates {
                let seed = c.seed &+ UInt64(r)
                var configurations = c.batchSizes.map { ($0, 0.0) }
                if c.injectedNoise > 0 { configurations.append((c.largeBatch, c.injectedNoise)) }
                for (b, sigma) in configurations {
                    var t = TrainingConfiguration(batchSize: b, learningRate: c.learningRate, momentum: rho, injectedNoise: sigma,
                                                  iterations: c.iterations, seed: seed, recordEvery: c.recordEvery, noiseScaleEvery: noiseEvery)
                    t.checkpointEvery = max(1, n / b)
                    let name = "sweep/rho\(rho)/b\(b)" + (sigma > 0 ? "/noise\(sigma)" : "") + "/seed\(seed)"
                    plans.append(MNISTRunPlan(name: name, role: .sweep, training: t, measureSharpness: true))
                }
                if let k = c.scheduleSwitch {
                    var t = TrainingConfiguration(batchSize: c.smallBatch, learningRate: c.learningRate, momentum: rho, iterations: c.iterations,
                                                  seed: seed, recordEvery: c.recordEvery, noiseScaleEvery: noiseEvery)
                    t.batchSchedule = .piecewise(boundaries: [k], sizes: [c.smallBatch, c.largeBatch])
                    t.checkpointEvery = max(1, n / c.largeBatch)
                    plans.append(MNISTRunPlan(name: "sweep/rho\(rho)/schedule\(t.batchSchedule)/seed\(seed)", role: .sweep, training: t, measureSharpness: true))
                }
            }
        }
        for (label, b, epochs) in [("small", c.smallBatch, c.smallAnchorEpochs), ("large", c.largeBatch, c.largeAnchorEpochs)] {
            let perEpoch = n / b
            var t = TrainingConfiguration(batchSize: b, learningRate: c.learningRate, iterations: epochs * perEpoch, seed: c.seed,
                                          recordEvery: c.recordEvery, evaluateEvery: perEpoch)
            t.keepBestTestState = true
            plans.append(MNISTRunPlan(name: "anchor/\(label)", role: .anchor, training: t, measureSharpness: true))
        }
        for anchor in ["small", "large"] {
            for b in [c.smallBatch, c.largeBatch] {
                let perEpoch = n / b
                let t = TrainingConfiguration(batchSize: b, learningRate: c.learningRate, iterations: c.warmStartEpochs * perEpoch,
                                              seed: c.seed &+ 1000, recordEvery: c.recordEvery, evaluateEvery: perEpoch)
                plans.append(MNISTRunPlan(name: "warm/\(anchor)/b\(b)", role: .warmStart, training: t, start: "anchor/\(anchor)", measureSharpness: true))
            }
        }
        return plans
    }

    public static func run(_ c: MNISTConfiguration, data full: MNIST, dataDirectory: String, directory: URL, options: RunOptions,
                           log: (String) -> Void = { _ in }) throws -> MNISTResult {
        let (runs, info) = try train(c, data: full, dataDirectory: dataDirectory, directory: directory, options: options, only: nil, log: log)
        return MNISTResult(configuration: c, software: .current(threads: ProcessInfo.processInfo.activeProcessorCount), data: info, runs: runs)
    }

    /// Trains the runs of `options.shard` only (see `MNISTShards`) and returns them as a partial
    /// result for `MNISTShards.merge`.
    public static func runShard(_ c: MNISTConfiguration, data full: MNIST, dataDirectory: String, directory: URL, options: RunOptions,
                                log: (String) -> Void = { _ in }) throws -> MNISTPartial {
        try c.validate(trainingSamples: full.trainCount)
        let n = c.trainSubset.map { min($0, full.trainCount) } ?? full.trainCount
        let mine = Set(MNISTShards.runs(of: plan(c, trainCount: n), shard: options.shard).map(\.name))
        let (runs, info) = try train(c, data: full, dataDirectory: dataDirectory, directory: directory, options: options, only: mine, log: log)
        return MNISTPartial(fingerprint: try MNISTShards.fingerprint(c), configuration: c, shard: options.shard, data: info, runs: runs)
    }

    /// The runs of the plan (those named in `only`, if given), each trained or loaded from a
    /// finished run kept in DIR/runs.
    static func train(_ c: MNISTConfiguration, data full: MNIST, dataDirectory: String, directory: URL, options: RunOptions, only: Set<String>?,
                      log: (String) -> Void) throws -> ([MNISTRun], MNISTResult.DataInfo) {
        try c.validate(trainingSamples: full.trainCount)
        let data = c.trainSubset.map { full.subset(train: $0, test: full.testCount) } ?? full
        let plans = plan(c, trainCount: data.trainCount).filter { only?.contains($0.name) ?? true }
        let runsDirectory = directory.appendingPathComponent("runs")
        // stored runs are reused only if both the configuration and the way runs are measured match
        struct Key: Encodable { var configuration: MNISTConfiguration; var measurement: Int }
        // A replicate's runs do not depend on how many replicates there are (seed r is seed + r), so
        // the count is left out: raising --replicates reuses the seeds already trained.
        var keyed = c
        keyed.replicates = 1
        let key = try fingerprint(Key(configuration: keyed, measurement: measurementVersion))
        if options.restart { try? FileManager.default.removeItem(at: runsDirectory) }
        try FileManager.default.createDirectory(at: runsDirectory, withIntermediateDirectories: true)

        struct Stored: Codable { var fingerprint: String; var run: MNISTRun }
        func resultURL(_ p: MNISTRunPlan) -> URL { runsDirectory.appendingPathComponent(fileName(p.name) + ".json") }
        func stateURL(_ name: String) -> URL { runsDirectory.appendingPathComponent(fileName(name) + ".best.ckpt") }
        func load(_ p: MNISTRunPlan) -> MNISTRun? {
            guard let data = try? Data(contentsOf: resultURL(p)), let s = try? JSONOutput.decoder().decode(Stored.self, from: data),
                  s.fingerprint == key else { return nil }
            return s.run
        }

        let progress = ProgressReporter(quiet: options.quiet)
        let remaining = plans.filter { load($0) == nil }
        progress.begin("mnist \(plans.count - remaining.count)/\(plans.count) runs done", total: Double(remaining.reduce(0) { $0 + $1.samples }), unit: "samples")
        defer { progress.end() }
        let trainer = Trainer(data: data, seed: c.seed)
        var runs: [MNISTRun] = []
        for (index, p) in plans.enumerated() {
            if let done = load(p) {
                runs.append(done)
                continue
            }
            log("[mnist] \(index + 1)/\(plans.count) \(p.name)")
            var start: NetworkState?
            if let anchor = p.start {
                guard let saved = try NetworkState.read(from: stateURL(anchor)) else {
                    throw ValidationFailure("the best weights of \(anchor) are missing from \(runsDirectory.path); rerun with --restart")
                }
                start = saved
            }
            let t0 = Date()
            let record: TrainingRecord
            do {
                record = try trainer.train(p.training, start: start, checkpoint: runsDirectory.appendingPathComponent(fileName(p.name) + ".ckpt"),
                                           shouldContinue: options.shouldContinue) { k in
                    progress.advance(by: Double(p.training.batchSchedule.batchSize(atStep: k - 1)))
                }
            } catch let interrupted as TrainingInterrupted {
                throw Interrupted(run: p.name, cause: interrupted)
            }
            if record.diverged { throw ValidationFailure("run \(p.name) diverged (non-finite loss or weights) after \(record.samples) samples; lower the learning rate") }
            if p.role == .anchor, let best = trainer.bestState {
                // the warm starts begin here, so the sharpness is measured here too
                try best.write(to: stateURL(p.name))
                best.restore(into: trainer.network)
            }
            let sharpness = p.measureSharpness ? try trainer.sharpness(samples: c.sharpnessSamples, steps: c.sharpnessSteps, seed: c.seed) : nil
            let schedule: BatchSchedule? = if case .constant = p.training.batchSchedule { nil } else { p.training.batchSchedule }
            let run = MNISTRun(name: p.name, role: p.role, batchSize: p.batchSize, schedule: schedule, momentum: p.training.momentum, injectedNoise: p.training.injectedNoise,
                               seed: p.training.seed, iterations: p.training.iterations, start: p.start, record: record, sharpness: sharpness,
                               seconds: Date().timeIntervalSince(t0))
            try AtomicFile.write(try JSONOutput.encode(Stored(fingerprint: key, run: run)), to: resultURL(p))
            try? FileManager.default.removeItem(at: runsDirectory.appendingPathComponent(fileName(p.name) + ".ckpt"))
            runs.append(run)
        }
        return (runs, .init(directory: dataDirectory, trainCount: data.trainCount, testCount: data.testCount, parameterCount: trainer.network.parameterCount))
    }
}
