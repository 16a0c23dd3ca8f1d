@testable import FiniteSums
import Foundation
import Numerics
import Randomness
import Testing

/// One MLP configuration of the tests: every output loss, both activations, one and two layers.
struct MLPCase: CustomTestStringConvertible, Sendable {
    let loss: LinearModel.Loss
    let activation: MLPModel.Activation
    let hidden: [Int]
    var testDescription: String { "\(loss.rawValue), \(activation.rawValue), hidden \(hidden)" }

    static let all: [MLPCase] = LinearModel.Loss.allCases.flatMap { loss in
        MLPModel.Activation.allCases.flatMap { act in [[4], [4, 3]].map { MLPCase(loss: loss, activation: act, hidden: $0) } }
    }
}

/// The data of `smallProblem` (5 features and an intercept) under an MLP.
func smallMLPProblem(_ c: MLPCase, l2: Double = 0.3) throws -> FiniteSumProblem<MLPModel> {
    let linear = try smallProblem(c.loss, l2: l2)
    let model = try MLPModel(loss: c.loss, featureCount: linear.model.featureCount, hidden: c.hidden, activation: c.activation, classCount: 3)
    return try FiniteSumProblem(model: model, data: linear.data, l2: l2, batchSchedule: .constant(4))
}

@Suite("Finite-sum models: the MLP's exact derivatives")
struct MLPModelTests {
    /// As for the linear models (ModelDerivativeTests): central differences with δ = 1e-5 err by
    /// δ²|f'''|/6 ≈ 1e-10 × |f'''|, and |f'''| ≲ 10² here (inputs N(0, 1), weights 0.7 N(0, 1),
    /// |tanh'''|, |softplus'''| ≤ 2), plus rounding 1e-16/δ ≈ 1e-11: at most ~1e-8, so 1e-7 (relative
    /// to the gradient's size) passes a correct gradient and fails any wrong term, which is O(1).
    @Test(arguments: MLPCase.all)
    func gradientMatchesFiniteDifferencesOfTheValue(_ c: MLPCase) throws {
        let problem = try smallMLPProblem(c)
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

    /// The same bound one derivative up (δ²|f''''|/6), for the R-operator's product.
    @Test(arguments: MLPCase.all)
    func hessianVectorProductMatchesFiniteDifferencesOfTheGradient(_ c: MLPCase) throws {
        let problem = try smallMLPProblem(c)
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

    /// The one-sample functions run the same passes without BLAS: the same arithmetic in
    /// another order, so they agree with the block passes to rounding (1e-12 relative).
    @Test(arguments: MLPCase.all)
    func oneSampleDerivativesAgreeWithTheBlockPasses(_ c: MLPCase) throws {
        let problem = try smallMLPProblem(c, l2: 0)
        let model = problem.model, d = problem.dimension, p = model.featureCount
        let x = randomPoint(d), v = randomPoint(d, seed: 11, scale: 1)
        let rows = problem.sampleGradients(at: x)
        var hvSum = [Double](repeating: 0, count: d), valueSum = 0.0
        var g = [Double](repeating: 0, count: d), hv = g, scratch = [Double](repeating: .nan, count: model.sampleScratchCount)
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

    /// Σ_i w_i ∇f_i from one weighted pass equals the weighted sum of the per-sample gradients
    /// (any weights, signs included: the SDE's noise weights are centred normals).
    @Test(arguments: MLPCase.all)
    func weightedBackwardIsTheWeightedSumOfSampleGradients(_ c: MLPCase) throws {
        let problem = try smallMLPProblem(c, l2: 0)
        let x = randomPoint(problem.dimension)
        let w = randomPoint(problem.count, seed: 5, scale: 1)
        let g = problem.weightedGradient(at: x, weights: w), rows = problem.sampleGradients(at: x)
        for j in 0..<problem.dimension {
            var sum = 0.0
            for i in 0..<problem.count { sum += w[i] * rows[i, j] }
            #expect(abs(sum - g[j]) <= 1e-12 * max(1, abs(g[j])), "component \(j)")
        }
    }

    /// B = 5 paths in a block of ld = 8 columns (the padding lanes hold other points), with a
    /// weight matrix, against each path alone: forward losses, weighted backward and the HVP.
    /// Only the summation order differs (GEMM blocking), so 1e-12 relative.
    @Test(arguments: MLPCase.all)
    func blockOfPathsAgreesWithOnePathAtATime(_ c: MLPCase) throws {
        let problem = try smallMLPProblem(c, l2: 0)
        let model = problem.model, d = problem.dimension, n = problem.count, ld = 8, lanes = 5
        let xs = (0..<ld).map { randomPoint(d, seed: UInt64(20 + $0)) }, vs = (0..<ld).map { randomPoint(d, seed: UInt64(40 + $0), scale: 1) }
        let weights = randomPoint(n * ld, seed: 9, scale: 1)
        var block = [Double](repeating: 0, count: d * ld), direction = block
        for b in 0..<ld { for j in 0..<d { (block[j * ld + b], direction[j * ld + b]) = (xs[b][j], vs[b][j]) } }
        let ws = ModelWorkspace(model: model, rows: n, ld: ld)
        var g = [Double](repeating: 0, count: d * ld), h = g
        problem.data.withDesign { design in
            model.forward(design, parameters: block, ld: ld, workspace: ws, losses: true)
            weights.withUnsafeBufferPointer { model.backward(design, weights: .matrix($0.baseAddress!), workspace: ws, into: &g) }
            model.hessianVectorProduct(design, parameters: block, direction: direction, scale: 0.5, workspace: ws, into: &h)
        }
        for b in 0..<lanes {
            let lane = (0..<n).map { weights[$0 * ld + b] }
            let gb = problem.weightedGradient(at: xs[b], weights: lane), hb = problem.hessianVectorProduct(at: xs[b], vs[b])
            var loss = 0.0
            for i in 0..<n { loss += ws.losses[i * ld + b] / Double(n) }
            #expect(abs(loss - problem.value(at: xs[b])) <= 1e-12 * max(1, abs(loss)), "lane \(b) loss")
            for j in 0..<d {
                #expect(abs(g[j * ld + b] - gb[j]) <= 1e-12 * max(1, abs(gb[j])), "lane \(b), gradient \(j)")
                // the problem's HVP is (1/M) Σ ∇²f_i v: scale 0.5 against 1/M
                let expected = 0.5 * Double(n) * hb[j]
                #expect(abs(h[j * ld + b] - expected) <= 1e-12 * max(1, abs(expected)), "lane \(b), HVP \(j)")
            }
        }
    }

    /// The engine's observables through `LearningModel` are each lane's F(x).
    @Test func engineRunsTheMLPThroughLearningModel() throws {
        let mlp = try smallMLPProblem(MLPCase(loss: .softmax, activation: .softplus, hidden: [5, 2]))
        let problem = try FiniteSumProblem(model: LearningModel.mlp(mlp.model), data: mlp.data, l2: mlp.l2, batchSchedule: .constant(4))
        let ld = 16, xs = (0..<ld).map { randomPoint(problem.dimension, seed: UInt64(60 + $0)) }
        let block = ParameterBlock(initial: [Double](repeating: 0, count: problem.dimension), ld: ld)
        for (b, x) in xs.enumerated() { for j in 0..<problem.dimension { block.values[j * ld + b] = x[j] } }
        let observed = BlockEngine(problem: problem, ld: ld).observe(block, from: xs[0], lanes: ld)
        for (b, x) in xs.enumerated() {
            #expect(abs(observed[b].train - mlp.value(at: x)) < 1e-12 * max(1, abs(mlp.value(at: x))))
        }
    }

    /// A linear model wrapped in `LearningModel` receives the very same calls: bitwise equal.
    @Test(arguments: LinearModel.Loss.allCases)
    func linearModelThroughLearningModelIsBitwiseTheSame(_ loss: LinearModel.Loss) throws {
        let direct = try smallProblem(loss)
        let wrapped = try FiniteSumProblem(model: LearningModel.linear(direct.model), data: direct.data, l2: direct.l2, batchSchedule: .constant(4))
        let x = randomPoint(direct.dimension), v = randomPoint(direct.dimension, seed: 11, scale: 1)
        #expect(direct.value(at: x) == wrapped.value(at: x))
        #expect(direct.gradient(at: x) == wrapped.gradient(at: x))
        #expect(direct.hessianVectorProduct(at: x, v) == wrapped.hessianVectorProduct(at: x, v))
        #expect(LearningModel.linear(direct.model).defaultInitialPoint(nil) == [Double](repeating: 0, count: direct.dimension))
    }

    /// Seeded and counter-based: the same seed gives the same x₀, another seed another; weights
    /// have the Glorot variance (2/(fan-in + fan-out)) and biases are 0. The variance check: the
    /// mean of s² over the n = p h₁ first-layer weights has relative standard error √(2/n)
    /// (normal fourth moment), n = 600 here, so 5 standard errors is 0.29.
    @Test func initialisationIsSeededAndGlorotScaled() throws {
        let model = try MLPModel(loss: .softmax, featureCount: 50, hidden: [12, 7], activation: .tanh, classCount: 4)
        let x = model.initialParameters(.init(seed: 3))
        #expect(x == model.initialParameters(.init(seed: 3)))
        #expect(x != model.initialParameters(.init(seed: 4)))
        #expect(x.count == model.parameterCount && model.parameterCount == 50 * 12 + 13 * 7 + 8 * 4)
        let first = x[0..<(50 * 12)]
        let variance = first.map { $0 * $0 }.reduce(0, +) / Double(first.count), glorot = 2.0 / Double(50 + 12)
        #expect(abs(variance / glorot - 1) < 5 * (2.0 / Double(first.count)).squareRoot(), "variance \(variance) vs \(glorot)")
        let secondBias = (50 * 12 + 12 * 7)..<(50 * 12 + 13 * 7), outputBias = (model.parameterCount - 4)..<model.parameterCount
        #expect(x[secondBias].allSatisfy { $0 == 0 } && x[outputBias].allSatisfy { $0 == 0 })
        #expect(x[(50 * 12)..<(50 * 12 + 12 * 7)].allSatisfy { $0 != 0 })
    }

    /// The activations' own tanh and 1 − e^{−a} against libm's (each within about 1 ulp of the
    /// true value), so 4 ulp (≈ 9e-16 relative) bounds their difference; a wrong polynomial
    /// coefficient or branch shows at 1e-10 or more.
    @Test func activationFunctionsMatchLibm() throws {
        let tanhModel = try MLPModel(loss: .logistic, featureCount: 1, hidden: [1], activation: .tanh)
        let softplusModel = try MLPModel(loss: .logistic, featureCount: 1, hidden: [1], activation: .softplus)
        for i in -4000...4000 {
            let z = Double(i) / 400 * (i.isMultiple(of: 7) ? 1e-3 : 1)
            let t = tanhModel.activate(z)
            #expect(abs(t - tanh(z)) <= 9e-16 * abs(tanh(z)), "tanh(\(z))")
            let a = softplusModel.activate(z), s = softplusModel.slope(a)
            #expect(abs(s + expm1(-a)) <= 9e-16 * abs(expm1(-a)), "σ'(\(z)) from a = \(a)")
        }
        #expect(tanhModel.activate(40) == 1 && tanhModel.activate(-40) == -1 && tanhModel.activate(0) == 0)
    }

    @Test(arguments: [
        (6, [0], MLPModel.Activation.tanh, LinearModel.Loss.logistic, 2, "hidden layer width 0 must lie in 1…4096"),
        (6, [4, -1], .tanh, .logistic, 2, "hidden layer width -1 must lie in 1…4096"),
        (6, [], .softplus, .logistic, 2, "an MLP has one or two hidden layers, got 0"),
        (6, [3, 3, 3], .tanh, .leastSquares, 2, "an MLP has one or two hidden layers, got 3"),
        (0, [3], .tanh, .leastSquares, 2, "an MLP needs at least one input feature, got 0"),
        (6, [3], .tanh, .softmax, 1, "softmax output needs at least two classes, got 1"),
        (6, [5000], .tanh, .logistic, 2, "hidden layer width 5000 must lie in 1…4096"),
        (1 << 20, [4096, 4096], .tanh, .logistic, 2, "too many parameters"),
    ])
    func badConfigurationsAreRejected(features: Int, hidden: [Int], activation: MLPModel.Activation, loss: LinearModel.Loss, classes: Int,
                                      message: String) {
        do {
            _ = try MLPModel(loss: loss, featureCount: features, hidden: hidden, activation: activation, classCount: classes)
            Issue.record("\(hidden) was accepted")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
        }
    }
}
