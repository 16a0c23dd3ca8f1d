/// A dense row-major matrix of Float or Double.
///
/// Storage is a Swift array; BLAS and LAPACK see it only inside `Numerics`, so no pointer,
/// leading dimension or storage order leaks into the public API.
public struct Matrix<Scalar: BLASScalar>: Equatable, Sendable {
    public private(set) var rows: Int
    public private(set) var columns: Int
    /// Row-major elements: element (i, j) is `elements[i * columns + j]`.
    public var elements: [Scalar]

    public init(rows: Int, columns: Int, repeating value: Scalar = 0) {
        precondition(rows >= 0 && columns >= 0, "matrix dimensions must be non-negative")
        self.rows = rows
        self.columns = columns
        elements = Array(repeating: value, count: rows * columns)
    }

    public init(rows: Int, columns: Int, elements: [Scalar]) {
        precondition(elements.count == rows * columns, "expected \(rows * columns) elements, got \(elements.count)")
        self.rows = rows
        self.columns = columns
        self.elements = elements
    }

    /// A matrix from nested rows, e.g. `Matrix([[1, 2], [3, 4]])`.
    public init(_ nestedRows: [[Scalar]]) {
        let columns = nestedRows.first?.count ?? 0
        precondition(nestedRows.allSatisfy { $0.count == columns }, "rows must have equal length")
        self.init(rows: nestedRows.count, columns: columns, elements: nestedRows.flatMap { $0 })
    }

    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m[i, i] = 1 }
        return m
    }

    public static func diagonal(_ values: [Scalar]) -> Matrix {
        var m = Matrix(rows: values.count, columns: values.count)
        for (i, v) in values.enumerated() { m[i, i] = v }
        return m
    }

    @inlinable
    public subscript(row: Int, column: Int) -> Scalar {
        get { elements[row * columns + column] }
        set { elements[row * columns + column] = newValue }
    }

    public var isSquare: Bool { rows == columns }

    public var transposed: Matrix {
        var t = Matrix(rows: columns, columns: rows)
        for i in 0..<rows { for j in 0..<columns { t[j, i] = self[i, j] } }
        return t
    }

    public func row(_ i: Int) -> [Scalar] { Array(elements[i * columns..<(i + 1) * columns]) }

    /// Largest |a_ij - a_ji|, zero for exactly symmetric matrices.
    public var asymmetry: Scalar {
        precondition(isSquare, "asymmetry needs a square matrix")
        var worst: Scalar = 0
        for i in 0..<rows { for j in 0..<i { worst = max(worst, abs(self[i, j] - self[j, i])) } }
        return worst
    }

    public static func + (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "dimension mismatch")
        return Matrix(rows: a.rows, columns: a.columns, elements: zip(a.elements, b.elements).map { $0 + $1 })
    }

    public static func - (a: Matrix, b: Matrix) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "dimension mismatch")
        return Matrix(rows: a.rows, columns: a.columns, elements: zip(a.elements, b.elements).map { $0 - $1 })
    }

    public static func * (s: Scalar, a: Matrix) -> Matrix {
        Matrix(rows: a.rows, columns: a.columns, elements: a.elements.map { s * $0 })
    }

    /// Matrix-vector product.
    public static func * (a: Matrix, v: [Scalar]) -> [Scalar] {
        precondition(a.columns == v.count, "dimension mismatch")
        return (0..<a.rows).map { i in
            var s: Scalar = 0
            for j in 0..<a.columns { s += a[i, j] * v[j] }
            return s
        }
    }

    /// Largest |a_ij|.
    public var maxNorm: Scalar { elements.reduce(0) { max($0, abs($1)) } }
}
