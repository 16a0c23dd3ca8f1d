import Foundation
import Numerics
import Problems

/// The quasi-potential V(z) = inf over paths from x* to z of the Freidlin–Wentzell action, by a
/// geometric minimum action method (after Heymann & Vanden-Eijnden, "The geometric minimum
/// action method", CPAM 61, 2008): minimise the geometric action
///
///     Ŝ(φ) = ∫ ( |φ'|_a |b(φ)|_a - ⟨φ', b(φ)⟩_a ) dα,   ⟨u, v⟩_a = uᵀ a(φ)⁻¹ v,  a = S Sᵀ,
///
/// which equals inf_T ½∫₀ᵀ |φ' - b|²_a dt, over discrete paths with fixed ends. For
/// dX = b ds + √η S dB, η log E T → min_{∂D} V (Theorem 2). The discrete action uses midpoint
/// values on each segment; interior points move by L-BFGS on central-difference gradients and are
/// redistributed to equal Euclidean arclength every `reparametrizeEvery` iterations.
public enum MinimumAction {
    public struct Path<State: StateVector>: Sendable where State.Scalar == Double {
        public var points: [State]
        public var action: Double
        public var iterations: Int
        @inlinable public init(points: [State], action: Double, iterations: Int) {
            self.points = points
            self.action = action
            self.iterations = iterations
        }
    }

    @inlinable
    static func inverse<V: StateVector>(_ m: SquareMatrix<V>) -> SquareMatrix<V> where V.Scalar == Double {
        switch V.dimension {
        case 1:
            return .scalar(1 / m[0, 0])
        case 2:
            let det = m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]
            var r = SquareMatrix<V>()
            r[0, 0] = m[1, 1] / det
            r[1, 1] = m[0, 0] / det
            r[0, 1] = -m[0, 1] / det
            r[1, 0] = -m[1, 0] / det
            return r
        default:
            let eig = try? SymmetricEigen(m.matrix, symmetryTolerance: 1e-8)
            return eig.map { SquareMatrix<V>($0.map { 1 / $0 }) } ?? SquareMatrix<V>()
        }
    }

    /// The geometric action of one segment from p to q.
    @inlinable
    static func segment<V: StateVector>(_ p: V, _ q: V, drift: (V) -> V, diffusion: (V) -> SquareMatrix<V>) -> Double where V.Scalar == Double {
        let m = 0.5 * (p + q)
        let delta = q - p
        let b = drift(m)
        let s = diffusion(m)
        let aInv = inverse(s * s.transposed)
        let lengthDelta = delta.dot(aInv * delta).squareRoot()
        let lengthB = b.dot(aInv * b).squareRoot()
        return lengthDelta * lengthB - delta.dot(aInv * b)
    }

    @inlinable
    public static func action<V: StateVector>(_ points: [V], drift: (V) -> V, diffusion: (V) -> SquareMatrix<V>) -> Double where V.Scalar == Double {
        var total = 0.0
        for i in 0..<(points.count - 1) { total += segment(points[i], points[i + 1], drift: drift, diffusion: diffusion) }
        return total
    }

    @inlinable
    static func reparametrized<V: StateVector>(_ points: [V]) -> [V] where V.Scalar == Double {
        var cumulative = [0.0]
        for i in 1..<points.count { cumulative.append(cumulative[i - 1] + (points[i] - points[i - 1]).squaredNorm.squareRoot()) }
        let total = cumulative.last!
        guard total > 0 else { return points }
        var out = [points[0]]
        var j = 0
        for k in 1..<(points.count - 1) {
            let target = total * Double(k) / Double(points.count - 1)
            while cumulative[j + 1] < target { j += 1 }
            let t = (target - cumulative[j]) / max(cumulative[j + 1] - cumulative[j], .leastNonzeroMagnitude)
            out.append(points[j] + t * (points[j + 1] - points[j]))
        }
        out.append(points[points.count - 1])
        return out
    }

    /// Minimises the geometric action from `start` to `end`.
    ///
    /// - Parameters:
    ///   - initial: interior points to start from (default: the straight segment).
    ///   - segments: number of path segments M.
    @inlinable
    public static func minimize<V: StateVector>(from start: V, to end: V, drift: (V) -> V, diffusion: (V) -> SquareMatrix<V>,
                                                segments: Int = 100, initial: [V]? = nil, maxIterations: Int = 4000,
                                                reparametrizeEvery: Int = 40, tolerance: Double = 1e-11) -> Path<V> where V.Scalar == Double {
        let d = V.dimension
        var points = initial ?? (0...segments).map { start + (Double($0) / Double(segments)) * (end - start) }
        points[0] = start
        points[points.count - 1] = end
        let interior = points.count - 2
        guard interior > 0 else {
            return Path(points: points, action: action(points, drift: drift, diffusion: diffusion), iterations: 0)
        }
        func flatten(_ p: [V]) -> [Double] { p[1..<(p.count - 1)].flatMap { $0.components } }
        func unflatten(_ x: [Double]) -> [V] {
            var p = [start]
            for i in 0..<interior { p.append(V(components: Array(x[(i * d)..<((i + 1) * d)]))) }
            p.append(end)
            return p
        }
        func value(_ x: [Double]) -> Double { action(unflatten(x), drift: drift, diffusion: diffusion) }
        func gradient(_ x: [Double]) -> [Double] {
            let p = unflatten(x)
            var g = [Double](repeating: 0, count: x.count)
            for i in 0..<interior {
                let k = i + 1
                for c in 0..<d {
                    let h = 1e-7 * max(1, abs(p[k].component(c)))
                    var plus = p[k], minus = p[k]
                    plus.setComponent(c, to: p[k].component(c) + h)
                    minus.setComponent(c, to: p[k].component(c) - h)
                    let up = segment(p[k - 1], plus, drift: drift, diffusion: diffusion) + segment(plus, p[k + 1], drift: drift, diffusion: diffusion)
                    let down = segment(p[k - 1], minus, drift: drift, diffusion: diffusion) + segment(minus, p[k + 1], drift: drift, diffusion: diffusion)
                    g[i * d + c] = (up - down) / (2 * h)
                }
            }
            return g
        }
        var x = flatten(points)
        var fx = value(x)
        var gx = gradient(x)
        var sHistory: [[Double]] = [], yHistory: [[Double]] = []
        var iterations = 0
        var lastReparametrized = fx
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).reduce(0) { $0 + $1.0 * $1.1 } }
        while iterations < maxIterations {
            iterations += 1
            // L-BFGS two-loop recursion
            var q = gx
            var alphas: [Double] = []
            for (s, y) in zip(sHistory, yHistory).reversed() {
                let rho = 1 / dot(y, s)
                let alpha = rho * dot(s, q)
                alphas.append(alpha)
                for i in q.indices { q[i] -= alpha * y[i] }
            }
            if let s = sHistory.last, let y = yHistory.last {
                let gamma = dot(s, y) / dot(y, y)
                for i in q.indices { q[i] *= gamma }
            } else {
                let norm = dot(q, q).squareRoot()
                if norm > 0 { for i in q.indices { q[i] *= 1e-2 / norm } }
            }
            for ((s, y), alpha) in zip(zip(sHistory, yHistory), alphas.reversed()) {
                let rho = 1 / dot(y, s)
                let beta = rho * dot(y, q)
                for i in q.indices { q[i] += s[i] * (alpha - beta) }
            }
            var direction = q.map { -$0 }
            if dot(direction, gx) >= 0 {
                direction = gx.map { -$0 }
                sHistory = []; yHistory = []
            }
            // Armijo backtracking
            var step = 1.0
            var xNew = x, fNew = fx
            var accepted = false
            for _ in 0..<40 {
                xNew = zip(x, direction).map { $0 + step * $1 }
                fNew = value(xNew)
                if fNew <= fx + 1e-4 * step * dot(gx, direction) { accepted = true; break }
                step *= 0.5
            }
            if !accepted { break }
            let gNew = gradient(xNew)
            let s = zip(xNew, x).map { $0 - $1 }, y = zip(gNew, gx).map { $0 - $1 }
            if dot(s, y) > 1e-16 {
                sHistory.append(s); yHistory.append(y)
                if sHistory.count > 10 { sHistory.removeFirst(); yHistory.removeFirst() }
            }
            let improvement = fx - fNew
            x = xNew; fx = fNew; gx = gNew
            if iterations % reparametrizeEvery == 0 {
                x = flatten(reparametrized(unflatten(x)))
                fx = value(x)
                gx = gradient(x)
                sHistory = []; yHistory = []
                if abs(lastReparametrized - fx) <= tolerance * max(1, abs(fx)) { break }
                lastReparametrized = fx
            } else if improvement >= 0 && improvement <= tolerance * 1e-3 * max(1, abs(fx)) && dot(gx, gx).squareRoot() < 1e-9 {
                break
            }
        }
        let final = reparametrized(unflatten(x))
        return Path(points: final, action: action(final, drift: drift, diffusion: diffusion), iterations: iterations)
    }
}
