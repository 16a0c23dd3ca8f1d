import CLinearAlgebra

/// A LAPACK routine reported failure (`info` ≠ 0: a singular pivot or an illegal argument).
public struct LAPACKFailure: Error, CustomStringConvertible, Equatable {
    public var routine: String
    public var info: Int32
    public var description: String { "LAPACK \(routine) failed with info = \(info)" }
}

/// Tridiagonal systems T x = b, T given by its three diagonals (LAPACK `dgtsv`, `dgttrf/s`).
public enum Tridiagonal {
    /// Solves T x = b in place of `rhs` (one Gaussian elimination with partial pivoting).
    ///
    /// - Precondition: `lower.count == upper.count == diagonal.count - 1 == rhs.count - 1`.
    /// - Complexity: O(n).
    public static func solve(lower: [Double], diagonal: [Double], upper: [Double], rhs: inout [Double]) throws {
        let n = diagonal.count
        precondition(lower.count == max(n - 1, 0) && upper.count == max(n - 1, 0) && rhs.count == n, "tridiagonal dimensions")
        var (dl, d, du) = (lower, diagonal, upper)
        let info = LAPACKE_dgtsv(LAPACK_COL_MAJOR, Int32(n), 1, &dl, &d, &du, &rhs, Int32(n))
        guard info == 0 else { throw LAPACKFailure(routine: "dgtsv", info: info) }
    }

    /// An LU factorisation, for many solves with one matrix (inverse iteration).
    public struct Factorization: Sendable {
        let n: Int
        let dl: [Double], d: [Double], du: [Double], du2: [Double]
        let pivots: [Int32]

        public init(lower: [Double], diagonal: [Double], upper: [Double]) throws {
            n = diagonal.count
            var (dl, d, du) = (lower, diagonal, upper)
            var du2 = [Double](repeating: 0, count: max(n - 2, 1))
            var ipiv = [Int32](repeating: 0, count: n)
            let info = LAPACKE_dgttrf(Int32(n), &dl, &d, &du, &du2, &ipiv)
            guard info == 0 else { throw LAPACKFailure(routine: "dgttrf", info: info) }
            (self.dl, self.d, self.du, self.du2, pivots) = (dl, d, du, du2, ipiv)
        }

        /// Overwrites `b` with T⁻¹ b.
        public func solve(_ b: inout [Double]) throws {
            let info = LAPACKE_dgttrs(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), Int32(n), 1, dl, d, du, du2, pivots, &b, Int32(n))
            guard info == 0 else { throw LAPACKFailure(routine: "dgttrs", info: info) }
        }
    }
}

/// The LU factorisation of a general band matrix in LAPACK's band storage (`dgbtrf/s`).
public struct BandedFactorization: Sendable {
    let n: Int, lowerBandwidth: Int, upperBandwidth: Int, leadingDimension: Int
    let storage: [Double]
    let pivots: [Int32]

    /// - Parameter storage: the n×n matrix with `lower` sub- and `upper` superdiagonals in
    ///   LAPACK band layout, column-major with leading dimension 2·lower + upper + 1 (the extra
    ///   `lower` rows hold the fill-in of pivoting).
    /// - Complexity: O(n · lower · (lower + upper)).
    public init(order n: Int, lower kl: Int, upper ku: Int, storage: [Double]) throws {
        let ldab = 2 * kl + ku + 1
        precondition(storage.count == ldab * n, "band storage must hold (2 kl + ku + 1) n values")
        var ab = storage
        var ipiv = [Int32](repeating: 0, count: n)
        let info = LAPACKE_dgbtrf(LAPACK_COL_MAJOR, Int32(n), Int32(n), Int32(kl), Int32(ku), &ab, Int32(ldab), &ipiv)
        guard info == 0 else { throw LAPACKFailure(routine: "dgbtrf", info: info) }
        (self.n, lowerBandwidth, upperBandwidth, leadingDimension, self.storage, pivots) = (n, kl, ku, ldab, ab, ipiv)
    }

    /// Overwrites `b` with A⁻¹ b.
    public func solve(_ b: inout [Double]) throws {
        let info = LAPACKE_dgbtrs(LAPACK_COL_MAJOR, Int8(UInt8(ascii: "N")), Int32(n), Int32(lowerBandwidth), Int32(upperBandwidth), 1,
                                  storage, Int32(leadingDimension), pivots, &b, Int32(n))
        guard info == 0 else { throw LAPACKFailure(routine: "dgbtrs", info: info) }
    }
}
