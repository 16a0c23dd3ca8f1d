import Foundation
import Numerics

/// The mean exit time u(x) = E_x T of a one-dimensional diffusion from (a, b), paper (4.5)-(4.7):
///
///     L u = D(x) u'' + β(x) u' = -1 on (a, b),  u(a) = u(b) = 0,   D = (η/2) S², β = drift,
///
/// by central finite differences on n interior points (LAPACK `dgtsv`), and the principal
/// eigenvalue μ₁ of -L by inverse iteration on the same factorisation (`dgttrf`/`dgttrs`).
///
/// Central differences keep the discrete maximum principle only while the cell Péclet number
/// |β| Δx / (2D) is at most 1; a coarser grid is refused with the resolution it would need.
public enum MeanExitTime1D {
    public struct Solution: Sendable, Codable {
        public var grid: [Double]
        public var values: [Double]
        public var principalEigenvalue: Double?
        public var maxPeclet: Double

        /// u at x by linear interpolation (0 outside the interval).
        public func value(at x: Double) -> Double {
            guard let first = grid.first, let last = grid.last, x > first, x < last else { return 0 }
            let h = grid[1] - grid[0]
            let i = min(Int((x - first) / h), grid.count - 2)
            let t = (x - grid[i]) / h
            return (1 - t) * values[i] + t * values[i + 1]
        }

        public var maximum: Double { values.max() ?? 0 }
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case gridTooCoarse(points: Int, peclet: Double, pointsNeeded: Int)
        case invalidInterval(Double, Double)
        case nonPositiveDiffusion(at: Double)
        case lapack(String, Int32)

        public var description: String {
            switch self {
            case .gridTooCoarse(let n, let pe, let needed):
                return String(format: "PDE grid of %d points is too coarse for this noise level: cell Péclet number %.3g > 1 (central differences lose the maximum principle); use at least %d points", n, pe, needed)
            case .invalidInterval(let a, let b): return "invalid interval (\(a), \(b)) for the mean exit time PDE"
            case .nonPositiveDiffusion(let x): return "diffusion coefficient is not positive at x = \(x); the exit-time PDE needs S(x)S(x)ᵀ > 0"
            case .lapack(let routine, let info): return "LAPACK \(routine) failed (info = \(info))"
            }
        }
    }

    /// - Parameters:
    ///   - drift: β(x).
    ///   - diffusion: D(x) = (η/2) S(x)².
    ///   - points: interior grid points n.
    public static func solve(lower a: Double, upper b: Double, drift: (Double) -> Double, diffusion: (Double) -> Double,
                             points n: Int, eigenvalue: Bool = true) throws -> Solution {
        guard a.isFinite, b.isFinite, a < b, n >= 3 else { throw Failure.invalidInterval(a, b) }
        let h = (b - a) / Double(n + 1)
        var lower = [Double](repeating: 0, count: n - 1), diagonal = [Double](repeating: 0, count: n)
        var upper = [Double](repeating: 0, count: n - 1)
        var maxPeclet = 0.0, neededSpacing = Double.infinity
        for i in 0..<n {
            let x = a + Double(i + 1) * h
            let dx = diffusion(x), bx = drift(x)
            guard dx > 0, dx.isFinite else { throw Failure.nonPositiveDiffusion(at: x) }
            maxPeclet = max(maxPeclet, abs(bx) * h / (2 * dx))
            if bx != 0 { neededSpacing = min(neededSpacing, 2 * dx / abs(bx)) }
            // -L u = 1: negate so the matrix is an M-matrix with positive diagonal
            diagonal[i] = 2 * dx / (h * h)
            if i > 0 { lower[i - 1] = -(dx / (h * h) - bx / (2 * h)) }
            if i < n - 1 { upper[i] = -(dx / (h * h) + bx / (2 * h)) }
        }
        guard maxPeclet <= 1 else {
            // the needed spacing from a fine scan including the ends, where |β| is often largest
            for k in 0...10_000 {
                let x = a + (b - a) * Double(k) / 10_000
                let bx = drift(x)
                if bx != 0 { neededSpacing = min(neededSpacing, 2 * diffusion(x) / abs(bx)) }
            }
            throw Failure.gridTooCoarse(points: n, peclet: maxPeclet, pointsNeeded: Int(((b - a) / neededSpacing).rounded(.up)) + 1)
        }
        var rhs = [Double](repeating: 1, count: n)
        do { try Tridiagonal.solve(lower: lower, diagonal: diagonal, upper: upper, rhs: &rhs) } catch let f as LAPACKFailure {
            throw Failure.lapack(f.routine, f.info)
        }
        var mu: Double?
        if eigenvalue { mu = try principalEigenvalue(lower: lower, diagonal: diagonal, upper: upper) }
        let grid = (0...(n + 1)).map { a + Double($0) * h }
        return Solution(grid: grid, values: [0] + rhs + [0], principalEigenvalue: mu, maxPeclet: maxPeclet)
    }

    /// Inverse iteration for the eigenvalue of smallest modulus of the tridiagonal -L, which is
    /// the real, positive principal eigenvalue (Krein–Rutman) and is separated from the next
    /// by an O(1) gap when it is exponentially small, so a few iterations converge.
    static func principalEigenvalue(lower: [Double], diagonal: [Double], upper: [Double]) throws -> Double {
        let n = diagonal.count
        let lu: Tridiagonal.Factorization
        do { lu = try Tridiagonal.Factorization(lower: lower, diagonal: diagonal, upper: upper) } catch let f as LAPACKFailure {
            throw Failure.lapack(f.routine, f.info)
        }
        var v = [Double](repeating: 1 / Double(n).squareRoot(), count: n)
        var mu = 0.0
        for _ in 0..<200 {
            var w = v
            do { try lu.solve(&w) } catch let f as LAPACKFailure { throw Failure.lapack(f.routine, f.info) }
            let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
            let next = zip(v, w).reduce(0) { $0 + $1.0 * $1.1 }
            let estimate = 1 / next  // Rayleigh-like: vᵀv / vᵀ(-L)⁻¹v with |v| = 1
            v = w.map { $0 / norm }
            if abs(estimate - mu) <= 1e-13 * abs(estimate) { return estimate }
            mu = estimate
        }
        return mu
    }
}

/// The exact mean exit time of a 1-D diffusion by quadrature of the double-integral formula:
/// with ψ(x) = exp(∫_a^x β/D) and J(y) = ψ(y)⁻¹ ∫_a^y ψ/D,
///
///     u(x) = ∫_a^x (C/ψ(y) - J(y)) dy,   C = ∫_a^b J / ∫_a^b ψ⁻¹,
///
/// evaluated in scaled form (ψ spans e^{±1000} at small η) by the trapezoidal rule on
/// `intervals` cells. Independent of the finite-difference solver, against which it is tested.
public enum ExactMeanExitTime1D {
    public static func solve(lower a: Double, upper b: Double, drift: (Double) -> Double, diffusion: (Double) -> Double,
                             intervals n: Int = 400_000) -> MeanExitTime1D.Solution {
        let h = (b - a) / Double(n)
        var logPsi = [Double](repeating: 0, count: n + 1)
        var ratio = [Double](repeating: 0, count: n + 1)  // β/D
        for i in 0...n { let x = a + Double(i) * h; ratio[i] = drift(x) / diffusion(x) }
        for i in 1...n { logPsi[i] = logPsi[i - 1] + 0.5 * h * (ratio[i - 1] + ratio[i]) }
        var inverseD = [Double](repeating: 0, count: n + 1)
        for i in 0...n { inverseD[i] = 1 / diffusion(a + Double(i) * h) }
        // J_{i+1} = J_i e^{L_i - L_{i+1}} + trapezoid of e^{L(z) - L_{i+1}} / D over the cell
        var j = [Double](repeating: 0, count: n + 1)
        for i in 0..<n {
            let decay = exp(logPsi[i] - logPsi[i + 1])
            j[i + 1] = j[i] * decay + 0.5 * h * (decay * inverseD[i] + inverseD[i + 1])
        }
        // log ∫ ψ⁻¹ by log-sum-exp, ∫ J directly
        let m = -(logPsi.min() ?? 0)
        var sumInverse = 0.0, sumJ = 0.0
        for i in 0...n {
            let w = (i == 0 || i == n) ? 0.5 * h : h
            sumInverse += w * exp(-logPsi[i] - m)
            sumJ += w * j[i]
        }
        let logC = log(sumJ) - (log(sumInverse) + m)
        var u = [Double](repeating: 0, count: n + 1)
        var previous = exp(logC - logPsi[0]) - j[0]
        for i in 1...n {
            let slope = exp(logC - logPsi[i]) - j[i]
            u[i] = u[i - 1] + 0.5 * h * (previous + slope)
            previous = slope
        }
        return MeanExitTime1D.Solution(grid: (0...n).map { a + Double($0) * h }, values: u, principalEigenvalue: nil, maxPeclet: 0)
    }

    /// E of the first time X reaches `target` from x, for dX = β ds + √(2D) dB reflected at
    /// `reflecting` (on the other side of x): u(x) = ∫_x^t J, J(y) = ∫_r^y e^{L(z) − L(y)}/D(z) dz,
    /// L = ∫ β/D, by the trapezoidal rule on `cells` cells in scaled form (L spans e^{±1000}),
    /// as `solve`. Written in u = σ(x − r), σ = ±1, so the reflecting end is u = 0.
    public static func firstPassage(from x: Double, to target: Double, reflecting r: Double, drift: (Double) -> Double, diffusion: (Double) -> Double,
                                 cells n: Int = 200_000) -> Double {
        let sigma: Double = target > r ? 1 : -1, length = abs(target - r), h = length / Double(n)
        func point(_ i: Int) -> Double { r + sigma * Double(i) * h }
        var ratio = [Double](repeating: 0, count: n + 1), inverseD = [Double](repeating: 0, count: n + 1)
        for i in 0...n {
            let y = point(i), d = diffusion(y)
            ratio[i] = sigma * drift(y) / d
            inverseD[i] = 1 / d
        }
        // J_{i+1} = J_i e^{L_i − L_{i+1}} + the trapezoid of e^{L − L_{i+1}}/D over the cell
        var j = [Double](repeating: 0, count: n + 1)
        for i in 0..<n {
            let decay = exp(-0.5 * h * (ratio[i] + ratio[i + 1]))
            j[i + 1] = j[i] * decay + 0.5 * h * (decay * inverseD[i] + inverseD[i + 1])
        }
        let start = abs(x - r) / h, first = min(n, Int(start.rounded(.up)))
        // ∫ from the start to the first node, then node to node
        var u = (Double(first) - start) * h * j[first]
        for i in first..<n { u += 0.5 * h * (j[i] + j[i + 1]) }
        return u
    }
}
