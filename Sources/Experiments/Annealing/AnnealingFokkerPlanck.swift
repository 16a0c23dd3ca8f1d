import Foundation

/// The 1-D Fokker–Planck equation of the annealed diffusion,
///
///     ∂p/∂s = ∂ₓ(F′p + (ε(s)/2) ∂ₓp),   ε(s) = γ/log(2 + s),
///
/// solved to very large s (1e40 and beyond) with implicit Euler steps that grow with s
/// (dt = q·s), which the slow log-schedule needs: the interesting time scale, the inter-well
/// hopping time e^{2d/ε} = (2 + s)^{2d/γ}, is itself a power of s.
///
/// Space: Scharfetter–Gummel fluxes, J = (ε/2Δx)[B(ΔU) p_i − B(−ΔU) p_{i+1}] with U = 2F/ε and
/// B(z) = z/(eᶻ − 1), so the discrete stationary law is exactly ∝ e^{−2F/ε} on the grid however
/// coarse it is compared with the wells' width √ε.
///
/// Linear algebra: with dt·rates up to 1e43 the "1" of I − dt·L drops out of every pivot, and
/// ordinary Gaussian elimination would lose the inter-well leakage (relative size e^{−2d/ε},
/// down to 1e-40) entirely. The tridiagonal solve is instead written subtraction-free (as the
/// Grassmann–Taksar–Heyman algorithm is for Markov chains): every pivot is a sum of positive
/// terms, so each p_i, however small, is computed to a few ulps.
struct AnnealingFokkerPlanck {
    /// Nodes x_i = origin + i Δx, i in first..<first + values.count.
    let dx: Double
    let nodes: [Double]
    let values: [Double]
    let gamma: Double
    /// True: node 0 is absorbing (p = 0 there); the unknowns are the nodes after it.
    let absorbing: Bool
    let timeRatio: Double
    /// The smallest step, for s near 0 where q·s would vanish.
    let minimumStep: Double

    /// What the solve reports at each output time.
    struct Sample {
        var time: Double
        /// Reflecting: the mass in `weights` (P(X ∈ A^ε)) and the rest, each summed from
        /// positive terms (so a complement of 1e-30 keeps its digits).
        var inside: Double
        var outside: Double
        /// Absorbing: log of the surviving mass, and the hazard (absorbed flux per unit mass).
        var logSurvival: Double
        var hazard: Double
    }

    @inline(__always)
    static func bernoulli(_ z: Double) -> Double {
        abs(z) < 1e-8 ? 1 - 0.5 * z : z / expm1(z)
    }

    /// Marches from a point mass at node `start` (index into `nodes`) through `times`; `weights`
    /// are the fractions of each node's cell inside A^ε.
    func solve(start: Int, times: [Double], weights: [Double]) -> [Sample] {
        let offset = absorbing ? 1 : 0
        let n = nodes.count - offset
        var p = [Double](repeating: 0, count: n)
        p[start - offset] = 1 / dx
        var up = [Double](repeating: 0, count: n), down = [Double](repeating: 0, count: n)
        var e = [Double](repeating: 0, count: n), d = [Double](repeating: 0, count: n), y = [Double](repeating: 0, count: n)
        var s = 0.0, logSurvival = 0.0
        var out: [Sample] = []
        func rates(at time: Double) {
            let eps = gamma / log(2 + time)
            let c = eps / (2 * dx * dx)
            for k in 0..<n {
                let i = k + offset
                up[k] = i + 1 < nodes.count ? c * Self.bernoulli(2 * (values[i + 1] - values[i]) / eps) : 0
                down[k] = i > 0 ? c * Self.bernoulli(2 * (values[i - 1] - values[i]) / eps) : 0
            }
        }
        for target in times {
            let dtWanted = max(minimumStep, timeRatio * s)
            let steps = max(1, Int(((target - s) / dtWanted).rounded(.up)))
            let start = s
            for j in 1...steps {
                let next = j == steps ? target : start + (target - start) * Double(j) / Double(steps)
                let dt = next - s
                rates(at: next)
                // forward elimination, positive terms only (see the type's comment)
                e[0] = 1 + dt * down[0]
                d[0] = e[0] + dt * up[0]
                y[0] = p[0]
                for k in 1..<n {
                    e[k] = 1 + dt * down[k] * (e[k - 1] / d[k - 1])
                    d[k] = e[k] + dt * up[k]
                    y[k] = p[k] + dt * up[k - 1] * (y[k - 1] / d[k - 1])
                }
                p[n - 1] = y[n - 1] / d[n - 1]
                for k in stride(from: n - 2, through: 0, by: -1) { p[k] = (y[k] + dt * down[k + 1] * p[k + 1]) / d[k] }
                var mass = 0.0
                for k in 0..<n { mass += p[k] }
                mass *= dx
                if absorbing {
                    // right-endpoint rule for ∫h: exact in the quasi-stationary limit even when
                    // dt·h is large, where −log(1 + dt·h) (the step's own mass loss) is not
                    logSurvival -= dt * down[0] * p[0] * dx / mass
                }
                let scale = 1 / mass
                for k in 0..<n { p[k] *= scale }
                s = next
            }
            var inside = 0.0, outside = 0.0
            for k in 0..<n {
                let w = weights[k + offset]
                inside += w * p[k]
                outside += (1 - w) * p[k]
            }
            out.append(Sample(time: target, inside: inside * dx, outside: outside * dx, logSurvival: logSurvival,
                              hazard: absorbing ? down[0] * p[0] * dx : 0))
        }
        return out
    }
}
