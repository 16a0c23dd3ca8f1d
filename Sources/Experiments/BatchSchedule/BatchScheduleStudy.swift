import Dynamics
import Ensembles
import Escape
import FiniteSums
import Foundation
import Numerics
import Persistence
import Problems
import Randomness

/// §5's batch-size schedules on the two-basin finite sum of the batch-size study. Per schedule,
/// from the sharp minimum over K iterations: SGD on the data (`OneFeatureSGD`, the generic
/// iteration bit for bit) and its SDE on the table with c(s) = 1/m(s) − 1/M, both driven by the
/// same `BatchSchedule`; beside them the two-state master equation with the exact transition
/// times at each m (`BatchScheduleTheory`).
public enum BatchScheduleStudy {
    public static let experiment = "batch-schedule"

    public static func run(_ c: BatchScheduleConfiguration, options: RunOptions, mnist: MNISTSource = MNISTSource(download: false)) throws -> BatchScheduleResult {
        try c.validate()
        guard options.shard == .whole else { throw BatchScheduleError.invalid("--shard", "batch-schedule runs whole") }
        let started = Date()
        let setup: TwoBasinProblem
        do {
            setup = try TwoBasinProblem(c.problem, scan: c.scan, tableNodes: c.tableNodes, study: "batch-schedule", mnist: mnist,
                                        invalid: { BatchScheduleError.invalid($0, $1) }) { total in
                for s in c.schedules { try BatchScheduleConfiguration.check(s, samples: total) }
            }
        } catch let e as BatchSizeError { throw BatchScheduleError.invalid("landscape", "\(e)") }
        let (problem, table, land) = (setup.problem, setup.table, setup.landscape)
        let total = problem.count

        let checkpoints = (1...c.checkpoints).map { ($0 * c.iterations) / c.checkpoints }
        var used = Set<Int>()
        for s in c.schedules { for k in 0..<c.iterations { used.insert(s.schedule.batchSize(atStep: k)) } }
        for m in used {
            let exponent = land.flat.quasiPotential / (c.eta * (1 / Double(m) - 1 / Double(total)))
            guard exponent <= 600 else {
                throw BatchScheduleError.invalid("batch size", "\(m): the flat minimum's escape exponent V₀/(η(1/m − 1/M)) = \(String(format: "%.4g", exponent)) overflows E T; use smaller m or larger η")
            }
        }
        let theory = BatchScheduleTheory(rates: BatchScheduleTheory.rates(for: used, basins: land, table: table, eta: c.eta, samples: total))
        let runner = try options.runner(experiment: experiment, fingerprint: try fingerprint(c))
        let flatSide: Double = land.flat.minimum > land.sharp.barrier ? 1 : -1
        let loss: @Sendable (Double) -> Double = { table.value(at: $0) }

        var rows: [BatchScheduleRow] = []
        for (index, named) in c.schedules.enumerated() {
            let curve = theory.curve(named.schedule, eta: c.eta, checkpoints: checkpoints)
            let last = named.schedule.batchSize(atStep: c.iterations - 1)
            let sizes = Set((0..<c.iterations).map { named.schedule.batchSize(atStep: $0) })
            let minimumExponent = sizes.map { theory.rates[$0]!.sharpExponent }.min()!
            var row = BatchScheduleRow(name: named.name, schedule: named.schedule.description,
                                       batches: checkpoints.map { named.schedule.batchSize(atStep: $0 - 1) }, theory: curve,
                                       theoryFinalLoss: BatchScheduleTheory.finalLoss(flat: curve.flat.last!, basins: land, eta: c.eta,
                                                                                       factor: 1 / Double(last) - 1 / Double(total)),
                                       minimumSharpExponent: minimumExponent, lawApplies: minimumExponent >= BatchScheduleAnalysis.minimumExponent)
            func measure<I: HorizonIteration>(_ method: String, _ iteration: I, paths: Int) throws -> BatchScheduleMeasurement? {
                guard paths > 0 else { return nil }
                let ensemble = BatchSchedulePaths(iteration: iteration, start: land.sharp.minimum, eta: c.eta, checkpoints: checkpoints,
                                                  barrier: land.sharp.barrier, flatSide: flatSide, loss: loss,
                                                  sharpValue: land.sharp.value, flatValue: land.flat.value)
                let t0 = Date()
                let progress = try runner.run(task: "\(method)/\(index)", plan: try EnsemblePlan(paths: paths, blockSize: 64), emptyTally: ensemble.emptyTally,
                                              work: 1, unit: "paths") { ensemble.simulate(paths: $0) }
                try ExperimentInterrupted.check(experiment, [progress])
                return BatchScheduleAnalysis.measurement(progress.tally, checkpoints: checkpoints.count, theory: curve, paths: paths,
                                                         seconds: Date().timeIntervalSince(t0))
            }
            let sgdProblem = try FiniteSumProblem(model: problem.model, data: problem.data, l2: problem.l2, batchSchedule: named.schedule)
            let sgd = try OneFeatureSGD(sgdProblem, eta: c.eta, seed: seed(c, index, 1))
            row.sgd = try measure("sgd", SGDIteration(sgd: sgd), paths: c.sgdPaths)
            let process = ScheduledDiffusion(table: table, eta: c.eta, schedule: named.schedule, samples: total, iterations: c.iterations)
            row.sde = try measure("sde", SDEIteration(process: process, step: c.sdeStep, substeps: c.substeps,
                                                      normals: GaussianStream(seed: seed(c, index, 2), stream: .driving, method: c.normals ?? .standard)),
                                  paths: c.sdePaths)
            rows.append(row)
        }
        return BatchScheduleAnalysis.result(c, problem: c.problem.summaryWithoutBatch, samples: total,
                                            landscape: land, rates: used.sorted().map { theory.rates[$0]! }, rows: rows, threads: options.threads,
                                            wallSeconds: Date().timeIntervalSince(started))
    }

    static func seed(_ c: BatchScheduleConfiguration, _ schedule: Int, _ purpose: UInt64) -> UInt64 {
        c.seed &+ (UInt64(schedule) &* 1_000_003 &+ purpose &+ 0xB5C4) &* 0x9E37_79B9_7F4A_7C15
    }
}
