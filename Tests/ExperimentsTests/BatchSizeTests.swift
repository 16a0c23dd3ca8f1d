import Foundation
import Numerics
import Testing
import TestSupport
@testable import Dynamics
@testable import Escape
@testable import Experiments
import FiniteSums
import Persistence
import Problems
import Randomness

@Suite struct BatchSizeTests {
    static let standard = BatchSizeConfiguration.standardProblem()

    /// A small run: SDE and SGD directly where cheap, no splitting.
    static func small(threads: Int = 2) throws -> BatchSizeResult {
        var c = BatchSizeConfiguration.standard()
        (c.batches, c.sdePaths, c.sgdPaths, c.horizonPaths, c.splittingRuns, c.directBudget) = ([1, 2, 4], 256, 256, 256, 0, 2e4)
        (c.choiceEtas, c.choicePaths, c.choiceSDEPaths) = ([0.2], 512, 256)
        return try BatchSizeStudy.run(c, options: RunOptions(threads: threads, quiet: true))
    }

    @Test func tableMatchesTheFiniteSum() throws {
        let problem = try Self.standard.build()
        let exact = try FiniteSumLandscape<LearningModel, Double>(problem)
        let table = TabulatedLandscape1D(exact, lower: -3.3, upper: 3.3, count: 4097, covarianceFactor: 1)
        let deviation = table.maximumDeviation { exact.lineMoments(at: $0) }
        // cubic Hermite error O(δ⁴ f⁗) with δ = 1.6e-3: far below 1e-6 for these smooth sums
        #expect(deviation.slope < 1e-7 && deviation.covariance < 1e-7)
        // Σ₀′ against a central difference of Σ₀ (step 1e-5: truncation ~1e-10, rounding ~1e-11)
        let x = 0.3, h = 1e-5
        let d = (exact.lineMoments(at: x + h).covariance - exact.lineMoments(at: x - h).covariance) / (2 * h)
        #expect(abs(d - exact.lineMoments(at: x).covarianceSlope) < 1e-6 * max(1, abs(d)))
    }

    @Test func cramerRootOfATwoPointLaw() {
        // u = +1 with probability p, −1 otherwise: p e^θ + (1 − p) e^{−θ} = 1 at θ = log((1 − p)/p)
        let u = Array(repeating: 1.0, count: 30) + Array(repeating: -1.0, count: 70)
        #expect(abs(BatchSizeLandscape.cramerRoot(u) - log(0.7 / 0.3)) < 1e-12)
        #expect(BatchSizeLandscape.cramerRoot([-1, -2]) == .infinity)
        #expect(BatchSizeLandscape.cramerRoot([1, -0.5]) == 0)
    }

    /// 500 steps of the fast path and of the generic finite-sum SGD from the same point, compared
    /// bit for bit at every step.
    static func expectSameIterates(_ schedule: BatchSchedule, seed: UInt64, paths: [Int]) throws {
        let problem = try standard.build()
        let batched = try FiniteSumProblem(model: problem.model, data: problem.data, l2: 0.01, batchSchedule: schedule)
        let fast = try OneFeatureSGD(batched, eta: 0.2, seed: seed)
        let generic = SGDExitDynamics(problem: try FiniteSumLandscape<LearningModel, Double>(batched), method: SGDMethod(eta: 0.2), seed: seed)
        for path in paths {
            var (a, b) = (-0.6, -0.6)
            for k in 0..<500 {
                a = fast.advance(a, path: path, step: k, normals: 0, auxiliary: 0)
                b = generic.advance(b, path: path, step: k, normals: 0, auxiliary: 0)
                #expect(a.bitPattern == b.bitPattern)
            }
        }
    }

    @Test func fastSGDIsTheGenericIterationBitForBit() throws {
        try Self.expectSameIterates(.constant(5), seed: 9, paths: [0, 7])
    }

    /// The same bit-for-bit check under schedules whose m changes with the step (the batch-schedule
    /// study's SGD): m_k is read at every step by both.
    @Test func fastSGDFollowsABatchScheduleBitForBit() throws {
        for schedule in [BatchSchedule.logarithmic(c: 0.4, eta: 0.2, maximum: 8, minimum: 1), .piecewise(boundaries: [100, 300], sizes: [8, 3, 1])] {
            try Self.expectSameIterates(schedule, seed: 11, paths: [0, 5])
        }
    }

    @Test func landscapeFindsASharpAndAFlatMinimum() throws {
        let r = try Self.small()
        let sharp = r.landscape.sharp, flat = r.landscape.flat
        #expect(sharp.curvature > 5 * flat.curvature)
        #expect(sharp.covariance > 5 * flat.covariance)
        // the diffusion's quasi-potential orders the basins the other way round from curvature
        #expect(sharp.quasiPotential < flat.quasiPotential / 2)
        #expect(abs(sharp.quasiPotentialMinimumAction - sharp.quasiPotential) < 1e-3 * sharp.quasiPotential)
        #expect(r.tableAccuracy == .pass && r.quasiPotentialAgreement == .pass)
    }

    @Test func simulatedSDEMatchesTheExactMeanExitTime() throws {
        let r = try Self.small()
        // every simulated row within the Bonferroni bound of its standard error (two-sided 1%)
        #expect(r.rows.contains { $0.sde != nil })
        #expect(r.sdeAgreement == .pass, "max |z| = \(r.sdeMaxZ), bound \(r.sdeZBound)")
        // the exact E T is within 40% of the Kramers law once the exponent is ≥ 3 (Laplace's
        // method's corrections are O(1/exponent))
        for w in r.rows where w.exponent >= 3 { #expect(abs(w.kramers / w.exact - 1) < 0.4) }
        #expect(r.sharpEscapesFirst == .pass)
    }

    /// The basin-choice grid: the SDE's frequencies against its own exact law at S (exact
    /// binomial p-values, Bonferroni over the rows at 1%), and §5's direction for SGD.
    @Test func basinChoiceFollowsTheFokkerPlanckLaw() throws {
        let r = try Self.small()
        let s = try #require(r.choiceSummary)
        #expect(r.choices.count == 3 && r.choices.allSatisfy { $0.sde != nil && $0.sgd != nil })
        #expect(s.sdeAgreement == .pass, "smallest p = \(s.smallestPValue), bound \(s.pValueBound)")
        #expect(s.smallBatchesReachFlat == .pass)
        // the law's own discretisation error (grid against a grid twice as fine) is far below the
        // Monte Carlo error of these path counts (≥ 1/√(4·512) ≈ 0.02 at p = ½)
        for w in r.choices { #expect(w.fokkerPlanckError < 2e-3) }
        // from the sharp minimum P(flat) at S cannot exceed its stationary value by much: S is
        // long against the sharp basin's E T at m = 1 and short against the flat one's at m = 4
        #expect(r.choices.first { $0.batch == 1 }!.fokkerPlanck > 0.5)
    }

    @Test func resultDoesNotDependOnThreads() throws {
        // everything but the wall-clock seconds of each ensemble
        func numbers(_ r: BatchSizeResult) throws -> String {
            try JSONOutput.string(r.rows.map { row -> BatchSizeRow in
                var w = row
                w.sde?.seconds = 0
                w.sgd?.seconds = 0
                w.splitting?.seconds = 0
                return w
            }) + JSONOutput.string(r.choices)
        }
        #expect(try numbers(Self.small(threads: 1)) == numbers(Self.small(threads: 2)))
    }

    @Test func badInputsAreOneLineErrors() throws {
        var c = BatchSizeConfiguration.standard()
        func expectError(_ change: (inout BatchSizeConfiguration) -> Void, _ fragment: String, sourceLocation: SourceLocation = #_sourceLocation) {
            var d = c
            change(&d)
            expectOneLineError(fragment, sourceLocation: sourceLocation) { _ = try BatchSizeStudy.run(d, options: RunOptions(threads: 1, quiet: true)) }
        }
        expectError({ $0.eta = 0 }, "η")
        expectError({ $0.eta = -.infinity }, "η")
        expectError({ $0.batches = [] }, "at least one m")
        expectError({ $0.batches = [0] }, "1 ≤ m")
        expectError({ $0.batches = [4096] }, "M = 4096")
        expectError({ $0.batches = [2, 2] }, "repeats")
        expectError({ $0.scan = [1, -1] }, "lo < hi")
        expectError({ $0.horizon = 0 }, "horizon")
        expectError({ $0.problem = LearningProblemSpec(source: .synthetic(samples: 100, features: 2, testSamples: 0, seed: 1), model: .welsch, batch: 1, intercept: false) }, "1-D")
        // a convex problem has one minimum: the error says what was found
        expectError({ $0.problem = LearningProblemSpec(source: .synthetic(samples: 200, features: 1, testSamples: 0, seed: 1), model: .leastSquares, batch: 1, intercept: false) },
                    "1 minimum")
        expectError({ $0.choiceEtas = [0.2, 0.2] }, "repeats")
        expectError({ $0.choiceEtas = [-0.1] }, "choice η")
        expectError({ $0.choiceEtas = [0.3] }, "whole number of SGD iterations")
        expectError({ $0.sdeStep = 0.03 }, "whole number of SDE steps")
        expectError({ $0.choiceHorizon = 0 }, "choice horizon")
        expectError({ $0.choicePaths = -1 }, "choice SGD paths")
        c.batches = [1]
        expectError({ $0.scan = [0.5, 3] }, "1 minimum")
    }
}
