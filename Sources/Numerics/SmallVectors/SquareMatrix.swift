/// A d x d matrix over a `StateVector` space (d <= 4), stored as columns.
///
/// Diffusion matrices S(x), covariances Σ(x) and Hessians are evaluated per path inside the
/// simulation loop, so they live in registers as fixed-size values rather than heap arrays;
/// conversion to `Matrix<Double>` is for theory and LAPACK.
public struct SquareMatrix<V: StateVector>: Sendable, Equatable {
    @usableFromInline var c0: V, c1: V, c2: V, c3: V

    @inlinable public init() {
        precondition(V.dimension <= 4, "SquareMatrix supports dimension <= 4")
        c0 = .zero; c1 = .zero; c2 = .zero; c3 = .zero
    }

    /// A matrix from its columns.
    @inlinable public init(columns: [V]) {
        self.init()
        precondition(columns.count == V.dimension, "expected \(V.dimension) columns")
        for (j, c) in columns.enumerated() { self[column: j] = c }
    }

    @inlinable public static var identity: SquareMatrix {
        var m = SquareMatrix()
        for j in 0..<V.dimension { m[column: j] = .basis(j) }
        return m
    }

    @inlinable public static func diagonal(_ d: V) -> SquareMatrix {
        var m = SquareMatrix()
        for j in 0..<V.dimension {
            var c = V.zero
            c.setComponent(j, to: d.component(j))
            m[column: j] = c
        }
        return m
    }

    @inlinable public static func scalar(_ s: V.Scalar) -> SquareMatrix {
        diagonal(V(repeating: s))
    }

    @inlinable public subscript(column j: Int) -> V {
        get {
            switch j {
            case 0: return c0
            case 1: return c1
            case 2: return c2
            default: return c3
            }
        }
        set {
            switch j {
            case 0: c0 = newValue
            case 1: c1 = newValue
            case 2: c2 = newValue
            default: c3 = newValue
            }
        }
    }

    @inlinable public subscript(row: Int, column: Int) -> V.Scalar {
        get { self[column: column].component(row) }
        set {
            var c = self[column: column]
            c.setComponent(row, to: newValue)
            self[column: column] = c
        }
    }

    /// M v.
    @inlinable public static func * (m: SquareMatrix, v: V) -> V {
        var r = m.c0 * V(repeating: v.component(0))
        if V.dimension > 1 { r = r + m.c1 * V(repeating: v.component(1)) }
        if V.dimension > 2 { r = r + m.c2 * V(repeating: v.component(2)) }
        if V.dimension > 3 { r = r + m.c3 * V(repeating: v.component(3)) }
        return r
    }

    @inlinable public static func * (a: SquareMatrix, b: SquareMatrix) -> SquareMatrix {
        var m = SquareMatrix()
        for j in 0..<V.dimension { m[column: j] = a * b[column: j] }
        return m
    }

    @inlinable public static func * (s: V.Scalar, m: SquareMatrix) -> SquareMatrix {
        var r = SquareMatrix()
        for j in 0..<V.dimension { r[column: j] = s * m[column: j] }
        return r
    }

    @inlinable public static func + (a: SquareMatrix, b: SquareMatrix) -> SquareMatrix {
        var r = SquareMatrix()
        for j in 0..<V.dimension { r[column: j] = a[column: j] + b[column: j] }
        return r
    }

    @inlinable public static func - (a: SquareMatrix, b: SquareMatrix) -> SquareMatrix {
        var r = SquareMatrix()
        for j in 0..<V.dimension { r[column: j] = a[column: j] - b[column: j] }
        return r
    }

    @inlinable public var transposed: SquareMatrix {
        var t = SquareMatrix()
        for i in 0..<V.dimension { for j in 0..<V.dimension { t[j, i] = self[i, j] } }
        return t
    }

    /// The outer product u vᵀ.
    @inlinable public static func outer(_ u: V, _ v: V) -> SquareMatrix {
        var m = SquareMatrix()
        for j in 0..<V.dimension { m[column: j] = v.component(j) * u }
        return m
    }

    @inlinable public var trace: V.Scalar {
        var s: V.Scalar = 0
        for i in 0..<V.dimension { s += self[i, i] }
        return s
    }

    @inlinable public var diagonalEntries: V {
        var d = V.zero
        for i in 0..<V.dimension { d.setComponent(i, to: self[i, i]) }
        return d
    }
}

extension SquareMatrix where V.Scalar == Double {
    public var matrix: Matrix<Double> {
        var m = Matrix<Double>(rows: V.dimension, columns: V.dimension)
        for i in 0..<V.dimension { for j in 0..<V.dimension { m[i, j] = self[i, j] } }
        return m
    }

    public init(_ m: Matrix<Double>) {
        precondition(m.rows == V.dimension && m.columns == V.dimension, "dimension mismatch")
        self.init()
        for i in 0..<V.dimension { for j in 0..<V.dimension { self[i, j] = m[i, j] } }
    }

    /// The symmetric PSD square root of a symmetric PSD matrix.
    ///
    /// Closed forms for d = 1 and d = 2 (sqrt(M) = (M + sqrt(det M) I) / sqrt(tr M + 2 sqrt(det M)),
    /// valid for any 2x2 PSD M), so the hot loop never calls LAPACK for the paper's problems;
    /// LAPACK's `dsyevd` for d = 3, 4. Tiny negative eigenvalues from rounding are clipped.
    @inlinable public var psdSquareRoot: SquareMatrix {
        switch V.dimension {
        case 1:
            return .scalar(max(self[0, 0], 0).squareRoot())
        case 2:
            let a = self[0, 0], b = 0.5 * (self[0, 1] + self[1, 0]), c = self[1, 1]
            let s = max(a * c - b * b, 0).squareRoot()
            let t = max(a + c + 2 * s, 0).squareRoot()
            guard t > 0 else { return SquareMatrix() }
            var r = SquareMatrix()
            r[0, 0] = (a + s) / t
            r[0, 1] = b / t
            r[1, 0] = b / t
            r[1, 1] = (c + s) / t
            return r
        default:
            let eig = try? SymmetricEigen(matrix, symmetryTolerance: 1e-8)
            guard let eig else { return SquareMatrix() }
            return SquareMatrix(eig.map { $0 > 0 ? $0.squareRoot() : 0 })
        }
    }
}
