import Escape
import FiniteSums
import Foundation
import Numerics

/// One basin of the 1-D finite sum: its minimum, the maximum it is left over, and the theory
/// of its escape time at every batch size.
///
/// With D(x) = (η/2) c Σ₀(x), c = 1/m − 1/M, the exit-time exponent is ∫ F′/D = V₀/(η c) with
///
///     V₀ = 2 ∫_{x*}^{b} F′(x) / Σ₀(x) dx,
///
/// the quasi-potential per unit of η c (Freidlin–Wentzell with state-dependent noise). So
/// log E T is linear in 1/c = mM/(M − m) with slope V₀/η, and the 1-D Kramers law with that
/// noise (Laplace's method on the exact formula, absorbing at b) is
///
///     E T ≈ π / √(F″(x*) |F″(b)|) · √(Σ₀(b)/Σ₀(x*)) · exp(V₀/(η c)),
///
/// whose prefactor does not depend on m. An isotropic-noise reading with the noise of the
/// minimum, V = 2 ΔF/Σ₀(x*), orders the basins by depth instead: `localNoiseQuasiPotential`.
public struct BatchSizeBasin: Sendable, Codable, Equatable {
    /// "sharp" (the larger F″) or "flat".
    public var name: String
    public var minimum: Double
    public var value: Double
    public var curvature: Double
    public var covariance: Double
    /// The maximum between the two minima: the escape is to it.
    public var barrier: Double
    public var barrierValue: Double
    public var barrierCurvature: Double
    public var barrierCovariance: Double
    /// The far end of the exit interval: the next maximum outward, or the end of the scan.
    public var outer: Double
    public var outerIsMaximum: Bool
    public var depth: Double
    public var quasiPotential: Double
    /// V₀ again by the geometric minimum action method (independent of the quadrature).
    public var quasiPotentialMinimumAction: Double
    /// V₀ from x* to the far end: must exceed `quasiPotential`, so exits are over the barrier.
    public var outerQuasiPotential: Double
    public var localNoiseQuasiPotential: Double
    /// SGD's own quasi-potential W₀ (Cramér; see `randomWalkQuasiPotential`): SGD's exponent is
    /// W₀/(ηc) where the SDE's is V₀/(ηc).
    public var randomWalkQuasiPotential: Double
    public var kramersPrefactor: Double

    public var lower: Double { min(barrier, outer) }
    public var upper: Double { max(barrier, outer) }
}

/// The critical points of the finite sum on the scan and its two basins.
public struct BatchSizeLandscape: Sendable, Codable, Equatable {
    public struct Critical: Sendable, Codable, Equatable {
        public var x: Double
        public var value: Double
        public var curvature: Double
        public var covariance: Double
        /// "minimum" or "maximum".
        public var kind: String
    }

    public var samples: Int
    public var critical: [Critical]
    public var sharp: BatchSizeBasin
    public var flat: BatchSizeBasin
    /// Largest relative deviation of the tabulated F′ and Σ₀ from the exact finite sum.
    public var tableSlopeDeviation: Double
    public var tableCovarianceDeviation: Double

    public var basins: [BatchSizeBasin] { [sharp, flat] }

    /// - Throws: `BatchSizeError.landscape` (saying what was found) unless the scan holds two
    ///   minima with one maximum between them, each left over that maximum rather than the scan's end.
    static func analyse<Model>(_ landscape: FiniteSumLandscape<Model, Double>, table: TabulatedLandscape1D, scan: [Double]) throws -> BatchSizeLandscape {
        let lo = scan[0], hi = scan[1]
        // scanned on the table (O(1) per point), then polished by Newton steps on the exact sum
        let points = CriticalPoints1D.scan(gradient: { table.gradient(at: $0) }, lo: lo, hi: hi, points: 20_000)
        let critical = points.map { p -> Critical in
            var x = p.x
            for _ in 0..<3 {
                let e = landscape.lineMoments(at: x)
                guard e.curvature != 0 else { break }
                x -= e.slope / e.curvature
            }
            let e = landscape.lineMoments(at: x)
            return Critical(x: x, value: e.value, curvature: e.curvature, covariance: e.covariance, kind: p.isMinimum ? "minimum" : "maximum")
        }
        let listing = critical.map { "\($0.kind) at \(String(format: "%.5g", $0.x))" }.joined(separator: ", ")
        let minima = critical.indices.filter { critical[$0].kind == "minimum" }
        guard minima.count >= 2 else {
            throw BatchSizeError.landscape("the finite sum has \(minima.count) minimum on [\(lo), \(hi)] (found: \(listing.isEmpty ? "no critical point" : listing)); the batch-size study needs a sharp and a flat minimum")
        }
        // the two lowest minima, which must be neighbours
        let lowest = minima.sorted { critical[$0].value < critical[$1].value }.prefix(2).sorted()
        guard lowest[1] - lowest[0] == 2 else {
            throw BatchSizeError.landscape("the two lowest minima (x = \(String(format: "%.5g", critical[lowest[0]].x)), \(String(format: "%.5g", critical[lowest[1]].x))) are not separated by a single maximum (found: \(listing))")
        }
        let barrier = critical[lowest[0] + 1]
        let l2 = landscape.problem.l2
        func basin(_ i: Int, towards direction: Int) throws -> BatchSizeBasin {
            let m = critical[i]
            let outwardIndex = i - direction
            let outerIsMaximum = critical.indices.contains(outwardIndex)
            let limit = outerIsMaximum ? critical[outwardIndex].x : (direction > 0 ? lo : hi)
            let v0 = quasiPotential(table, from: m.x, to: barrier.x)
            let action = MinimumAction.minimize(from: m.x, to: barrier.x, drift: { -table.gradient(at: $0) },
                                                diffusion: { .scalar(table.sampleCovariance(at: $0).squareRoot()) }, segments: 400).action
            let (outer, vOuter) = outerEnd(table, from: m.x, limit: limit, target: 3 * v0)
            guard vOuter >= 1.5 * v0 else {
                throw BatchSizeError.landscape("the basin of the minimum at x = \(String(format: "%.5g", m.x)) is left almost as easily towards \(String(format: "%.5g", limit)) (V = \(String(format: "%.4g", vOuter))) as over the maximum at \(String(format: "%.5g", barrier.x)) (V = \(String(format: "%.4g", v0))): widen --scan")
            }
            return BatchSizeBasin(name: "", minimum: m.x, value: m.value, curvature: m.curvature, covariance: m.covariance, barrier: barrier.x,
                                  barrierValue: barrier.value, barrierCurvature: barrier.curvature, barrierCovariance: barrier.covariance,
                                  outer: outer, outerIsMaximum: outerIsMaximum && outer == limit, depth: barrier.value - m.value, quasiPotential: v0,
                                  quasiPotentialMinimumAction: action, outerQuasiPotential: vOuter,
                                  localNoiseQuasiPotential: 2 * (barrier.value - m.value) / m.covariance,
                                  randomWalkQuasiPotential: randomWalkQuasiPotential(slopes: { x in landscape.sampleSlopes(at: x).map { $0 + l2 * x } },
                                                                                     from: m.x, to: barrier.x),
                                  kramersPrefactor: Double.pi / (m.curvature * abs(barrier.curvature)).squareRoot()
                                      * (barrier.covariance / m.covariance).squareRoot())
        }
        var left = try basin(lowest[0], towards: 1), right = try basin(lowest[1], towards: -1)
        let leftIsSharp = left.curvature >= right.curvature
        left.name = leftIsSharp ? "sharp" : "flat"
        right.name = leftIsSharp ? "flat" : "sharp"
        let deviation = table.maximumDeviation { landscape.lineMoments(at: $0) }
        return BatchSizeLandscape(samples: landscape.count, critical: critical, sharp: leftIsSharp ? left : right, flat: leftIsSharp ? right : left,
                                  tableSlopeDeviation: deviation.slope, tableCovarianceDeviation: deviation.covariance)
    }

    /// Where the exit interval ends on the far side: the first point outward from x* at which the
    /// quasi-potential reaches `target` (so exits there are e^{−2V₀/ηc} rarer than over the
    /// barrier), or `limit` (the next maximum, or the scan's end) if it comes first. Stopping
    /// there also keeps Σ₀, which vanishes far from the data, away from zero in the PDE.
    static func outerEnd(_ table: TabulatedLandscape1D, from x: Double, limit: Double, target: Double) -> (Double, Double) {
        let n = 20_000, h = (limit - x) / Double(n)
        var v = 0.0, previous = 0.0
        for i in 1...n {
            let z = x + Double(i) * h
            let s = table.sampleCovariance(at: z)
            guard s > 0 else { return (z - h, v) }
            let q = 2 * abs(table.gradient(at: z)) / s
            v += 0.5 * abs(h) * (previous + q)
            previous = q
            if v >= target { return (z, v) }
        }
        return (limit, v)
    }

    /// 2 |∫_{x*}^{z} F′/Σ₀| by Simpson's rule on 20000 cells of the table.
    static func quasiPotential(_ table: TabulatedLandscape1D, from a: Double, to b: Double) -> Double {
        let n = 20_000, h = (b - a) / Double(n)
        var sum = 0.0
        for i in 0...n {
            let x = a + Double(i) * h
            let w: Double = (i == 0 || i == n) ? 1 : (i % 2 == 1 ? 4 : 2)
            sum += w * table.gradient(at: x) / table.sampleCovariance(at: x)
        }
        return 2 * abs(sum * h / 3)
    }
}

extension BatchSizeLandscape {
    /// SGD's own quasi-potential, beyond the diffusion approximation. As η → 0 at fixed m, the
    /// SGD chain x − η g_B obeys a large-deviation principle of speed 1/η whose Hamiltonian is
    /// the cumulant generating function of the mini-batch gradient, H(x, p) = −pF′ + Λ_m(−p),
    /// not the SDE's quadratic −pF′ + p² cΣ₀/2 (the two agree to second order in p). For batches
    /// drawn with replacement Λ_m(p) = m Λ₁(p/m), so the optimal escape momentum is p = m θ(x),
    /// θ > 0 the root of (1/M) Σ exp(θ u_i(x)) = 1 with u_i = −d f_i′ the step direction towards
    /// the barrier (d = ±1); the exponent is m W₀/η with W₀ = ∫ θ dx. For small θ the root is
    /// 2F′/Σ₀, so W₀ → V₀ when the per-sample gradients are nearly Gaussian; skewness along the
    /// escape direction moves it either way. (Without replacement m ≪ M changes this by O(m/M).)
    static func randomWalkQuasiPotential(slopes: (Double) -> [Double], from a: Double, to b: Double, cells: Int = 200) -> Double {
        let direction: Double = b > a ? 1 : -1, h = (b - a) / Double(cells)
        var sum = 0.0
        for i in 0...cells {
            let x = a + Double(i) * h
            let w: Double = (i == 0 || i == cells) ? 1 : (i % 2 == 1 ? 4 : 2)
            sum += w * cramerRoot(slopes(x).map { -direction * $0 })
        }
        return abs(sum * h / 3)
    }

    /// θ > 0 with log mean exp(θ u_i) = 0, when mean u < 0 and some u_i > 0 (else 0 or ∞).
    static func cramerRoot(_ u: [Double]) -> Double {
        let n = Double(u.count)
        func phi(_ t: Double) -> Double {
            let top = u.map { t * $0 }.max()!
            return top + log(u.reduce(0) { $0 + exp(t * $1 - top) } / n)
        }
        let mean = u.reduce(0, +) / n
        guard mean < 0 else { return 0 }
        guard u.contains(where: { $0 > 0 }) else { return .infinity }
        // φ is convex with φ(0) = 0 > φ′(0): Newton's method from a point right of the root
        // decreases monotonically onto it
        var t = 1.0
        while phi(t) <= 0 { t *= 2 }
        for _ in 0..<100 {
            let top = u.map { t * $0 }.max()!
            var sum = 0.0, weighted = 0.0
            for v in u {
                let e = exp(t * v - top)
                sum += e
                weighted += v * e
            }
            let value = top + log(sum / n), slope = weighted / sum
            let next = t - value / slope
            if !(next < t) || t - next <= 1e-14 * t { return next.isFinite ? min(next, t) : t }
            t = next
        }
        return t
    }
}
