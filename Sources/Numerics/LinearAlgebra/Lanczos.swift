import Foundation

/// Extreme eigenvalues of a symmetric operator known only through products v ↦ A v (a Hessian
/// through Hessian-vector products), by the Lanczos process with full reorthogonalisation.
///
/// After k steps the Ritz values (eigenvalues of the k x k tridiagonal T_k) approximate the
/// extreme eigenvalues; for a Ritz pair (θ, y = V s) the residual ‖A y - θ y‖ equals
/// β_k |s_k| exactly in exact arithmetic, so some eigenvalue of A lies within that distance of θ:
/// that residual is the error bar reported.
public enum Lanczos {
    public struct Result: Sendable, Codable, Equatable {
        /// The largest and smallest Ritz values.
        public var largest: Double
        public var smallest: Double
        /// Residual bounds: an eigenvalue of A lies within these distances of them.
        public var largestResidual: Double
        public var smallestResidual: Double
        public var steps: Int
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case invalid(String)
        case nonFinite(step: Int)
        public var description: String {
            switch self {
            case .invalid(let why): return "Lanczos: \(why)"
            case .nonFinite(let k): return "Lanczos: the operator returned non-finite values at step \(k)"
            }
        }
    }

    /// - Parameters:
    ///   - start: the starting vector (random, so that it is not orthogonal to the eigenvector sought).
    ///   - steps: at most this many products; stops early when the Krylov space is invariant.
    public static func extremeEigenvalues(dimension n: Int, start: [Double], steps: Int, apply: ([Double]) throws -> [Double]) throws -> Result {
        guard n >= 1, start.count == n else { throw Failure.invalid("start vector of length \(start.count) for dimension \(n)") }
        guard steps >= 1 else { throw Failure.invalid("steps = \(steps) (need at least 1)") }
        let startNorm = norm(start)
        guard startNorm > 0, startNorm.isFinite else { throw Failure.invalid("start vector must be nonzero and finite") }
        var basis: [[Double]] = [start.map { $0 / startNorm }]
        var alpha: [Double] = [], beta: [Double] = []
        for k in 0..<min(steps, n) {
            var w = try apply(basis[k])
            guard w.count == n, w.allSatisfy(\.isFinite) else { throw Failure.nonFinite(step: k) }
            let a = dot(w, basis[k])
            alpha.append(a)
            // full reorthogonalisation, twice ("twice is enough", Giraud et al. 2005)
            for _ in 0..<2 {
                for v in basis {
                    let c = dot(w, v)
                    for i in 0..<n { w[i] -= c * v[i] }
                }
            }
            let b = norm(w)
            beta.append(b)
            if b <= 1e-12 * max(1, abs(a)) || k == min(steps, n) - 1 { break }
            basis.append(w.map { $0 / b })
        }
        let k = alpha.count
        var t = Matrix<Double>(rows: k, columns: k)
        for i in 0..<k {
            t[i, i] = alpha[i]
            if i + 1 < k { t[i, i + 1] = beta[i]; t[i + 1, i] = beta[i] }
        }
        let eigen = try SymmetricEigen(t)
        let order = eigen.values.indices.sorted { eigen.values[$0] < eigen.values[$1] }
        let low = order.first!, high = order.last!
        let lastBeta = beta[k - 1]
        return Result(largest: eigen.values[high], smallest: eigen.values[low],
                      largestResidual: abs(lastBeta * eigen.vectors[k - 1, high]), smallestResidual: abs(lastBeta * eigen.vectors[k - 1, low]),
                      steps: k)
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var s = 0.0
        for i in 0..<a.count { s += a[i] * b[i] }
        return s
    }

    static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }
}
