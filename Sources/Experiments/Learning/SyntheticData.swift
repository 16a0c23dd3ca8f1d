import FiniteSums
import Foundation
import Randomness

/// Reproducible synthetic learning data: features a_i ~ N(0, I_p) and labels from a random
/// teacher, so a finite sum of any size and dimension exists without a file.
///
///     least squares:  y = aᵀw* + ε/2,            w* ~ N(0, I/p)
///     logistic:       y = 1[aᵀw* + ℓ > 0],       w* ~ N(0, 4I/p), ℓ standard logistic
///     softmax:        y = argmax_k (aᵀW*_k + g_k), W* ~ N(0, 4I/p), g standard Gumbel
///     welsch:         two regimes (see `TwoRegimes`): a sharp one, a ~ N(0, σ_S² I) and
///                     y = aᵀw_S + τε, and a flat one, a ~ N(0, σ_F² I) and y = aᵀw_F + τε
///
/// The teacher's scale keeps the labels noisy (Bayes error well above 0), so the empirical
/// minimiser is finite and the gradient noise does not vanish near it. Sample i of stream s
/// uses path i of stream `.independent(100 + s)`; the teacher, stream `.independent(99)`.
public struct SyntheticData: Sendable {
    public var kind: LinearModel.Loss
    public var features: Int
    public var classes: Int
    public var seed: UInt64

    public init(kind: LinearModel.Loss, features: Int, classes: Int = 3, seed: UInt64) {
        (self.kind, self.features, self.classes, self.seed) = (kind, features, max(2, classes), seed)
    }

    var outputs: Int { kind == .softmax ? classes : 1 }

    var teacher: [Double] {
        let g = GaussianStream(seed: seed, stream: .independent(99))
        let scale = (kind == .leastSquares ? 1 : 2) / Double(features).squareRoot()
        return (0..<(features * outputs)).map { scale * g.normal(path: 0, draw: $0) }
    }

    public func samples(_ n: Int, stream s: UInt32) throws -> TrainingSet {
        if kind == .welsch { return try TwoRegimes().samples(n, features: features, seed: seed, stream: s) }
        let g = GaussianStream(seed: seed, stream: .independent(100 + s))
        let w = teacher, p = features, k = outputs
        var f = [Double](repeating: 0, count: n * p), y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            for j in 0..<p { f[i * p + j] = g.normal(path: i, draw: j) }
            var u = [Double](repeating: 0, count: k)
            for c in 0..<k { for j in 0..<p { u[c] += f[i * p + j] * w[j * k + c] } }
            var noise = PhiloxGenerator(seed: seed, stream: .independent(200 + s), path: i)
            switch kind {
            case .leastSquares, .welsch:
                y[i] = u[0] + 0.5 * g.normal(path: i, draw: p)
            case .logistic:
                let v = noise.nextUnit()
                y[i] = u[0] + log(v / (1 - v)) > 0 ? 1 : 0
            case .softmax:
                var best = 0, top = -Double.infinity
                for c in 0..<k {
                    let score = u[c] - log(-log(noise.nextUnit()))
                    if score > top { (best, top) = (c, score) }
                }
                y[i] = Double(best)
            }
        }
        let name = "synthetic \(kind.rawValue) data, p = \(p), seed \(seed)"
        return try TrainingSet(features: f, count: n, featureCount: p, targets: y, source: name)
    }
}

/// Regression data from two regimes whose Welsch finite sum has a sharp and a flat minimum
/// (paper §5), for p features (p = 1 without intercept: a 1-D landscape).
///
/// A fraction `sharpFraction` of the samples has large features (σ_S) and the teacher w_S =
/// −s·u, the rest small features (σ_F) and w_F = +s·u, u = (1, …, 1)/√p. Near w_S the large
/// features make F steep (Hessian ∝ σ_S²) *and* the per-sample gradients large, so the
/// mini-batch noise is large there; near w_F both are small. The defaults were chosen (a
/// scan over the five numbers) so that the sharp minimum is the deeper one in F, yet has the
/// smaller quasi-potential: SGD leaves it first although it is deeper, which is §5's claim.
public struct TwoRegimes: Sendable, Equatable, Codable {
    public var sharpFraction = 0.35
    public var sharpScale = 4.5
    public var flatScale = 1.2
    public var residual = 0.8
    public var separation = 0.7

    public init() {}

    public func samples(_ n: Int, features p: Int, seed: UInt64, stream s: UInt32) throws -> TrainingSet {
        let g = GaussianStream(seed: seed, stream: .independent(300 + s))
        let sharp = Int((sharpFraction * Double(n)).rounded())
        let teacher = separation / Double(p).squareRoot()
        var f = [Double](repeating: 0, count: n * p), y = [Double](repeating: 0, count: n)
        for i in 0..<n {
            let (scale, w) = i < sharp ? (sharpScale, -teacher) : (flatScale, teacher)
            var u = 0.0
            for j in 0..<p {
                f[i * p + j] = scale * g.normal(path: i, draw: j)
                u += f[i * p + j] * w
            }
            y[i] = u + residual * g.normal(path: i, draw: p)
        }
        let name = "two-regime regression data (sharp fraction \(sharpFraction), σ_S = \(sharpScale), σ_F = \(flatScale), τ = \(residual)), p = \(p), seed \(seed)"
        return try TrainingSet(features: f, count: n, featureCount: p, targets: y, source: name)
    }
}
