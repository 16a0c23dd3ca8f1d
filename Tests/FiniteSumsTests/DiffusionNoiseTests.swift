import FiniteSums
import Foundation
import Numerics
import Dynamics
import Problems
import Randomness
import Testing

@Suite("The exact SGD diffusion of a finite sum")
struct DiffusionNoiseTests {
    /// Proposition 1 by exact enumeration: over all C(M, m) batches, the covariance of the batch
    /// gradient is (1/m − 1/M) Σ₀. And the weighted-gradient identity behind the SDE's noise,
    /// Cov(Σ_i (z_i − z̄) ∇f_i) = Gᵀ (I − 11ᵀ/M) G = (M − 1) Σ₀, algebraically. Both exact, so
    /// the tolerance is rounding only.
    @Test(arguments: LinearModel.Loss.allCases)
    func batchCovarianceIsPropositionOneAndTheWeightedGradientIdentityHolds(_ loss: LinearModel.Loss) throws {
        let M = 8, m = 3
        let problem = try smallProblem(loss, samples: M, features: 2, l2: 0, batch: m)
        let x = randomPoint(problem.dimension)
        let g = problem.sampleGradients(at: x), sigma0 = problem.sampleCovariance(at: x)
        let d = problem.dimension
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<M { for j in 0..<d { mean[j] += g[i, j] / Double(M) } }
        var covariance = Matrix<Double>(rows: d, columns: d), subsets = 0
        func visit(_ start: Int, _ chosen: [Int]) {
            if chosen.count == m {
                subsets += 1
                let e = (0..<d).map { j in chosen.reduce(0) { $0 + g[$1, j] } / Double(m) - mean[j] }
                for a in 0..<d { for b in 0..<d { covariance[a, b] += e[a] * e[b] } }
                return
            }
            guard start < M else { return }
            for i in start..<M { visit(i + 1, chosen + [i]) }
        }
        visit(0, [])
        #expect(subsets == 56)
        let factor = 1 / Double(m) - 1 / Double(M)
        let centring = Matrix<Double>.identity(M) - (1 / Double(M)) * Matrix(rows: M, columns: M, repeating: 1)
        let weighted = Matrix.product(Matrix.product(g, centring, transposeA: true), g)
        let scale = max(1e-12, sigma0.elements.map(abs).max()!)
        for a in 0..<d {
            for b in 0..<d {
                #expect(abs(covariance[a, b] / Double(subsets) - factor * sigma0[a, b]) < 1e-12 * scale)
                #expect(abs(weighted[a, b] - Double(M - 1) * sigma0[a, b]) < 1e-11 * scale)
            }
        }
    }

    /// In d = 121 (logistic regression, 120 features and an intercept), the noise of one SME-1
    /// step over N = 4096 paths: along fixed unit directions u its sample variance must match
    /// h η (1/m − 1/M) uᵀ Σ₀ u. A sample variance of N normals has relative standard error
    /// √(2/(N − 1)) ≈ 0.022; the test allows 4 of them (a correct engine fails one direction with
    /// probability 6e-5), and the sample mean 4 standard errors of 0.
    @Test func diffusionNoiseHasPropositionOneCovarianceInHighDimension() throws {
        let p = 120, M = 300, m = 16, eta = 0.2, h = 0.05, lanes = 64, blocks = 64
        let g = GaussianStream(seed: 4, stream: .independent(8))
        let f = (0..<(M * p)).map { g.normal(path: $0 / p, draw: $0 % p) / Double(p).squareRoot() }
        let y = (0..<M).map { Double(($0 * 7) % 3 == 0 ? 1 : 0) }
        let data = try TrainingSet(features: f, count: M, featureCount: p, targets: y, source: "t").withIntercept()
        let problem = try FiniteSumProblem(model: LinearModel(loss: .logistic, featureCount: p + 1), data: data, batchSchedule: .constant(m))
        let d = problem.dimension
        let x0 = randomPoint(d, scale: 0.5)
        let drift = problem.gradient(at: x0)
        let sigma0 = problem.sampleCovariance(at: x0)
        let directions = (0..<5).map { k -> [Double] in
            let v = randomPoint(d, seed: UInt64(40 + k), scale: 1)
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / n }
        }
        var sums = [Double](repeating: 0, count: 5), squares = [Double](repeating: 0, count: 5)
        let engine = BlockEngine(problem: problem, ld: lanes)
        let z = UnsafeMutablePointer<Double>.allocate(capacity: M * lanes)
        defer { z.deallocate() }
        let driving = GaussianStream(seed: 9, stream: .driving)
        for block in 0..<blocks {
            let x = ParameterBlock(initial: x0, ld: lanes)
            driving.fill(firstPath: block * lanes, lanes: lanes, firstDraw: 0, draws: M, stride: lanes, into: z)
            engine.diffusionStep(x, order: 1, eta: eta, dt: h, sgdStep: 0, normals: z)
            for b in 0..<lanes {
                let noise = (0..<d).map { j in x.values[j * lanes + b] - x0[j] + h * drift[j] }
                for (k, u) in directions.enumerated() {
                    let s = zip(noise, u).reduce(0) { $0 + $1.0 * $1.1 }
                    sums[k] += s
                    squares[k] += s * s
                }
            }
        }
        let n = Double(lanes * blocks)
        let factor = h * eta * (1 / Double(m) - 1 / Double(M))
        for (k, u) in directions.enumerated() {
            var quadratic = 0.0
            for a in 0..<d { for b in 0..<d { quadratic += u[a] * sigma0[a, b] * u[b] } }
            let expected = factor * quadratic
            let mean = sums[k] / n, variance = (squares[k] - n * mean * mean) / (n - 1)
            #expect(abs(variance / expected - 1) < 4 * (2 / (n - 1)).squareRoot(), "direction \(k): variance \(variance) vs \(expected)")
            #expect(abs(mean) < 4 * (expected / n).squareRoot(), "direction \(k): mean \(mean)")
        }
    }

    /// SVAG with l = 1 is SGD: the same batches (same generator), bitwise the same iterate.
    @Test func svagAtLevelOneIsSGD() throws {
        let problem = try smallProblem(.logistic, samples: 30, batch: 5)
        let x0 = randomPoint(problem.dimension)
        let engine = BlockEngine(problem: problem, ld: 8)
        let a = ParameterBlock(initial: x0, ld: 8), b = ParameterBlock(initial: x0, ld: 8)
        for k in 0..<5 {
            engine.sgdStep(a, method: SGDMethod(eta: 0.1), step: k, firstPath: 3, lanes: 8, seed: 5)
            engine.svagStep(b, eta: 0.1, l: 1, step: k, firstPath: 3, lanes: 8, seed: 5)
        }
        for lane in 0..<8 { #expect(a[lane: lane] == b[lane: lane]) }
    }

    /// The top-m batch of iid normal scores is a uniform m-subset: with M = 5, m = 2 each of the
    /// 10 subsets has probability 1/10; over n = 20 000 lanes a Pearson χ² with 9 degrees of
    /// freedom exceeds 27.9 with probability 0.001 for a uniform law.
    @Test func topScoresGiveUniformBatches() throws {
        let M = 5, m = 2, n = 20_000
        let g = GaussianStream(seed: 12, stream: .independent(9))
        var counts: [Set<Int>: Int] = [:]
        let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: M)
        defer { values.deallocate() }
        for lane in 0..<n {
            let scores = (0..<M).map { g.normal(path: lane, draw: $0) }
            for i in 0..<M { values[i] = scores[i] }
            let threshold = BlockEngine<LinearModel>.largest(m, of: values)
            #expect(threshold == scores.sorted(by: >)[m - 1])
            counts[Set((0..<M).filter { scores[$0] >= threshold }), default: 0] += 1
        }
        #expect(counts.count == 10)
        let expected = Double(n) / 10
        let chi2 = counts.values.reduce(0) { $0 + pow(Double($1) - expected, 2) / expected }
        #expect(chi2 < 27.9)
    }
}
