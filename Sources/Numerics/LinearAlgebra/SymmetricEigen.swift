import CLinearAlgebra

/// The eigen-decomposition A = V diag(λ) Vᵀ of a real symmetric matrix (LAPACK `dsyevd`).
public struct SymmetricEigen: Sendable {
    /// Eigenvalues in ascending order.
    public let values: [Double]
    /// Eigenvectors as columns: `vectors[i, k]` is component i of the k-th eigenvector.
    public let vectors: Matrix<Double>

    public enum Failure: Error, CustomStringConvertible {
        case notSquare(rows: Int, columns: Int)
        case notSymmetric(asymmetry: Double)
        case notFinite
        case lapack(info: Int32)

        public var description: String {
            switch self {
            case .notSquare(let r, let c): return "matrix is \(r)x\(c), not square"
            case .notSymmetric(let a): return "matrix is not symmetric (max |a_ij - a_ji| = \(a))"
            case .notFinite: return "matrix has NaN or infinite entries"
            case .lapack(let info): return "LAPACK dsyevd failed (info = \(info))"
            }
        }
    }

    /// - Parameter tolerance: allowed |a_ij - a_ji| relative to max |a_ij|; the decomposition
    ///   uses the lower triangle.
    public init(_ a: Matrix<Double>, symmetryTolerance tolerance: Double = 1e-10) throws {
        guard a.isSquare else { throw Failure.notSquare(rows: a.rows, columns: a.columns) }
        guard a.elements.allSatisfy(\.isFinite) else { throw Failure.notFinite }
        let scale = max(a.maxNorm, .leastNormalMagnitude)
        guard a.asymmetry <= tolerance * scale else { throw Failure.notSymmetric(asymmetry: a.asymmetry) }
        let n = a.rows
        guard n > 0 else {
            values = []
            vectors = Matrix(rows: 0, columns: 0)
            return
        }
        var work = a.elements
        var w = [Double](repeating: 0, count: n)
        let info = work.withUnsafeMutableBufferPointer { pa in
            w.withUnsafeMutableBufferPointer { pw in
                LAPACKE_dsyevd(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "L")),
                               Int32(n), pa.baseAddress, Int32(n), pw.baseAddress)
            }
        }
        guard info == 0 else { throw Failure.lapack(info: info) }
        values = w
        vectors = Matrix(rows: n, columns: n, elements: work)
    }

    /// The k-th eigenvector (unit length).
    public func vector(_ k: Int) -> [Double] { (0..<vectors.rows).map { vectors[$0, k] } }

    /// V diag(f(λ)) Vᵀ.
    public func map(_ f: (Double) -> Double) -> Matrix<Double> {
        let n = values.count
        var out = Matrix<Double>(rows: n, columns: n)
        let fv = values.map(f)
        for i in 0..<n {
            for j in 0...i {
                var s = 0.0
                for k in 0..<n { s += vectors[i, k] * fv[k] * vectors[j, k] }
                out[i, j] = s
                out[j, i] = s
            }
        }
        return out
    }
}

extension Matrix where Scalar == Double {
    /// The symmetric positive semidefinite square root S = Σ^{1/2} (S = Sᵀ, S S = Σ).
    ///
    /// Eigenvalues that round to slightly negative values (|λ| <= tolerance * max|λ|) are
    /// treated as zero; clearly negative ones are an error, since Σ is then not a covariance.
    public func psdSquareRoot(tolerance: Double = 1e-12) throws -> Matrix<Double> {
        let eig = try SymmetricEigen(self)
        let scale = eig.values.map(abs).max() ?? 0
        if let worst = eig.values.first, worst < -tolerance * max(scale, .leastNormalMagnitude) {
            throw PSDFailure.negativeEigenvalue(worst)
        }
        return eig.map { $0 > 0 ? $0.squareRoot() : 0 }
    }
}

public enum PSDFailure: Error, CustomStringConvertible {
    case negativeEigenvalue(Double)
    public var description: String {
        switch self {
        case .negativeEigenvalue(let v): return "matrix is not positive semidefinite (eigenvalue \(v))"
        }
    }
}
