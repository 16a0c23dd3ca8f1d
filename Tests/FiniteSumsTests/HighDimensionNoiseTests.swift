import FiniteSums
import Foundation
import Numerics
import Randomness
import Testing

@Suite("The exact SGD diffusion in d ≥ 10⁴")
struct HighDimensionNoiseTests {
    /// Softmax regression with 1000 features, an intercept and 10 classes (d = 10010), M = 64:
    /// the noise of one SME-1 step over N = 1024 paths along fixed unit directions u has sample
    /// variance h η (1/m − 1/M) uᵀΣ₀u, with uᵀΣ₀u = (1/(M − 1)) Σ_i (u·(∇f_i − ∇F))² computed from
    /// the per-sample gradients (Σ₀ itself, d × d, would take 800 MB). Tolerances as in the
    /// d = 121 test: 4 relative standard errors √(2/(N − 1)) ≈ 0.044 of a normal sample
    /// variance, and 4 standard errors for the mean. A step allocates nothing and the block is
    /// d × 64, so memory is O(M p + d B).
    @Test func diffusionNoiseHasPropositionOneCovarianceInTenThousandDimensions() throws {
        let p = 1000, M = 64, m = 8, K = 10, eta = 0.1, h = 0.05, lanes = 64, blocks = 16
        let g = GaussianStream(seed: 12, stream: .independent(8))
        let f = (0..<(M * p)).map { g.normal(path: $0 / p, draw: $0 % p) / Double(p).squareRoot() }
        let y = (0..<M).map { Double(($0 * 7) % K) }
        let data = try TrainingSet(features: f, count: M, featureCount: p, targets: y, source: "t").withIntercept()
        let problem = try FiniteSumProblem(model: LinearModel(loss: .softmax, featureCount: p + 1, classCount: K), data: data,
                                           batchSchedule: .constant(m))
        let d = problem.dimension
        #expect(d >= 10_000)
        let x0 = randomPoint(d, scale: 0.5)
        let drift = problem.gradient(at: x0)
        let perSample = problem.sampleGradients(at: x0)
        let directions = (0..<3).map { k -> [Double] in
            let v = randomPoint(d, seed: UInt64(70 + k), scale: 1)
            let n = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            return v.map { $0 / n }
        }
        var sums = [Double](repeating: 0, count: 3), squares = [Double](repeating: 0, count: 3)
        let engine = BlockEngine(problem: problem, ld: lanes)
        let z = UnsafeMutablePointer<Double>.allocate(capacity: M * lanes)
        defer { z.deallocate() }
        let driving = GaussianStream(seed: 9, stream: .driving)
        for block in 0..<blocks {
            let x = ParameterBlock(initial: x0, ld: lanes)
            driving.fill(firstPath: block * lanes, lanes: lanes, firstDraw: 0, draws: M, stride: lanes, into: z)
            engine.diffusionStep(x, order: 1, eta: eta, dt: h, sgdStep: 0, normals: z)
            for (k, u) in directions.enumerated() {
                for b in 0..<lanes {
                    var s = 0.0
                    for j in 0..<d { s += (x.values[j * lanes + b] - x0[j] + h * drift[j]) * u[j] }
                    sums[k] += s
                    squares[k] += s * s
                }
            }
        }
        let n = Double(lanes * blocks)
        let factor = h * eta * (1 / Double(m) - 1 / Double(M))
        for (k, u) in directions.enumerated() {
            let projections = (0..<M).map { i in (0..<d).reduce(0.0) { $0 + perSample[i, $1] * u[$1] } }
            let mean = projections.reduce(0, +) / Double(M)
            let quadratic = projections.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(M - 1)
            let expected = factor * quadratic
            let sampleMean = sums[k] / n, variance = (squares[k] - n * sampleMean * sampleMean) / (n - 1)
            #expect(abs(variance / expected - 1) < 4 * (2 / (n - 1)).squareRoot(), "direction \(k): variance \(variance) vs \(expected)")
            #expect(abs(sampleMean) < 4 * (expected / n).squareRoot(), "direction \(k): mean \(sampleMean)")
        }
    }
}
