import Numerics

/// What the batch-size study needs of a 1-D finite sum at one point, exactly: F, F′, F″ and the
/// per-sample gradient variance Σ₀ with its derivative Σ₀′ (from the per-sample Hessians), so
/// that a table of them can be interpolated by cubic Hermite pieces that match both.
public struct LineMoments: Sendable, Equatable {
    public var value: Double
    public var slope: Double
    public var curvature: Double
    public var covariance: Double
    public var covarianceSlope: Double
}

extension FiniteSumLandscape where State == Double {
    /// The per-sample gradients f_i′(x) (without the L2 term, which adds no noise).
    public func sampleSlopes(at x: Double) -> [Double] {
        var g = [Double](repeating: 0, count: count)
        withSamples(at: x) { sample in
            for i in 0..<count { g[i] = sample(i).gradient }
        }
        return g
    }

    /// Σ₀ = (1/(M−1)) Σ (g_i − ḡ)², Σ₀′ = (2/(M−1)) Σ (g_i − ḡ)(h_i − h̄), with g_i = f_i′ and h_i = f_i″.
    public func lineMoments(at x: Double) -> LineMoments {
        let n = count
        var g = [Double](repeating: 0, count: n), h = [Double](repeating: 0, count: n)
        var loss = 0.0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: 4 + scratchCount) { buffer in
            let base = buffer.baseAddress!
            let parameters = base, gradient = base + 1, direction = base + 2, product = base + 3, scratch = base + 4
            (parameters[0], direction[0]) = (x, 1)
            features.withUnsafeBufferPointer { a in
                targets.withUnsafeBufferPointer { y in
                    for i in 0..<n {
                        let row = a.baseAddress! + i * featureCount
                        loss += problem.model.sampleLossAndGradient(features: row, target: y[i], parameters: parameters, gradient: gradient, scratch: scratch)
                        g[i] = gradient[0]
                        problem.model.sampleHessianVectorProduct(features: row, target: y[i], parameters: parameters, direction: direction,
                                                                 product: product, scratch: scratch)
                        h[i] = product[0]
                    }
                }
            }
        }
        let meanG = g.reduce(0, +) / Double(n), meanH = h.reduce(0, +) / Double(n)
        var variance = 0.0, covariation = 0.0
        for i in 0..<n {
            variance += (g[i] - meanG) * (g[i] - meanG)
            covariation += (g[i] - meanG) * (h[i] - meanH)
        }
        let l2 = problem.l2
        return LineMoments(value: loss / Double(n) + 0.5 * l2 * x * x, slope: meanG + l2 * x, curvature: meanH + l2,
                           covariance: variance / Double(n - 1), covarianceSlope: 2 * covariation / Double(n - 1))
    }
}
