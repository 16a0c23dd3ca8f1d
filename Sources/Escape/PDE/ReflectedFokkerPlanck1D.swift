import Foundation
import Numerics

/// The law at time S of the 1-D Itô diffusion dX = b(X) ds + √(2D(X)) dB on [a, c] with
/// reflecting ends, from a point mass: the exact answer the Monte Carlo P(X_S ∈ A) is judged
/// against when the two-state (Kramers) reading does not apply, because the barrier is low or
/// S is short compared with the relaxation inside a basin.
///
/// Space: the Fokker–Planck flux J = b p − (D p)′ = −e^{−Ψ} (e^{Ψ} D p)′ with Ψ′ = −b/D is
/// discretised by Scharfetter–Gummel on q = D p, which makes the scheme a birth–death chain
/// whose rates
///
///     up_i = D_i B(ΔΨ_i)/Δx²,   down_{i+1} = D_{i+1} B(−ΔΨ_i)/Δx²,   B(z) = z/(eᶻ − 1),
///
/// satisfy detailed balance with respect to e^{−Ψ}/D exactly, the continuum stationary law,
/// however coarse the grid is against a basin's width; ΔΨ_i = ∫ −b/D over the cell (Simpson).
/// Time: BDF2 after one implicit-Euler step, both with one LU factorisation (the generator is
/// time-independent), so S/dt steps cost O(n) each. Mass is conserved to rounding because
/// every column of the generator sums to zero.
public struct ReflectedFokkerPlanck1D: Sendable {
    public let nodes: [Double]
    public let spacing: Double
    /// up[i]: rate i → i + 1; down[i]: rate i → i − 1 (zero at the reflecting ends).
    let up: [Double]
    let down: [Double]
    /// Ψ at the nodes relative to node 0, and log D there: the stationary law is ∝ e^{−Ψ}/D.
    let potential: [Double]
    let logDiffusion: [Double]

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case invalid(String)
        public var description: String { switch self { case .invalid(let why): return "Fokker–Planck: \(why)" } }
    }

    public init(lower a: Double, upper c: Double, cells: Int, drift b: (Double) -> Double, diffusion D: (Double) -> Double) throws {
        guard a.isFinite, c.isFinite, a < c else { throw Failure.invalid("interval [\(a), \(c)] (need finite a < c)") }
        guard cells >= 4 else { throw Failure.invalid("\(cells) cells (need ≥ 4)") }
        let dx = (c - a) / Double(cells)
        let x = (0...cells).map { a + Double($0) * dx }
        let d = x.map(D)
        for (xi, di) in zip(x, d) where !(di.isFinite && di > 0) {
            throw Failure.invalid("the diffusion coefficient is \(di) at x = \(xi) (need D > 0 on the whole interval)")
        }
        var psi = [0.0], upRates = [Double](repeating: 0, count: cells + 1), downRates = upRates
        for i in 0..<cells {
            let mid = x[i] + dx / 2, dMid = D(mid)
            guard dMid.isFinite, dMid > 0 else { throw Failure.invalid("the diffusion coefficient is \(dMid) at x = \(mid) (need D > 0)") }
            let increment = -(dx / 6) * (b(x[i]) / d[i] + 4 * b(mid) / dMid + b(x[i + 1]) / d[i + 1])
            guard increment.isFinite else { throw Failure.invalid("the drift is not finite on [\(x[i]), \(x[i + 1])]") }
            psi.append(psi[i] + increment)
            upRates[i] = d[i] * Self.bernoulli(increment) / (dx * dx)
            downRates[i + 1] = d[i + 1] * Self.bernoulli(-increment) / (dx * dx)
        }
        (nodes, spacing, up, down, potential, logDiffusion) = (x, dx, upRates, downRates, psi, d.map { log($0) })
    }

    @inline(__always) static func bernoulli(_ z: Double) -> Double {
        abs(z) < 1e-8 ? 1 - 0.5 * z : z / expm1(z)
    }

    /// The probabilities of the nodes at time S, from a point mass at x₀ (split between its two
    /// neighbouring nodes so that the mean is x₀), after `steps` time steps.
    public func evolve(from x0: Double, time S: Double, steps: Int) throws -> [Double] {
        guard x0 >= nodes[0], x0 <= nodes[nodes.count - 1] else { throw Failure.invalid("start \(x0) outside [\(nodes[0]), \(nodes.last!)]") }
        guard S.isFinite, S >= 0 else { throw Failure.invalid("time \(S) (need S ≥ 0)") }
        guard steps >= 1 else { throw Failure.invalid("\(steps) time steps (need ≥ 1)") }
        let n = nodes.count
        var p = [Double](repeating: 0, count: n)
        let u = min(Double(n - 1), (x0 - nodes[0]) / spacing), i0 = min(Int(u), n - 2), w = u - Double(i0)
        p[i0] = 1 - w
        p[i0 + 1] = w
        guard S > 0 else { return p }
        let dt = S / Double(steps)
        // (I − θ dt L), L the generator acting on the probabilities: (Lp)_i = up_{i−1}p_{i−1}
        // − (up_i + down_i) p_i + down_{i+1} p_{i+1}
        func system(_ theta: Double) throws -> Tridiagonal.Factorization {
            let k = theta * dt
            let lower = (0..<(n - 1)).map { -k * up[$0] }
            let upper = (0..<(n - 1)).map { -k * down[$0 + 1] }
            let diagonal = (0..<n).map { 1 + k * (up[$0] + down[$0]) }
            return try Tridiagonal.Factorization(lower: lower, diagonal: diagonal, upper: upper)
        }
        var previous = p
        try system(1).solve(&p)
        guard steps > 1 else { return p }
        let bdf2 = try system(2.0 / 3)
        var rhs = p
        for _ in 1..<steps {
            for i in 0..<n { rhs[i] = (4 * p[i] - previous[i]) / 3 }
            previous = p
            try bdf2.solve(&rhs)
            swap(&p, &rhs)
        }
        return p
    }

    /// The chain's stationary law, ∝ e^{−Ψ}/D at the nodes.
    public var stationary: [Double] {
        let logWeights = zip(potential, logDiffusion).map { -$0 - $1 }
        let top = logWeights.max()!
        let weights = logWeights.map { exp($0 - top) }
        let total = weights.reduce(0, +)
        return weights.map { $0 / total }
    }

    /// Σ p_i over the nodes in A.
    public func mass(_ p: [Double], where inside: (Double) -> Bool) -> Double {
        var total = 0.0
        for (x, q) in zip(nodes, p) where inside(x) { total += q }
        return total
    }
}
