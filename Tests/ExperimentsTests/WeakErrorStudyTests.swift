import Foundation
import Numerics
import Report
import Testing
import TestSupport
@testable import Experiments
@testable import Ensembles

@Suite struct WeakErrorStudyTests {
    static func quadratic(paths: Int, etas: [Double] = [0.1, 0.05, 0.025, 0.0125]) throws -> WeakErrorConfiguration {
        WeakErrorConfiguration(problem: try ProblemSpec(name: "quadratic"), testFunctions: [.square], horizon: 1,
                               etas: etas, paths: paths, substeps: 4, seed: 7)
    }

    static func complete(_ c: WeakErrorConfiguration, threads: Int = 2, shard: Shard = .whole) throws -> WeakErrorStudy.Outcome {
        try WeakErrorStudy.run(c, options: RunOptions(threads: threads, shard: shard, quiet: true))
    }

    /// Theorem 1 on the quadratic with multiplicative noise, where everything is known in closed
    /// form: every Monte Carlo estimate within 4 standard errors of its exact value (checked in
    /// the result), and both fitted orders within ±0.2 of theory with their whole 95% interval.
    @Test func quadraticMatchesClosedFormsAndTheorem() throws {
        guard case .complete(let r) = try Self.complete(Self.quadratic(paths: 1_000_000)) else { Issue.record("expected a complete result"); return }
        #expect(!r.closedFormChecks.isEmpty)
        for c in r.closedFormChecks { #expect(c.verdict == .pass, "\(c.quantity) at η = \(c.eta): z = \(c.z)") }
        for f in r.fits { #expect(f.verdict == .pass, "SME-\(f.approximation): \(f.slope ?? .nan) \(f.interval ?? [])") }
        #expect(r.sdeAccuracy == .pass)
        #expect(r.rows.allSatisfy { $0.divergedSGD == 0 && $0.divergedSDE == 0 })
    }

    /// The issue's headline claim (b): nonconvex double well, Rademacher gradient noise.
    @Test func doubleWellWithRademacherNoiseHasOrdersOneAndTwo() throws {
        let c = WeakErrorConfiguration(
            problem: try ProblemSpec(name: "double-well", noise: NoiseSpec(kind: .additive, distribution: .rademacher), initial: [0.5]),
            testFunctions: [.x], horizon: 1, etas: [0.1, 0.05, 0.025, 0.0125], paths: 4_000_000, substeps: 4, seed: 1)
        guard case .complete(let r) = try Self.complete(c) else { Issue.record("expected a complete result"); return }
        for f in r.fits { #expect(f.verdict == .pass, "SME-\(f.approximation): \(f.slope ?? .nan) \(f.interval ?? [])") }
        // independent reference: grid solutions of the SGD recursion (cubic splines) and of the
        // backward Kolmogorov equations (Crank–Nicolson), computed separately with numpy/scipy at
        // η = 0.025: e1 = 1.261e-3, e2 = 4.016e-4 (see README, "How the numbers were checked").
        let row = try #require(r.rows.first { $0.eta == 0.025 })
        #expect(abs(abs(row.error1.mean) - 1.261e-3) <= monteCarloZ * row.error1.standardError + 2e-5)
        #expect(abs(abs(row.error2.mean) - 4.016e-4) <= monteCarloZ * row.error2.standardError + 2e-5)
    }

    @Test func resultsAreBitwiseIdenticalAcrossThreadsAndShards() throws {
        let c = try Self.quadratic(paths: 20_000, etas: [0.1, 0.05])
        guard case .complete(let one) = try Self.complete(c, threads: 1),
              case .complete(let two) = try Self.complete(c, threads: 2) else { Issue.record("expected complete results"); return }
        #expect(one.rows == two.rows)
        var partials: [PartialResult] = []
        for i in 1...3 {
            guard case .partial(let p) = try Self.complete(c, threads: 2, shard: try Shard(parsing: "\(i)/3")) else {
                Issue.record("expected a partial result"); return
            }
            // through JSON, as `sgdiff merge` reads them
            partials.append(try JSONOutput.decoder().decode(PartialResult.self, from: try JSONOutput.encode(p)))
        }
        let merged = try PartialResult.merge(partials)
        let configuration = try JSONOutput.decoder().decode(WeakErrorConfiguration.self, from: Data(merged.configuration.utf8))
        let result = WeakErrorStudy.finalize(configuration, tasks: merged.tasks, threads: 1, wallSeconds: 0)
        #expect(result.rows == one.rows)
        do {
            _ = try PartialResult.merge([partials[0], partials[2]])
            Issue.record("merging without shard 2 must fail")
        } catch let error as EnsembleError {
            guard case .incompleteMerge(let missing) = error else { Issue.record("wrong error \(error)"); return }
            // whichever task is checked first, exactly shard 2's blocks of it are missing
            #expect(partials[1].tasks.values.contains { $0.blocks.count == missing })
        }
        #expect(throws: EnsembleError.overlappingShards) { try PartialResult.merge([partials[0], partials[0], partials[1], partials[2]]) }
    }

    @Test func interruptedRunResumesToTheSameResult() throws {
        let directory = TemporaryDirectory()
        let c = try Self.quadratic(paths: 40_000, etas: [0.1, 0.05])
        let counter = BlockCounter()
        var options = RunOptions(threads: 2, quiet: true, checkpointDirectory: directory.url, checkpointInterval: 0)
        options.shouldContinue = { counter.next() <= 30 }
        #expect(throws: ExperimentInterrupted.self) { try WeakErrorStudy.run(c, options: options) }
        options.shouldContinue = { true }
        guard case .complete(let resumed) = try WeakErrorStudy.run(c, options: options),
              case .complete(let straight) = try Self.complete(c) else { Issue.record("expected complete results"); return }
        #expect(resumed.rows == straight.rows)
    }

    @Test func divergenceIsCountedAndReported() throws {
        let c = WeakErrorConfiguration(problem: try ProblemSpec(name: "double-well", noise: NoiseSpec(kind: .additive, scale: 3)),
                                       testFunctions: [.x], horizon: 1, etas: [1, 0.5], paths: 2000, pathScaling: .constant, seed: 1)
        guard case .complete(let r) = try Self.complete(c) else { Issue.record("expected a complete result"); return }
        let diverged = r.rows.filter { $0.divergedSGD + $0.divergedSDE > 0 }
        #expect(!diverged.isEmpty)
        #expect(r.fits.allSatisfy { $0.etas.allSatisfy { eta in !diverged.contains { $0.eta == eta } } })
        let error = try #require(WeakErrorStudy.divergenceError(r))
        #expect(error.description.contains("diverged"))
    }

    @Test func badConfigurationsAreRejected() throws {
        let problem = try ProblemSpec(name: "double-well")
        func config(_ edit: (inout WeakErrorConfiguration) -> Void) -> WeakErrorConfiguration {
            var c = WeakErrorConfiguration(problem: problem, testFunctions: [.x], horizon: 1, etas: [0.1, 0.05], paths: 100)
            edit(&c)
            return c
        }
        let cases: [(WeakErrorConfiguration, String)] = [
            (config { $0.etas = [0.1, 0] }, "invalid η: 0.0"),
            (config { $0.etas = [0.1, -0.05] }, "invalid η: -0.05"),
            (config { $0.etas = [0.3, 0.1] }, "not a whole number"),
            (config { $0.etas = [0.1] }, "need at least two"),
            (config { $0.horizon = 0 }, "invalid horizon T: 0.0"),
            (config { $0.horizon = .nan }, "invalid horizon T"),
            (config { $0.paths = 0 }, "invalid paths N: 0"),
            (config { $0.substeps = 0 }, "invalid substeps r: 0"),
            (config { $0.maxSDEStep = -1 }, "invalid SDE step h: -1.0"),
            (config { $0.testFunctions = [] }, "at least one test function"),
        ]
        for (c, message) in cases {
            #expect(throws: WeakErrorError.self) { try c.validate() }
            do { try c.validate() } catch { #expect("\(error)".contains(message), "\(error)") }
        }
    }

    @Test func problemSpecificationsAreValidated() {
        #expect(throws: ProblemError.unknownProblem("nope")) { try ProblemSpec(name: "nope") }
        #expect(throws: ProblemError.self) { try ProblemSpec(name: "double-well", parameters: ["width": 2]) }
        #expect(throws: ProblemError.wrongDimension(expected: 2, got: 1, what: "initial point x0")) { try ProblemSpec(name: "saddle", initial: [0]) }
        #expect(throws: ProblemError.self) { try ProblemSpec(name: "least-squares", parameters: ["batch": 65]) }
        #expect(throws: ProblemError.self) { try ProblemSpec(name: "least-squares", parameters: ["batch": 0]) }
        #expect(throws: ProblemError.self) { try ProblemSpec(name: "saddle", parameters: ["gamma1": -1]) }
        #expect(throws: ProblemError.self) { try ProblemSpec(name: "double-well", noise: NoiseSpec(kind: .minibatch)) }
        #expect(throws: ProblemError.self) { try ProblemSpec(name: "double-well", noise: NoiseSpec(kind: .additive, scale: -1)) }
        #expect(throws: ProblemError.self) { try ProblemSpec(name: "double-well-2d", noise: NoiseSpec(kind: .modulated, amplitudes: [1.2, 0])) }
        #expect(throws: ProblemError.self) { try ProblemSpec(name: "double-well", initial: [.infinity]) }
    }

    /// simulate: SGD's E x_k² on the quadratic against ((1 - η)² + η²σ²)^k at every recorded k.
    @Test func sideBySideTracksClosedForms() throws {
        let c = SideBySideConfiguration(problem: try ProblemSpec(name: "quadratic"), testFunctions: [.square, .x], eta: 0.05,
                                        steps: 40, every: 10, paths: 200_000, substeps: 2, seed: 3)
        guard case .complete(let r) = try SideBySide.run(c, options: RunOptions(threads: 2, quiet: true)) else { Issue.record("incomplete"); return }
        for p in r.points {
            let exact = QuadraticClosedForm.values(phi: p.testFunction, x0: 1, curvature: 1, sigma: 1, eta: 0.05, steps: p.step)!
            #expect(abs(p.sgd.zScore(against: exact.sgd)) < monteCarloZ)
            #expect(abs(p.sme1.zScore(against: exact.sme1)) < monteCarloZ)
            #expect(abs(p.difference2.zScore(against: exact.error2)) < monteCarloZ)
        }
        #expect(r.points.count == 8)
    }

    @Test func artifactsAreWritten() throws {
        let directory = TemporaryDirectory()
        guard case .complete(let r) = try Self.complete(Self.quadratic(paths: 10_000, etas: [0.1, 0.05])) else { return }
        let files = try WeakErrorArtifacts.write(r, to: directory.url)
        #expect(Set(files.map(\.lastPathComponent)) == ["result.json", "rows.csv", "fits.csv", "closed-form.csv", "weak-error-x2.svg"])
        let decoded = try JSONOutput.decoder().decode(WeakErrorResult.self, from: Data(contentsOf: directory.url.appendingPathComponent("result.json")))
        #expect(decoded.rows == r.rows)
        let csv = try String(contentsOf: directory.url.appendingPathComponent("rows.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 3)
        let svg = try String(contentsOf: directory.url.appendingPathComponent("weak-error-x2.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("SME-2"))
    }
}

final class BlockCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int { lock.withLock { value += 1; return value } }
}
