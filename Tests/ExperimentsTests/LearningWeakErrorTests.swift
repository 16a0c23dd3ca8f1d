import Ensembles
import Experiments
import FiniteSums
import Foundation
import Numerics
import Testing

@Suite("Theorem 1 on learning problems")
struct LearningWeakErrorTests {
    static func configuration(batch: Int, etas: [Double], paths: Int, substeps: Int = 2, levels: [Int] = [], samples: Int = 200)
        -> LearningWeakErrorConfiguration {
        LearningWeakErrorConfiguration(
            problem: LearningProblemSpec(source: .synthetic(samples: samples, features: 20, testSamples: 200, seed: 3), model: .logistic, batch: batch),
            etas: etas, horizon: 1, paths: paths, substeps: substeps, svagLevels: levels, seed: 5)
    }

    static func scheduled(_ text: String, etas: [Double], paths: Int = 8) throws -> LearningWeakErrorConfiguration {
        var c = configuration(batch: 8, etas: etas, paths: paths)
        c.problem.schedule = try LearningBatchSchedule(parsing: text)
        return c
    }

    static func result(_ c: LearningWeakErrorConfiguration, threads: Int = 2, shard: Shard = .whole) throws -> StudyOutcome<LearningWeakErrorResult> {
        try LearningWeakErrorStudy.run(c, options: RunOptions(threads: threads, shard: shard, quiet: true), mnist: MNISTSource(download: false))
    }

    /// With m = M there is no gradient noise: SGD is gradient descent, SME-1 the gradient flow and
    /// SME-2 the modified flow −∇F − (η/2)∇²F∇F, and the weak errors are the deterministic
    /// backward-error-analysis orders 1 and 2, exactly (every path is the same; the fit is exact
    /// to rounding). A wrong Hessian-vector product or a wrong drift shows as order 1 for SME-2.
    @Test func noiselessRunHasTheOrdersOfBackwardErrorAnalysis() throws {
        guard case .complete(let r) = try Self.result(Self.configuration(batch: 200, etas: [0.5, 0.25, 0.125, 0.0625], paths: 8)) else {
            Issue.record("expected a complete result")
            return
        }
        for fit in r.fits where fit.observable == "train-loss" {
            let slope = try #require(fit.slope)
            #expect(abs(slope - fit.theory) < 0.1, "SME-\(fit.approximation): order \(slope)")
            #expect(fit.verdict == .pass)
        }
    }

    /// SVAG at level l is l× as many steps of η/l with noise amplified to the same SDE; its
    /// distance to the exact SME-1 falls as 1/l (Li, Malladi & Arora 2021). Measured on
    /// |x − x₀|² at η = 0.5 over l = 1 (SGD), 2, 4, 8 with 4096 paths: the weighted fit's 95%
    /// interval (from the Monte Carlo standard errors) must contain −1 and exclude 0.
    @Test func svagGapShrinksLikeOneOverL() throws {
        guard case .complete(let r) = try Self.result(Self.configuration(batch: 8, etas: [0.5], paths: 4096, substeps: 4, levels: [2, 4, 8])) else {
            Issue.record("expected a complete result")
            return
        }
        let fit = try #require(r.svagFits.first { $0.observable == "distance" })
        let interval = try #require(fit.interval)
        #expect(interval[0] <= -1 && -1 <= interval[1], "SVAG gap slope \(String(describing: fit.slope)), interval \(interval)")
        #expect(interval[1] < 0)
    }

    /// A result is a pure function of configuration and seed: one thread or two, whole or two
    /// shards merged, the tallies (and so every estimate) are bitwise the same.
    @Test func threadsAndShardsDoNotChangeTheResult() throws {
        let c = Self.configuration(batch: 8, etas: [0.2], paths: 130, levels: [2, 4])
        guard case .complete(let two) = try Self.result(c, threads: 2), case .complete(let one) = try Self.result(c, threads: 1) else {
            Issue.record("expected complete results")
            return
        }
        #expect(two.rows == one.rows)
        var partials: [PartialResult] = []
        for i in 1...2 {
            guard case .partial(let p) = try Self.result(c, threads: 1, shard: try Shard(parsing: "\(i)/2")) else {
                Issue.record("expected a partial result")
                return
            }
            partials.append(p)
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("learning-merge-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let merged = try Studies.merge(partials, output: out, threads: 1)
        #expect((merged.result as? LearningWeakErrorResult)?.rows == two.rows)
    }

    @Test func badConfigurationsAreRefusedWithTheirReason() throws {
        let cases: [(LearningWeakErrorConfiguration, String)] = try [
            (Self.configuration(batch: 0, etas: [0.1], paths: 8), "batch size 0 must lie in 1…M"),
            (Self.configuration(batch: 201, etas: [0.1], paths: 8), "batch size 201 must lie in 1…M = 200"),
            (Self.configuration(batch: 8, etas: [], paths: 8), "--etas needs at least one step size"),
            (Self.configuration(batch: 8, etas: [0.1], paths: 1), "--paths must be at least 2"),
            (Self.configuration(batch: 8, etas: [1e-300], paths: 8), "the limit is 10⁶"),
            (Self.configuration(batch: 8, etas: [0.3], paths: 8), "T/η must be a whole number"),
            (Self.configuration(batch: 8, etas: [1e308], paths: 8), "T/η must be a whole number"),
            (Self.configuration(batch: 8, etas: [0.1], paths: 8, substeps: 2, levels: [3]), "SVAG level 3 must be at least 2 and divide 2r = 4"),
            (Self.scheduled("8,64@0.25", etas: [0.1]), "the change at s = 0.25 is not a whole number of SGD steps at η = 0.1"),
            (Self.scheduled("8,201@0.5", etas: [0.1]), "batch size 201 exceeds the training set's size M = 200"),
            (Self.scheduled("log:0.1,300,4", etas: [0.1]), "batch size 300 exceeds the training set's size M = 200"),
        ]
        for (c, message) in cases {
            do {
                _ = try Self.result(c)
                Issue.record("\(message): accepted")
            } catch {
                #expect("\(error)".contains(message), "\(error)")
            }
        }
    }

    /// A schedule in time s is one process at every η: "8,64@0.5" is m = 8 for the first 5
    /// steps at η = 0.1 and the first 10 at η = 0.05; the log rule keeps its η.
    @Test func aScheduleInTimeBecomesTheIterationScheduleOfEachEta() throws {
        let piecewise = try LearningBatchSchedule(parsing: "16, 64@0.5 ,256@2")
        #expect(piecewise == .piecewise(starts: [0, 0.5, 2], sizes: [16, 64, 256]))
        #expect(try piecewise.schedule(eta: 0.1) == .piecewise(boundaries: [5, 20], sizes: [16, 64, 256]))
        #expect(try piecewise.schedule(eta: 0.05) == .piecewise(boundaries: [10, 40], sizes: [16, 64, 256]))
        #expect("\(piecewise)" == "16 → 64 at s = 0.5 → 256 at s = 2")
        #expect(try LearningBatchSchedule(parsing: "32").schedule(eta: 0.3) == .constant(32))
        let log = try LearningBatchSchedule(parsing: "log:0.2,512,8")
        #expect(try log.schedule(eta: 0.1) == .logarithmic(c: 0.2, eta: 0.1, maximum: 512, minimum: 8))
        #expect((log.smallest, log.largest, piecewise.smallest, piecewise.largest) == (8, 512, 16, 256))
        let bad: [(String, String)] = [("", "empty"), ("0", "'0' is not a batch size ≥ 1"), ("8@1", "takes no @time"), ("8,16", "needs the time it starts at"),
                                       ("8,16@0", "must be finite and increase from 0"), ("8,16@2,32@1", "must be finite and increase"),
                                       ("8,16@nan", "must be finite"), ("log:0.2", "expected log:C,m*"), ("log:-1,64", "C must be a positive number"),
                                       ("log:0.1,8,64", "the minimum 64 exceeds m* = 8"), ("8,x@1", "'x' is not a batch size")]
        for (text, message) in bad {
            #expect(throws: LearningBatchSchedule.Failure.self, "\(text)") { try LearningBatchSchedule(parsing: text) }
            do { _ = try LearningBatchSchedule(parsing: text) } catch { #expect("\(error)".contains(message), "\(text): \(error)") }
        }
    }

    /// The schedule reaches the study: with m = M from s = 0.5 on, SGD is gradient descent after
    /// step 5 and the SDE's noise vanishes, so the result differs from the constant batch 8 and
    /// the spread of SGD's final loss over paths comes only from the first five steps.
    @Test func aScheduleChangesTheRun() throws {
        let constant = Self.configuration(batch: 8, etas: [0.1], paths: 64)
        let growing = try Self.scheduled("8,200@0.5", etas: [0.1], paths: 64)
        guard case .complete(let a) = try Self.result(constant), case .complete(let b) = try Self.result(growing) else {
            Issue.record("expected complete results")
            return
        }
        #expect(a.rows != b.rows)
        #expect(b.configuration.problem.schedule == growing.problem.schedule)
    }
}
