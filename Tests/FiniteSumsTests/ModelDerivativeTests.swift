import FiniteSums
import Foundation
import Numerics
import Randomness
import Testing

/// Small problems with every loss, an intercept and L2, at a random point.
func smallProblem(_ loss: LinearModel.Loss, samples: Int = 20, features: Int = 5, l2: Double = 0.3, batch: Int = 4) throws
    -> FiniteSumProblem<LinearModel> {
    let g = GaussianStream(seed: 7, stream: .independent(5))
    var f: [Double] = [], y: [Double] = []
    for i in 0..<samples {
        for j in 0..<features { f.append(g.normal(path: i, draw: j)) }
        switch loss {
        case .leastSquares, .welsch: y.append(g.normal(path: i, draw: 99))
        case .logistic: y.append(Double(i % 2))
        case .softmax: y.append(Double(i % 3))
        }
    }
    let data = try TrainingSet(features: f, count: samples, featureCount: features, targets: y, source: "test").withIntercept()
    let model = LinearModel(loss: loss, featureCount: features + 1, classCount: 3)
    return try FiniteSumProblem(model: model, data: data, l2: l2, batchSchedule: .constant(batch))
}

func randomPoint(_ d: Int, seed: UInt64 = 3, scale: Double = 0.7) -> [Double] {
    let g = GaussianStream(seed: seed, stream: .independent(6))
    return (0..<d).map { scale * g.normal(path: 0, draw: $0) }
}

@Suite("Finite-sum models: exact derivatives")
struct ModelDerivativeTests {
    /// Central differences have error O(δ²)·|f'''| ≈ 1e-10 here and rounding ≈ 1e-16/δ ≈ 1e-11,
    /// so agreement to 1e-7 (relative to the gradient's size) leaves a wide margin for a correct
    /// gradient while any wrong term (a missing factor, a sign) shows at O(1).
    @Test(arguments: LinearModel.Loss.allCases)
    func gradientMatchesFiniteDifferencesOfTheValue(_ loss: LinearModel.Loss) throws {
        let problem = try smallProblem(loss)
        let x = randomPoint(problem.dimension)
        let g = problem.gradient(at: x)
        let scale = max(1, g.map(abs).max()!)
        for j in 0..<problem.dimension {
            let delta = 1e-5
            var xp = x, xm = x
            xp[j] += delta
            xm[j] -= delta
            let fd = (problem.value(at: xp) - problem.value(at: xm)) / (2 * delta)
            #expect(abs(fd - g[j]) < 1e-7 * scale, "∂F/∂x\(j): \(g[j]) vs finite difference \(fd)")
        }
    }

    @Test(arguments: LinearModel.Loss.allCases)
    func hessianVectorProductMatchesFiniteDifferencesOfTheGradient(_ loss: LinearModel.Loss) throws {
        let problem = try smallProblem(loss)
        let x = randomPoint(problem.dimension), v = randomPoint(problem.dimension, seed: 11, scale: 1)
        let hv = problem.hessianVectorProduct(at: x, v)
        let delta = 1e-5
        let gp = problem.gradient(at: zip(x, v).map { $0 + delta * $1 }), gm = problem.gradient(at: zip(x, v).map { $0 - delta * $1 })
        let scale = max(1, hv.map(abs).max()!)
        for j in 0..<problem.dimension {
            let fd = (gp[j] - gm[j]) / (2 * delta)
            #expect(abs(fd - hv[j]) < 1e-7 * scale, "(∇²F v)_\(j): \(hv[j]) vs \(fd)")
        }
    }

    /// The block path (one GEMM over many lanes) must give each lane what a lone vector gives.
    /// The one-sample functions (the d ≤ 4 engine's) against the block passes, sample by sample:
    /// the same arithmetic in another order, so they agree to rounding (1e-12 relative).
    @Test(arguments: LinearModel.Loss.allCases)
    func oneSampleDerivativesAgreeWithTheBlockPasses(_ loss: LinearModel.Loss) throws {
        let problem = try smallProblem(loss, l2: 0)
        let model = problem.model, d = problem.dimension, p = model.featureCount
        let x = randomPoint(d), v = randomPoint(d, seed: 11, scale: 1)
        let rows = problem.sampleGradients(at: x)
        var hvSum = [Double](repeating: 0, count: d), valueSum = 0.0
        var g = [Double](repeating: 0, count: d), hv = g, scratch = [Double](repeating: 0, count: model.sampleScratchCount)
        for i in 0..<problem.count {
            let a = Array(problem.data.features[(i * p)..<((i + 1) * p)]), y = problem.data.targets[i]
            valueSum += model.sampleLossAndGradient(features: a, target: y, parameters: x, gradient: &g, scratch: &scratch)
            model.sampleHessianVectorProduct(features: a, target: y, parameters: x, direction: v, product: &hv, scratch: &scratch)
            for j in 0..<d {
                #expect(abs(g[j] - rows[i, j]) <= 1e-12 * max(1, abs(rows[i, j])), "sample \(i), component \(j)")
                hvSum[j] += hv[j] / Double(problem.count)
            }
        }
        #expect(abs(valueSum / Double(problem.count) - problem.value(at: x)) < 1e-12 * max(1, abs(problem.value(at: x))))
        let exact = problem.hessianVectorProduct(at: x, v)
        for j in 0..<d { #expect(abs(hvSum[j] - exact[j]) <= 1e-12 * max(1, abs(exact[j]))) }
    }

    @Test func blockOfPathsAgreesWithOnePathAtATime() throws {
        let problem = try smallProblem(.softmax)
        let ld = 16
        let xs = (0..<ld).map { randomPoint(problem.dimension, seed: UInt64(20 + $0)) }
        let block = ParameterBlock(initial: [Double](repeating: 0, count: problem.dimension), ld: ld)
        for (b, x) in xs.enumerated() { for j in 0..<problem.dimension { block.values[j * ld + b] = x[j] } }
        let engine = BlockEngine(problem: problem, ld: ld)
        let observed = engine.observe(block, from: xs[0], lanes: ld)
        for (b, x) in xs.enumerated() {
            #expect(abs(observed[b].train - problem.value(at: x)) < 1e-12 * max(1, abs(problem.value(at: x))))
        }
    }

    @Test func targetsThatDoNotSuitTheModelAreRejectedWithTheirRow() throws {
        let f = [Double](repeating: 1, count: 6)
        let data = try TrainingSet(features: f, count: 3, featureCount: 2, targets: [0, 1, 2], source: "t")
        #expect(throws: FiniteSumProblem<LinearModel>.Failure.invalidTarget(row: 2, reason: "logistic regression needs labels 0 or 1, got 2.0", which: "training")) {
            try FiniteSumProblem(model: LinearModel(loss: .logistic, featureCount: 2), data: data, batchSchedule: .constant(1))
        }
        let tooMany = try TrainingSet(features: f, count: 3, featureCount: 2, targets: [0, 1, 3], source: "t")
        #expect(throws: FiniteSumProblem<LinearModel>.Failure.self) {
            try FiniteSumProblem(model: LinearModel(loss: .softmax, featureCount: 2, classCount: 3), data: tooMany, batchSchedule: .constant(1))
        }
        #expect(throws: FiniteSumProblem<LinearModel>.Failure.batch(.batchTooLarge(4, datasetSize: 3))) {
            try FiniteSumProblem(model: LinearModel(loss: .leastSquares, featureCount: 2), data: data, batchSchedule: .constant(4))
        }
        #expect(throws: TrainingSet.Failure.nonFinite(row: 1)) {
            try TrainingSet(features: [1, 2, .nan, 4], count: 2, featureCount: 2, targets: [0, 1], source: "t")
        }
        #expect(throws: TrainingSet.Failure.tooFewSamples(1)) {
            try TrainingSet(features: [1, 2], count: 1, featureCount: 2, targets: [0], source: "t")
        }
        #expect(throws: FiniteSumProblem<LinearModel>.Failure.negativeL2(-1)) {
            try FiniteSumProblem(model: LinearModel(loss: .leastSquares, featureCount: 2), data: data, l2: -1, batchSchedule: .constant(1))
        }
    }
}

@Suite("Finite sums: the d × d Hessian for the escape theory")
struct FiniteSumHessianTests {
    /// Column j of ∇²F against the central difference of ∇F along e_j (error O(δ²) ≈ 1e-10,
    /// rounding ≈ 1e-16/δ ≈ 1e-11; tolerance 1e-7 relative, as for the HVP), and symmetric.
    @Test(arguments: [LinearModel.Loss.logistic, .welsch, .softmax])
    func hessianMatchesFiniteDifferencesOfTheGradient(_ loss: LinearModel.Loss) throws {
        let problem = try smallProblem(loss)
        let x = randomPoint(problem.dimension)
        let h = problem.hessian(at: x)
        let scale = max(1, h.elements.map(abs).max()!)
        for j in 0..<problem.dimension {
            var xp = x, xm = x
            xp[j] += 1e-5
            xm[j] -= 1e-5
            let gp = problem.gradient(at: xp), gm = problem.gradient(at: xm)
            for i in 0..<problem.dimension {
                #expect(abs((gp[i] - gm[i]) / 2e-5 - h[i, j]) < 1e-7 * scale, "∂²F/∂x\(i)∂x\(j)")
                #expect(h[i, j] == h[j, i])
            }
        }
    }
}
