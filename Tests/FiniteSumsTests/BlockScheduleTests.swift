import Dynamics
import FiniteSums
import Testing

@Suite("Block engine: batch-size schedules")
struct BlockScheduleTests {
    /// A schedule that grows past its first size (the batch buffer is sized by the largest m),
    /// and reaches m = M: that SGD step is gradient descent, x − η ∇F(x), to rounding.
    @Test func aStepAtFullBatchIsGradientDescent() throws {
        let base = try smallProblem(.logistic, samples: 40, features: 3, l2: 0.1)
        let problem = try base.with(batchSchedule: .piecewise(boundaries: [2], sizes: [4, 40]))
        let engine = BlockEngine(problem: problem, ld: 8, maximumBatch: problem.batchSchedule.largestBatch)
        let x0 = randomPoint(problem.dimension)
        let x = ParameterBlock(initial: x0, ld: 8)
        engine.sgdStep(x, method: SGDMethod(eta: 0.3), step: 2, firstPath: 0, lanes: 8, seed: 1)
        let expected = zip(x0, problem.gradient(at: x0)).map { $0 - 0.3 * $1 }
        for b in 0..<8 {
            for (got, want) in zip(x[lane: b], expected) { #expect(abs(got - want) <= 1e-14 * max(1, abs(want)), "lane \(b)") }
        }
        // at step 1 the batch is 4 of 40 samples: not gradient descent
        let y = ParameterBlock(initial: x0, ld: 8)
        engine.sgdStep(y, method: SGDMethod(eta: 0.3), step: 1, firstPath: 0, lanes: 8, seed: 1)
        #expect(y[lane: 0] != x[lane: 0])
    }
}
