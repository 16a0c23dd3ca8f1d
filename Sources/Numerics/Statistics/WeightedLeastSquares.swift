import CLinearAlgebra

/// Weighted linear least squares y ≈ Σ_k β_k f_k(x) with known standard errors σ_i, for models
/// with a few basis functions (the line fit is the special case f = (1, x)).
///
/// Solved through the normal equations (XᵀWX) β = XᵀWy with LAPACK's Cholesky (`dposv`); the
/// coefficient covariance is (XᵀWX)⁻¹, inflated by χ²/ν when the points scatter more than their
/// errors allow (Birge ratio), as in `WeightedLinearFit`.
public struct WeightedLeastSquares: Sendable, Equatable, Codable {
    public var coefficients: [Double]
    public var standardErrors: [Double]
    public var chiSquared: Double
    public var degreesOfFreedom: Int
    public var birgeRatio: Double

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case tooFewPoints(points: Int, parameters: Int)
        case singular
        public var description: String {
            switch self {
            case .tooFewPoints(let n, let p): return "\(n) points cannot determine \(p) coefficients"
            case .singular: return "the basis functions are linearly dependent on these points"
            }
        }
    }

    /// - Parameter design: design[i][k] = f_k(x_i).
    public init(design: [[Double]], y: [Double], standardErrors sigma: [Double]) throws {
        let n = y.count, p = design.first?.count ?? 0
        guard n >= p, p >= 1 else { throw Failure.tooFewPoints(points: n, parameters: p) }
        var normal = [Double](repeating: 0, count: p * p), rhs = [Double](repeating: 0, count: p)
        for i in 0..<n {
            let w = 1 / (sigma[i] * sigma[i])
            for a in 0..<p {
                rhs[a] += w * design[i][a] * y[i]
                for b in 0..<p { normal[a * p + b] += w * design[i][a] * design[i][b] }
            }
        }
        var factor = normal
        var beta = rhs
        let info = LAPACKE_dposv(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(p), 1, &factor, Int32(p), &beta, 1)
        guard info == 0 else { throw Failure.singular }
        // covariance: solve (XᵀWX) C = I with the same factors
        var inverse = [Double](repeating: 0, count: p * p)
        for k in 0..<p { inverse[k * p + k] = 1 }
        let solved = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(p), Int32(p), factor, Int32(p), &inverse, Int32(p))
        guard solved == 0 else { throw Failure.singular }
        var chi2 = 0.0
        for i in 0..<n {
            var fitted = 0.0
            for k in 0..<p { fitted += beta[k] * design[i][k] }
            chi2 += (y[i] - fitted) * (y[i] - fitted) / (sigma[i] * sigma[i])
        }
        coefficients = beta
        chiSquared = chi2
        degreesOfFreedom = n - p
        let ratio = degreesOfFreedom > 0 ? max(1, (chi2 / Double(degreesOfFreedom)).squareRoot()) : 1
        birgeRatio = ratio
        standardErrors = (0..<p).map { (inverse[$0 * p + $0]).squareRoot() * ratio }
    }

    /// A two-sided interval for coefficient k (normal quantile with known errors, Student-t
    /// with ν degrees of freedom after Birge inflation).
    public func interval(_ k: Int, level: Double = 0.95) -> ClosedRange<Double> {
        let q = birgeRatio > 1 && degreesOfFreedom > 0
            ? Distributions.studentTQuantile(0.5 + level / 2, degreesOfFreedom: Double(degreesOfFreedom))
            : Distributions.normalQuantile(0.5 + level / 2)
        return boundedInterval(coefficients[k] - q * standardErrors[k], coefficients[k] + q * standardErrors[k])
    }
}
