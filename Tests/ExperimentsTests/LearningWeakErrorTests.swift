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
        let cases: [(LearningWeakErrorConfiguration, String)] = [
            (Self.configuration(batch: 0, etas: [0.1], paths: 8), "batch size 0 must lie in 1…M"),
            (Self.configuration(batch: 201, etas: [0.1], paths: 8), "batch size 201 must lie in 1…M = 200"),
            (Self.configuration(batch: 8, etas: [], paths: 8), "--etas needs at least one step size"),
            (Self.configuration(batch: 8, etas: [0.1], paths: 1), "--paths must be at least 2"),
            (Self.configuration(batch: 8, etas: [1e-300], paths: 8), "the limit is 10⁶"),
            (Self.configuration(batch: 8, etas: [0.3], paths: 8), "T/η must be a whole number"),
            (Self.configuration(batch: 8, etas: [1e308], paths: 8), "T/η must be a whole number"),
            (Self.configuration(batch: 8, etas: [0.1], paths: 8, substeps: 2, levels: [3]), "SVAG level 3 must be at least 2 and divide 2r = 4"),
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
}
