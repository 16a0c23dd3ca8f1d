import Numerics
import Problems
import Randomness

/// A 1-D finite sum's F, F′ and Σ₀ tabulated once on a uniform grid and interpolated by cubic
/// Hermite pieces (values and derivatives both exact at the nodes), for the SDE of Proposition 1
///
///     dX = −F′(X) ds + √(η (1/m − 1/M) Σ₀(X)) dB
///
/// at O(1) per step instead of the O(M) of `FiniteSumLandscape` (the exit-time ensembles take
/// 10⁹ steps). The interpolation error is O(δ⁴) in the node spacing δ; `maximumDeviation`
/// measures it against the exact finite sum at the midpoints, where it is largest.
/// Outside [lower, upper] the end pieces are extended as constants: the studies keep paths inside.
/// Sendable by hand: the pointer reads immutable nodes that `storage` keeps alive.
public struct TabulatedLandscape1D: StochasticGradientProblem, @unchecked Sendable {
    public typealias State = Double
    public let lower: Double
    public let upper: Double
    public let spacing: Double
    /// (1/m − 1/M): the diffusion is √(factor · Σ₀).
    public let covarianceFactor: Double
    @usableFromInline let storage: TableStorage
    /// The nodes, read through a pointer: an array read in the step would retain and release
    /// its buffer on every call, and those atomic counts cost more than the interpolation.
    @usableFromInline let table: UnsafePointer<LineMoments>
    @usableFromInline let nodeCount: Int
    @usableFromInline let inverseSpacing: Double

    public init(nodes: [LineMoments], lower: Double, upper: Double, covarianceFactor: Double) {
        precondition(nodes.count >= 2 && upper > lower && covarianceFactor >= 0)
        self.init(storage: TableStorage(nodes), lower: lower, upper: upper, covarianceFactor: covarianceFactor)
    }

    init(storage: TableStorage, lower: Double, upper: Double, covarianceFactor: Double) {
        (self.storage, self.lower, self.upper, self.covarianceFactor) = (storage, lower, upper, covarianceFactor)
        table = UnsafePointer(storage.pointer)
        nodeCount = storage.count
        spacing = (upper - lower) / Double(nodeCount - 1)
        inverseSpacing = 1 / spacing
    }

    /// Owns the nodes for as long as any copy of the table lives.
    @usableFromInline final class TableStorage: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<LineMoments>
        let count: Int
        init(_ nodes: [LineMoments]) {
            count = nodes.count
            pointer = .allocate(capacity: count)
            pointer.initialize(from: nodes, count: count)
        }
        deinit { pointer.deallocate() }
    }

    @usableFromInline var nodes: UnsafeBufferPointer<LineMoments> { UnsafeBufferPointer(start: table, count: nodeCount) }

    /// Tabulates `landscape` on `count` nodes over [lower, upper].
    public init<Model: FiniteSumModel>(_ landscape: FiniteSumLandscape<Model, Double>, lower: Double, upper: Double, count: Int, covarianceFactor: Double) {
        let h = (upper - lower) / Double(count - 1)
        self.init(nodes: (0..<count).map { landscape.lineMoments(at: lower + Double($0) * h) }, lower: lower, upper: upper, covarianceFactor: covarianceFactor)
    }

    /// The same table for another batch size.
    public func with(covarianceFactor: Double) -> TabulatedLandscape1D {
        TabulatedLandscape1D(storage: storage, lower: lower, upper: upper, covarianceFactor: covarianceFactor)
    }

    public var name: String { "finite-sum (tabulated)" }

    /// (piece, t ∈ [0, 1]) of x, clamped to the table.
    @inlinable func locate(_ x: Double) -> (Int, Double) {
        let u = min(max((x - lower) * inverseSpacing, 0), Double(nodeCount - 1))
        // u is in [0, n − 1] (NaN fails both comparisons and lands at 0)
        let j = min(Int(u.isNaN ? 0 : u), nodeCount - 2)
        return (j, u - Double(j))
    }

    @inlinable func hermite(_ f0: Double, _ d0: Double, _ f1: Double, _ d1: Double, _ t: Double) -> Double {
        let t2 = t * t, t3 = t2 * t
        return (2 * t3 - 3 * t2 + 1) * f0 + (t3 - 2 * t2 + t) * spacing * d0 + (3 * t2 - 2 * t3) * f1 + (t3 - t2) * spacing * d1
    }

    @inlinable func hermiteSlope(_ f0: Double, _ d0: Double, _ f1: Double, _ d1: Double, _ t: Double) -> Double {
        let t2 = t * t
        return ((6 * t2 - 6 * t) * (f0 - f1)) * inverseSpacing + (3 * t2 - 4 * t + 1) * d0 + (3 * t2 - 2 * t) * d1
    }

    @inlinable public func value(at x: Double) -> Double {
        let (j, t) = locate(x), a = table[j], b = table[j + 1]
        return hermite(a.value, a.slope, b.value, b.slope, t)
    }

    @inlinable public func gradient(at x: Double) -> Double {
        let (j, t) = locate(x), a = table[j], b = table[j + 1]
        return hermite(a.slope, a.curvature, b.slope, b.curvature, t)
    }

    @inlinable public func hessian(at x: Double) -> SquareMatrix<Double> {
        let (j, t) = locate(x), a = table[j], b = table[j + 1]
        return .scalar(hermiteSlope(a.slope, a.curvature, b.slope, b.curvature, t))
    }

    @inlinable public func hessianVectorProduct(at x: Double, _ v: Double) -> Double { hessian(at: x)[0, 0] * v }

    /// Σ₀(x), floored at 0 (the interpolant of a positive function can dip below it between nodes).
    @inlinable public func sampleCovariance(at x: Double) -> Double {
        let (j, t) = locate(x), a = table[j], b = table[j + 1]
        return max(0, hermite(a.covariance, a.covarianceSlope, b.covariance, b.covarianceSlope, t))
    }

    @inlinable public func noiseCovariance(at x: Double, step: Int) -> SquareMatrix<Double> { .scalar(covarianceFactor * sampleCovariance(at: x)) }

    @inlinable public func noiseFactor(at x: Double, step: Int) -> SquareMatrix<Double> { .scalar((covarianceFactor * sampleCovariance(at: x)).squareRoot()) }

    @inlinable public func applyNoiseFactor(at x: Double, step: Int, _ z: Double) -> Double { (covarianceFactor * sampleCovariance(at: x)).squareRoot() * z }

    /// Gaussian gradient noise of the tabulated covariance (the study runs SGD on the real finite sum).
    @inlinable public func stochasticGradient(at x: Double, step: Int, driving: Double, generator: inout PhiloxGenerator) -> Double {
        gradient(at: x) + applyNoiseFactor(at: x, step: step, driving)
    }

    public var noiseStructure: NoiseStructure { .diagonal }
    public var isNoiseFree: Bool { covarianceFactor == 0 }

    /// The largest relative deviation of F′ and Σ₀ from `exact` at the midpoints of the pieces
    /// (relative to the largest |F′| and Σ₀ on the table).
    public func maximumDeviation(from exact: (Double) -> LineMoments) -> (slope: Double, covariance: Double) {
        let slopeScale = nodes.map { abs($0.slope) }.max()!, covarianceScale = nodes.map(\.covariance).max()!
        var slope = 0.0, covariance = 0.0
        for j in 0..<(nodes.count - 1) {
            let x = lower + (Double(j) + 0.5) * spacing, e = exact(x)
            slope = max(slope, abs(gradient(at: x) - e.slope) / slopeScale)
            covariance = max(covariance, abs(sampleCovariance(at: x) - e.covariance) / covarianceScale)
        }
        return (slope, covariance)
    }
}
