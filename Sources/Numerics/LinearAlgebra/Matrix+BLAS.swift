import CLinearAlgebra

/// Float and Double: the element types OpenBLAS multiplies.
public protocol BLASScalar: BinaryFloatingPoint, Sendable, Codable {
    /// C = alpha op(A) op(B) + beta C on raw row-major storage. Implementation detail.
    static func _gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                      a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                      beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)
}

extension Float: BLASScalar {
    public static func _gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

extension Double: BLASScalar {
    public static func _gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                             a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                             beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
        cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
}

extension Matrix {
    /// The product op(a) op(b) through OpenBLAS GEMM.
    ///
    /// - Complexity: O(m n k) flops; about 2 m n k / (200e9) seconds for Float on two AVX-512
    ///   cores with the right kernel (see `BLASRuntime`).
    public static func product(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false) -> Matrix {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        precondition(k == kb, "inner dimensions differ: \(k) vs \(kb)")
        var c = Matrix(rows: m, columns: n)
        guard m > 0, n > 0 else { return c }
        if k == 0 { return c }
        a.elements.withUnsafeBufferPointer { pa in
            b.elements.withUnsafeBufferPointer { pb in
                c.elements.withUnsafeMutableBufferPointer { pc in
                    Scalar._gemm(transA: transposeA, transB: transposeB, m: m, n: n, k: k, alpha: 1,
                                 a: pa.baseAddress!, lda: a.columns, b: pb.baseAddress!, ldb: b.columns,
                                 beta: 0, c: pc.baseAddress!, ldc: n)
                }
            }
        }
        return c
    }

    public static func * (a: Matrix, b: Matrix) -> Matrix { product(a, b) }

    /// The textbook triple loop, for checking BLAS.
    public static func naiveProduct(_ a: Matrix, _ b: Matrix) -> Matrix {
        precondition(a.columns == b.rows, "inner dimensions differ")
        var c = Matrix(rows: a.rows, columns: b.columns)
        for i in 0..<a.rows {
            for p in 0..<a.columns {
                let aip = a[i, p]
                for j in 0..<b.columns { c[i, j] += aip * b[p, j] }
            }
        }
        return c
    }
}
