import Foundation
import Numerics
import Problems

/// The mean exit time of a two-dimensional diffusion from a domain D inside a box, paper
/// (4.6)-(4.7):  Σ_ij A_ij ∂_ij u + β·∇u = -1 in D, u = 0 outside, A = (η/2) S Sᵀ.
///
/// Second-order central differences on an nx x ny grid (9-point stencil when A has cross
/// terms), grid points outside D held at 0, solved by LAPACK's banded LU (`dgbsv`, bandwidth
/// nx + 1); the principal eigenvalue of -L by inverse iteration on the same factors. Refuses
/// grids whose cell Péclet number exceeds 1, saying how many points are needed.
public enum MeanExitTime2D {
    public struct Solution: Sendable {
        public var xs: [Double]
        public var ys: [Double]
        /// u[j][i] at (xs[i], ys[j]).
        public var values: [[Double]]
        public var principalEigenvalue: Double?
        public var maxPeclet: Double

        /// Bilinear interpolation.
        public func value(at p: Point2) -> Double {
            let hx = xs[1] - xs[0], hy = ys[1] - ys[0]
            let fx = (p.x - xs[0]) / hx, fy = (p.y - ys[0]) / hy
            guard fx >= 0, fy >= 0, fx < Double(xs.count - 1), fy < Double(ys.count - 1) else { return 0 }
            let i = Int(fx), j = Int(fy)
            let tx = fx - Double(i), ty = fy - Double(j)
            return (1 - tx) * (1 - ty) * values[j][i] + tx * (1 - ty) * values[j][i + 1]
                + (1 - tx) * ty * values[j + 1][i] + tx * ty * values[j + 1][i + 1]
        }

        public var maximum: Double { values.flatMap { $0 }.max() ?? 0 }
    }

    /// - Parameters:
    ///   - box: the rectangle [lower, upper] that contains D; its edges are treated as outside.
    ///   - points: (nx, ny) interior grid points.
    public static func solve<D: Domain>(domain: D, box lower: Point2, _ upper: Point2, points: (Int, Int),
                                        drift: (Point2) -> Point2, diffusion: (Point2) -> SquareMatrix<Point2>,
                                        eigenvalue: Bool = true) throws -> Solution where D.State == Point2 {
        let (nx, ny) = points
        guard nx >= 3, ny >= 3, lower.x < upper.x, lower.y < upper.y else {
            throw MeanExitTime1D.Failure.invalidInterval(lower.x, upper.x)
        }
        guard nx * ny <= 250_000 else {
            throw MeanExitTime1D.Failure.gridTooCoarse(points: nx * ny, peclet: .nan, pointsNeeded: 250_000)
        }
        let hx = (upper.x - lower.x) / Double(nx + 1), hy = (upper.y - lower.y) / Double(ny + 1)
        let n = nx * ny, kl = nx + 1, ku = nx + 1, ldab = 2 * kl + ku + 1
        var ab = [Double](repeating: 0, count: ldab * n)
        var rhs = [Double](repeating: 0, count: n)
        func index(_ i: Int, _ j: Int) -> Int { j * nx + i }
        func set(_ row: Int, _ column: Int, _ value: Double) { ab[(kl + ku + row - column) + column * ldab] += value }
        func point(_ i: Int, _ j: Int) -> Point2 { Point2(lower.x + Double(i + 1) * hx, lower.y + Double(j + 1) * hy) }
        func inside(_ i: Int, _ j: Int) -> Bool { i >= 0 && j >= 0 && i < nx && j < ny && domain.contains(point(i, j)) }
        var maxPeclet = 0.0, neededX = 1, neededY = 1
        for j in 0..<ny {
            for i in 0..<nx {
                let row = index(i, j)
                guard inside(i, j) else {
                    set(row, row, 1)
                    continue
                }
                let p = point(i, j)
                let s = diffusion(p)
                let a = 0.5 * (s * s.transposed)
                let axx = a[0, 0], ayy = a[1, 1], axy = 0.5 * (a[0, 1] + a[1, 0])
                guard axx > 0, ayy > 0 else { throw MeanExitTime1D.Failure.nonPositiveDiffusion(at: p.x) }
                let b = drift(p)
                let pe = max(abs(b.x) * hx / (2 * axx), abs(b.y) * hy / (2 * ayy))
                maxPeclet = max(maxPeclet, pe)
                if abs(b.x) * hx > 2 * axx { neededX = max(neededX, Int(((upper.x - lower.x) * abs(b.x) / (2 * axx)).rounded(.up))) }
                if abs(b.y) * hy > 2 * ayy { neededY = max(neededY, Int(((upper.y - lower.y) * abs(b.y) / (2 * ayy)).rounded(.up))) }
                // -L u = 1
                set(row, row, 2 * axx / (hx * hx) + 2 * ayy / (hy * hy))
                let neighbours: [(Int, Int, Double)] = [
                    (i - 1, j, -(axx / (hx * hx) - b.x / (2 * hx))), (i + 1, j, -(axx / (hx * hx) + b.x / (2 * hx))),
                    (i, j - 1, -(ayy / (hy * hy) - b.y / (2 * hy))), (i, j + 1, -(ayy / (hy * hy) + b.y / (2 * hy))),
                ]
                for (ii, jj, c) in neighbours where inside(ii, jj) { set(row, index(ii, jj), c) }
                if axy != 0 {
                    let c = -2 * axy / (4 * hx * hy)
                    for (ii, jj, sign) in [(i + 1, j + 1, 1.0), (i - 1, j - 1, 1.0), (i + 1, j - 1, -1.0), (i - 1, j + 1, -1.0)] where inside(ii, jj) {
                        set(row, index(ii, jj), sign * c)
                    }
                }
                rhs[row] = 1
            }
        }
        guard maxPeclet <= 1 else {
            throw MeanExitTime1D.Failure.gridTooCoarse(points: nx * ny, peclet: maxPeclet, pointsNeeded: max(neededX, nx) * max(neededY, ny))
        }
        let lu: BandedFactorization
        do { lu = try BandedFactorization(order: n, lower: kl, upper: ku, storage: ab) } catch let f as LAPACKFailure {
            throw MeanExitTime1D.Failure.lapack(f.routine, f.info)
        }
        func solveFactored(_ v: inout [Double]) throws {
            do { try lu.solve(&v) } catch let f as LAPACKFailure { throw MeanExitTime1D.Failure.lapack(f.routine, f.info) }
        }
        var u = rhs
        try solveFactored(&u)
        var mu: Double?
        if eigenvalue {
            // inverse iteration restricted to the interior unknowns (outside rows are identity)
            var v = rhs.map { $0 / Double(max(1, rhs.reduce(0, +))).squareRoot() }
            var estimate = 0.0
            for _ in 0..<200 {
                var w = v
                try solveFactored(&w)
                for k in 0..<n where rhs[k] == 0 { w[k] = 0 }
                let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
                let next = 1 / zip(v, w).reduce(0) { $0 + $1.0 * $1.1 }
                v = w.map { $0 / norm }
                if abs(next - estimate) <= 1e-12 * abs(next) { estimate = next; break }
                estimate = next
            }
            mu = estimate
        }
        let xs = (0...(nx + 1)).map { lower.x + Double($0) * hx }
        let ys = (0...(ny + 1)).map { lower.y + Double($0) * hy }
        var values = [[Double]](repeating: [Double](repeating: 0, count: nx + 2), count: ny + 2)
        for j in 0..<ny { for i in 0..<nx { values[j + 1][i + 1] = u[index(i, j)] } }
        return Solution(xs: xs, ys: ys, values: values, principalEigenvalue: mu, maxPeclet: maxPeclet)
    }
}
