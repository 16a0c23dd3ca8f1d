import Foundation
import Numerics
import Testing
import TestSupport
@testable import Dynamics
@testable import Experiments
import Escape
import FiniteSums
import Persistence
import Problems

@Suite struct BatchScheduleTests {
    /// A small run: 1000 iterations (S = 200), 256 paths, constant 2 and 8, the log rule at C = 0.4, decreasing.
    static func small(threads: Int = 2) throws -> BatchScheduleResult {
        var c = BatchScheduleConfiguration.standard()
        (c.iterations, c.checkpoints, c.sgdPaths, c.sdePaths, c.sdeStep) = (1000, 10, 256, 256, 0.05)
        c.schedules = BatchScheduleConfiguration.schedules(eta: c.eta, iterations: c.iterations, small: 2, large: 8, cs: [0.4])
        return try BatchScheduleStudy.run(c, options: RunOptions(threads: threads, quiet: true))
    }

    @Test func scheduledDiffusionReadsTheIterationOfItsTime() throws {
        let problem = try BatchSizeConfiguration.standardProblem().build()
        let exact = try FiniteSumLandscape<LearningModel, Double>(problem)
        let table = TabulatedLandscape1D(exact, lower: -3.3, upper: 3.3, count: 1025, covarianceFactor: 1)
        let schedule = BatchSchedule.piecewise(boundaries: [3, 7], sizes: [8, 4, 1])
        let process = ScheduledDiffusion(table: table, eta: 0.2, schedule: schedule, samples: 4096, iterations: 10)
        // s = jη + i h for h = η/10: every substep of iteration j reads m_j, including at jη itself
        for j in 0..<10 {
            for i in 0..<10 {
                let s = Double(j) * 0.2 + Double(i) * 0.02
                #expect(process.covarianceFactor(at: s) == 1 / Double(schedule.batchSize(atStep: j)) - 1 / 4096.0)
            }
        }
        #expect(process.covarianceFactor(at: 50) == 1 - 1 / 4096.0)
        let x = -0.5, expected = (0.2 * (1 / 4.0 - 1 / 4096.0) * table.sampleCovariance(at: x)).squareRoot()
        #expect(abs(process.applyDiffusion(at: x, time: 0.9, 1) - expected) <= 1e-15)
    }

    @Test func masterEquationOfAConstantScheduleHasClosedForms() {
        let r = BatchScheduleRates(batch: 3, sharpExponent: 5, flatExponent: 9, sharpToBarrier: 20, flatToBarrier: 450, sharpToFlat: 45, flatToSharp: 900)
        let theory = BatchScheduleTheory(rates: [3: r])
        let eta = 0.2, checkpoints = [250, 1000, 5000]
        let curve = theory.curve(.constant(3), eta: eta, checkpoints: checkpoints)
        let a = 1 / 40.0, b = 1 / 900.0, lambda = 1 / 20.0
        for (c, k) in checkpoints.enumerated() {
            let s = Double(k) * eta
            #expect(abs(curve.flat[c] - a / (a + b) * (1 - exp(-(a + b) * s))) < 1e-12)
            #expect(abs(curve.reached[c] - (1 - exp(-lambda * s))) < 1e-12)
        }
        // E[T | T ≤ S] for an exponential law of rate λ
        let s = 1000.0, mean = 1 / lambda - s * exp(-lambda * s) / (1 - exp(-lambda * s))
        #expect(abs(curve.meanFirstReach - mean) < 1e-9 * mean)
    }

    @Test func meanFirstPassageWithAReflectingEnd() {
        // Brownian motion (β = 0, D = 0.3) reflected at r, first passage to t: (L² − d²)/(2D)
        // with L = |t − r|, d = |x − r|; trapezoid on 200000 cells is exact for this quadratic up to rounding
        for (r, t, x) in [(0.0, 2.0, 0.5), (1.0, -1.0, 0.2)] {
            let e = ExactMeanExitTime1D.firstPassage(from: x, to: t, reflecting: r, drift: { _ in 0 }, diffusion: { _ in 0.3 })
            let l = abs(t - r), d = abs(x - r)
            #expect(abs(e - (l * l - d * d) / 0.6) < 1e-6)
        }
        // drift towards the target at speed v (β = v σ): the time is about distance / v
        let e = ExactMeanExitTime1D.firstPassage(from: 0, to: 5, reflecting: -5, drift: { _ in 1 }, diffusion: { _ in 0.01 })
        #expect(abs(e - 5) < 1e-3)
    }

    @Test func resultDoesNotDependOnThreads() throws {
        func numbers(_ r: BatchScheduleResult) throws -> String {
            try JSONOutput.string(r.rows.map { row -> BatchScheduleRow in
                var w = row
                w.sgd?.seconds = 0
                w.sde?.seconds = 0
                return w
            })
        }
        #expect(try numbers(Self.small(threads: 1)) == numbers(Self.small(threads: 2)))
    }

    @Test func masterEquationMatchesTheSDE() throws {
        let r = try Self.small()
        // every judged checkpoint within the Bonferroni bound (two-sided 1%) of the binomial
        // standard error (every row here uses m ≥ 2, V₀/(ηc) ≥ 1.92, so all are judged)
        #expect(r.rows.allSatisfy { $0.lawApplies })
        #expect(r.sdeTheory == .pass, "\(r.rows.map { "\($0.name): \($0.sde!.maxZ)" }), bound \(r.zBound)")
        // the schedule object is the same: m at the checkpoints follows the log rule
        let log = r.rows.first { $0.name.hasPrefix("log") }!
        #expect(log.batches.last == 8 && log.batches.first! < 8)
    }

    @Test func badInputsAreOneLineErrors() throws {
        let c = BatchScheduleConfiguration.standard()
        func expectError(_ change: (inout BatchScheduleConfiguration) -> Void, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            var d = c
            change(&d)
            expectOneLineError(fragment, sourceLocation: sourceLocation) { _ = try BatchScheduleStudy.run(d, options: RunOptions(threads: 1, quiet: true)) }
        }
        expectError({ $0.eta = 0 }, "η")
        expectError({ $0.schedules = [] }, "at least one schedule")
        expectError({ $0.schedules = [NamedBatchSchedule("a", .constant(0))] }, "batch size 0")
        expectError({ $0.schedules = [NamedBatchSchedule("a", .constant(4096))] }, "M = 4096")
        expectError({ $0.schedules = [NamedBatchSchedule("a", .piecewise(boundaries: [10], sizes: [4, -1]))] }, "batch size -1")
        expectError({ $0.schedules = [NamedBatchSchedule("a", .piecewise(boundaries: [10, 5], sizes: [4, 2, 1]))] }, "increase")
        expectError({ $0.schedules = [NamedBatchSchedule("a", .logarithmic(c: 0, eta: 0.2, maximum: 8, minimum: 1))] }, "C = 0")
        expectError({ $0.schedules = [NamedBatchSchedule("a", .logarithmic(c: -1, eta: 0.2, maximum: 8, minimum: 1))] }, "need C > 0")
        expectError({ $0.schedules = [NamedBatchSchedule("a", .logarithmic(c: 1, eta: 0.2, maximum: 5000, minimum: 1))] }, "M = 4096")
        expectError({ $0.schedules = [NamedBatchSchedule("a", .logarithmic(c: 1, eta: 0.2, maximum: 2, minimum: 4))] }, "minimum")
        expectError({ $0.schedules = [NamedBatchSchedule("a", .constant(2)), NamedBatchSchedule("a", .constant(3))] }, "share a name")
        expectError({ $0.iterations = 0 }, "iterations")
        expectError({ $0.sdeStep = 0.03 }, "whole number")
        expectError({ $0.checkpoints = 0 }, "checkpoints")
        expectError({ $0.problem = LearningProblemSpec(source: .synthetic(samples: 100, features: 2, testSamples: 0, seed: 1), model: .welsch, batch: 1, intercept: false) }, "1-D")
        expectError({ $0.problem = LearningProblemSpec(source: .synthetic(samples: 200, features: 1, testSamples: 0, seed: 1), model: .leastSquares, batch: 1, intercept: false) },
                    "1 minimum")
    }
}
