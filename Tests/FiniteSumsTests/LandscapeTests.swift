import FiniteSums
import Foundation
import Numerics
import Problems
import Randomness
import Testing

@Suite("FiniteSumLandscape: the d ≤ 4 view of a finite sum")
struct LandscapeTests {
    /// Least squares with one feature and an intercept (d = 2), λ = 0.3.
    func problem() throws -> FiniteSumProblem<LinearModel> {
        let g = GaussianStream(seed: 5, stream: .independent(9))
        let features = (0..<12).map { g.normal(path: $0, draw: 0) }
        let targets = (0..<12).map { 0.7 * features[$0] + g.normal(path: $0, draw: 1) }
        let data = try TrainingSet(features: features, count: 12, featureCount: 1, targets: targets, source: "test").withIntercept()
        return try FiniteSumProblem(model: LinearModel(loss: .leastSquares, featureCount: 2), data: data, l2: 0.3, batchSchedule: .constant(3))
    }

    /// The same F, ∇F, ∇²F v and Σ as the block code (itself checked against finite differences
    /// and Prop. 1 by enumeration), to rounding.
    @Test func agreesWithTheBlockProblem() throws {
        let p = try problem()
        let landscape = try FiniteSumLandscape<LinearModel, Point2>(p)
        let x = [0.4, -1.1], v = [0.3, 0.9]
        let point = Point2(components: x)
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-12 * max(1, abs(b)) }
        #expect(close(landscape.value(at: point), p.value(at: x)))
        let g = p.gradient(at: x), hv = p.hessianVectorProduct(at: x, v)
        for j in 0..<2 {
            #expect(close(landscape.gradient(at: point).component(j), g[j]))
            #expect(close(landscape.hessianVectorProduct(at: point, Point2(components: v)).component(j), hv[j]))
        }
        let sigma = landscape.noiseCovariance(at: point, step: 0), s0 = p.sampleCovariance(at: x)
        for i in 0..<2 { for j in 0..<2 { #expect(close(sigma[i, j], p.covarianceFactor(atStep: 0) * s0[i, j])) } }
    }

    /// The batch gradient is unbiased with covariance Σ(x): over n = 40000 draws the sample mean
    /// lies within 4.5 standard errors √(Σ_jj/n) of ∇F (a false alarm about 1e-5 per component),
    /// and each sample variance within 4.5 of its standard error √((m₄ − m₂²)/n), with the
    /// fourth moment m₄ estimated from the same draws (the law of a 3-of-12 batch mean is not normal).
    @Test func batchGradientHasPropositionOnesMeanAndCovariance() throws {
        let landscape = try FiniteSumLandscape<LinearModel, Point2>(try problem())
        let x = Point2(0.4, -1.1), n = 40_000
        let mean = landscape.gradient(at: x), sigma = landscape.noiseCovariance(at: x, step: 0)
        var sum = Point2.zero, squares = Point2.zero, fourths = Point2.zero
        for k in 0..<n {
            var generator = PhiloxGenerator(seed: 3, stream: .initial, path: k)
            let d = landscape.stochasticGradient(at: x, step: 0, driving: .zero, generator: &generator) - mean
            sum = sum + d
            squares = squares + d * d
            fourths = fourths + (d * d) * (d * d)
        }
        for j in 0..<2 {
            let variance = sigma[j, j]
            #expect(abs(sum.component(j) / Double(n)) < 4.5 * (variance / Double(n)).squareRoot())
            let m2 = squares.component(j) / Double(n), m4 = fourths.component(j) / Double(n)
            #expect(abs(m2 - variance) < 4.5 * ((m4 - m2 * m2) / Double(n)).squareRoot(), "component \(j): \(m2) vs Σ = \(variance)")
        }
    }

    @Test func aModelOfAnotherDimensionIsRefused() throws {
        #expect(throws: FiniteSumLandscape<LinearModel, Vector3<Double>>.Failure.self) {
            _ = try FiniteSumLandscape<LinearModel, Vector3<Double>>(try problem())
        }
    }
}
