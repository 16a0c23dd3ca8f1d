import Foundation
import Numerics
import Testing
import TestSupport
@testable import Problems

@Suite struct ObjectiveTests {
    /// Closed-form gradients against central differences of the value (error O(h²) ~ 1e-10).
    @Test func gradientsMatchFiniteDifferences() {
        let dw = DoubleWell(tilt: 0.3)
        for x in stride(from: -2.0, through: 2.0, by: 0.37) {
            #expect(isClose(dw.gradient(at: x), dw.finiteDifferenceGradient(at: x), relative: 1e-8, absolute: 1e-8))
        }
        let dw2 = DoubleWell2D(stiffness: 2.5)
        let saddle = Quadratic(curvature: SquareMatrix<Point2>(columns: [Point2(-1.5, 0.2), Point2(0.2, 0.7)]), center: Point2(0.1, -0.3))
        for p in [Point2(0.3, -0.7), Point2(-1.2, 0.4), Point2(2, 1)] {
            for (g, fd) in [(dw2.gradient(at: p), dw2.finiteDifferenceGradient(at: p)), (saddle.gradient(at: p), saddle.finiteDifferenceGradient(at: p))] {
                #expect(isClose(g.x, fd.x, relative: 1e-7, absolute: 1e-8) && isClose(g.y, fd.y, relative: 1e-7, absolute: 1e-8))
            }
        }
    }

    @Test func hessiansMatchFiniteDifferences() {
        let dw2 = DoubleWell2D()
        for p in [Point2(0.3, -0.7), Point2(-1.2, 0.4)] {
            let h = dw2.hessian(at: p), fd = dw2.finiteDifferenceHessian(at: p)
            for i in 0..<2 { for j in 0..<2 { #expect(isClose(h[i, j], fd[i, j], relative: 1e-7, absolute: 1e-7)) } }
            let v = Point2(0.4, -1.1)
            let hv = dw2.hessianVectorProduct(at: p, v), reference = h * v
            #expect(hv == reference)
        }
        let dw = DoubleWell()
        #expect(isClose(dw.hessian(at: 0.8)[0, 0], dw.finiteDifferenceHessian(at: 0.8)[0, 0], relative: 1e-8))
    }

    @Test func stationaryPointsOfTheBuiltIns() {
        let dw = DoubleWell()
        #expect(dw.gradient(at: 1) == 0 && dw.gradient(at: -1) == 0 && dw.gradient(at: 0) == 0)
        #expect(dw.value(at: 0) - dw.value(at: 1) == 0.25)
        let dw2 = DoubleWell2D()
        #expect(dw2.hessian(at: Point2(0, 0))[0, 0] == -1)
    }

    @Test func squareMatrixAlgebra() {
        let m = SquareMatrix<Point2>(columns: [Point2(2, 1), Point2(1, 3)])
        let root = m.psdSquareRoot
        let square = root * root
        for i in 0..<2 { for j in 0..<2 { #expect(isClose(square[i, j], m[i, j], relative: 1e-14)) } }
        // 3-D goes through LAPACK
        let m3 = SquareMatrix<Point3>(columns: [Point3(2, 0.5, 0), Point3(0.5, 1, 0.2), Point3(0, 0.2, 0.5)])
        let r3 = m3.psdSquareRoot
        let s3 = r3 * r3
        for i in 0..<3 { for j in 0..<3 { #expect(isClose(s3[i, j], m3[i, j], relative: 1e-12, absolute: 1e-14)) } }
        #expect(SquareMatrix<Double>.scalar(4).psdSquareRoot[0, 0] == 2)
    }
}

@Suite struct NoiseModelTests {
    /// Empirical covariance of ε from 200 000 samples against Σ(x): each entry within 5
    /// standard errors, se(Σ̂_ij) = sqrt(Var(ε_i ε_j)/n) estimated from the same samples.
    @Test(arguments: NoiseDistribution.allCases)
    func sampleCovarianceMatchesSigma(distribution: NoiseDistribution) {
        let x = Point2(0.7, -1.3)
        let models: [(String, (Point2) -> Point2, SquareMatrix<Point2>)] = {
            let a = AdditiveNoise<Point2>(covariance: SquareMatrix(columns: [Point2(1, 0.3), Point2(0.3, 0.5)]), distribution: distribution)
            let m = MultiplicativeNoise<Point2>(scale: 0.8, distribution: distribution)
            let q = ModulatedNoise<Point2>(scale: 1.2, amplitudes: Point2(0.5, -0.3), distribution: distribution)
            return [("additive", { a.sample(at: x, driving: $0) }, a.covariance(at: x)),
                    ("multiplicative", { m.sample(at: x, driving: $0) }, m.covariance(at: x)),
                    ("modulated", { q.sample(at: x, driving: $0) }, q.covariance(at: x))]
        }()
        let normals = Randomness.GaussianStream(seed: 3)
        let n = 200_000
        for (name, sample, sigma) in models {
            var s = [[Double]](repeating: [0, 0], count: 2), ss = [[Double]](repeating: [0, 0], count: 2)
            var mean = [0.0, 0.0]
            for p in 0..<n {
                let e = sample(Point2(normals.normal(path: p, draw: 0), normals.normal(path: p, draw: 1)))
                mean[0] += e.x; mean[1] += e.y
                for i in 0..<2 { for j in 0..<2 {
                    let v = e.component(i) * e.component(j)
                    s[i][j] += v; ss[i][j] += v * v
                } }
            }
            for i in 0..<2 {
                #expect(abs(mean[i] / Double(n)) < monteCarloZ * (sigma[i, i] / Double(n)).squareRoot(), "\(name) mean")
                for j in 0..<2 {
                    let m = s[i][j] / Double(n)
                    // Rademacher makes ε_i² constant for diagonal models: zero variance, so only the
                    // rounding of an n-term sum is left (<= n u |Σ| = 2e-11 |Σ|)
                    let se = (max(0, ss[i][j] / Double(n) - m * m) / Double(n)).squareRoot()
                    #expect(abs(m - sigma[i, j]) < monteCarloZ * se + Double(n) * Double.ulpOfOne * (1 + abs(sigma[i, j])), "\(name) Σ[\(i),\(j)] = \(m), expected \(sigma[i, j]) ± \(se)")
                }
            }
        }
    }

    @Test func couplingFromNormalsIsMonotoneAndStandardised() {
        for d in NoiseDistribution.allCases {
            var last = -Double.infinity
            for xi in stride(from: -4.0, through: 4.0, by: 0.01) {
                let z = d.fromNormal(xi)
                #expect(z >= last)
                last = z
            }
        }
        #expect(NoiseDistribution.rademacher.fromNormal(-0.1) == -1 && NoiseDistribution.rademacher.fromNormal(0.1) == 1)
        #expect(isClose(NoiseDistribution.uniform.fromNormal(10), 3.0.squareRoot(), relative: 1e-12))
    }
}

import Randomness
