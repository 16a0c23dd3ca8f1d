import Foundation
import Testing
@testable import Dynamics
@testable import Escape
@testable import Experiments
import FiniteSums
import Problems

/// The lane-parallel exit loop of the one-feature SGD against the generic `ExitEnsemble` of the
/// generic finite-sum SGD (`SGDExitDynamics` over `FiniteSumLandscape`): equal tallies, which
/// hold exact sums of every exit time and location, so equality is bit for bit per path.
@Suite struct OneFeatureSGDExitTests {
    static func problem(_ loss: LinearModel.Loss, batch m: Int, samples: Int = 4096) throws -> FiniteSumProblem<LearningModel> {
        var spec = BatchSizeConfiguration.standardProblem(samples: samples)
        spec.model = loss
        let problem = try spec.build()
        return try FiniteSumProblem(model: problem.model, data: problem.data, l2: 0.01, batchSchedule: .constant(m))
    }

    /// Both engines on `paths` paths from the sharp minimum x* ≈ −0.67 of the standard problem out
    /// of (x* − w, x* + w), censored at `maxSteps`. Half-widths of about two stationary standard
    /// deviations √(η Σ₀ / (2 m F″)) ≈ 0.2/√m make exits on both sides and censoring all common.
    static func expectSameTallies(_ loss: LinearModel.Loss, batch m: Int, width: Double, maxSteps: Int = 60, paths: Int = 300, coverage: Bool = true,
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        let problem = try problem(loss, batch: m)
        let (eta, seed): (Double, UInt64) = (0.2, 77 + UInt64(m))
        let minimum = -0.67
        let domain = Interval(minimum - width, minimum + width)
        func ensemble<D: ExitDynamics>(_ d: D) -> ExitEnsemble<D, Interval> where D.State == Double {
            ExitEnsemble(dynamics: d, domain: domain, start: minimum, center: minimum, reference: 1, maxSteps: maxSteps, seed: 5)
        }
        let generic = ensemble(SGDExitDynamics(problem: try FiniteSumLandscape<LearningModel, Double>(problem), method: SGDMethod(eta: eta), seed: seed))
        let fast = try #require(OneFeatureSGDExit(ensemble(try OneFeatureSGD(problem, eta: eta, seed: seed))), sourceLocation: sourceLocation)
        // two blocks of paths, the second not starting at 0 and not a multiple of the lanes
        for range in [0..<paths, 1_000_003..<(1_000_003 + 37)] {
            let expected = generic.simulate(paths: range), actual = fast.simulate(paths: range)
            #expect(actual == expected, "m = \(m), \(loss), paths \(range)", sourceLocation: sourceLocation)
            // both exit branches and censoring are exercised, else the comparison says little
            if coverage && range.count == paths {
                let statistics = ExitStatistics(expected)
                #expect(statistics.sides.allSatisfy { $0 > 0 }, "m = \(m): \(expected.counts)", sourceLocation: sourceLocation)
                #expect(statistics.censored > 0, "m = \(m): mean N \(statistics.steps.mean), \(expected.counts)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func welschTalliesAreTheGenericEnginesBitForBit() throws {
        // m = 17 and 33: past the generic sampler's switch from its scan to its bitset at 16
        for m in [1, 2, 5, 8, 16, 17, 33] {
            try Self.expectSameTallies(.welsch, batch: m, width: 0.4 / Double(m).squareRoot())
        }
    }

    @Test func leastSquaresTalliesAreTheGenericEnginesBitForBit() throws {
        // its minimum is elsewhere: paths drift out upwards, so only the equality is checked
        try Self.expectSameTallies(.leastSquares, batch: 3, width: 0.2, coverage: false)
    }

    @Test func schedulesAndLargeBatchesAreLeftToTheGenericEngine() throws {
        let problem = try Self.problem(.welsch, batch: OneFeatureSGDExit.maximumBatch + 1)
        func ensemble(_ p: FiniteSumProblem<LearningModel>) throws -> ExitEnsemble<OneFeatureSGD, Interval> {
            ExitEnsemble(dynamics: try OneFeatureSGD(p, eta: 0.2, seed: 1), domain: Interval(-1, 0), start: -0.6, center: -0.6,
                         reference: 1, maxSteps: 10, seed: 1)
        }
        #expect(OneFeatureSGDExit(try ensemble(problem)) == nil)
        let scheduled = try FiniteSumProblem(model: problem.model, data: problem.data, l2: 0.01,
                                             batchSchedule: .piecewise(boundaries: [10], sizes: [4, 2]))
        #expect(OneFeatureSGDExit(try ensemble(scheduled)) == nil)
    }
}
