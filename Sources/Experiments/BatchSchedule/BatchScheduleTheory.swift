import Escape
import FiniteSums
import Foundation
import Numerics
import Problems

/// The exit-time theory of one batch size m for the SDE, from the exact 1-D mean exit times:
///  - `sharpToBarrier`: E T from the sharp minimum to the barrier (the batch-size study's E T,
///    the time of first reaching the flat basin);
///  - `sharpToFlat`, `flatToSharp`: the mean transition times from one minimum to the other
///    (absorbing at the other minimum; the far end of the basin one leaves is absorbing too, but
///    its quasi-potential is ≥ 1.5 V₀ so it changes the time by a fraction e^{−V₀/(ηc)}).
/// The transition times, not the times to the barrier top (about half of them: from the top a
/// path falls either way), are the two-state chain's inverse rates.
public struct BatchScheduleRates: Sendable, Codable, Equatable {
    public var batch: Int
    public var sharpExponent: Double
    public var flatExponent: Double
    public var sharpToBarrier: Double
    public var sharpToFlat: Double
    public var flatToSharp: Double
}

/// The theory beside each measured curve: the two-state master equation
///
///     dp/ds = (1 − p)/τ_sf(m(s)) − p/τ_fs(m(s)),   p(0) = 0   (p = P(in the flat basin)),
///
/// and the first-reach law P(not yet reached by S) = exp(−∫₀^S ds / E T_sb(m(s))), both
/// integrated exactly over the pieces where m is constant (m changes only at SGD iterations).
public struct BatchScheduleTheory: Sendable {
    public let rates: [Int: BatchScheduleRates]

    public struct Curve: Sendable, Codable, Equatable {
        public var times: [Double]
        public var flat: [Double]
        public var reached: [Double]
        /// E[first-reach time | reached by S], S the last time.
        public var meanFirstReach: Double
    }

    /// Solves the three mean exit times at every m the schedules use (200 000 cells each).
    static func rates(for batches: Set<Int>, basins land: BatchSizeLandscape, table: TabulatedLandscape1D, eta: Double, samples total: Int) -> [Int: BatchScheduleRates] {
        let sharp = land.sharp, flat = land.flat
        var out: [Int: BatchScheduleRates] = [:]
        for m in batches.sorted() {
            let factor = 1 / Double(m) - 1 / Double(total)
            func time(_ a: Double, _ b: Double, from x: Double) -> Double {
                ExactMeanExitTime1D.solve(lower: a, upper: b, drift: { -table.gradient(at: $0) },
                                          diffusion: { 0.5 * eta * factor * table.sampleCovariance(at: $0) }, intervals: 200_000).value(at: x)
            }
            let towardsFlat = flat.minimum > sharp.minimum
            let sb = time(sharp.lower, sharp.upper, from: sharp.minimum)
            let sf = towardsFlat ? time(sharp.outer, flat.minimum, from: sharp.minimum) : time(flat.minimum, sharp.outer, from: sharp.minimum)
            let fs = towardsFlat ? time(sharp.minimum, flat.outer, from: flat.minimum) : time(flat.outer, sharp.minimum, from: flat.minimum)
            out[m] = BatchScheduleRates(batch: m, sharpExponent: sharp.quasiPotential / (eta * factor), flatExponent: flat.quasiPotential / (eta * factor),
                                        sharpToBarrier: sb, sharpToFlat: sf, flatToSharp: fs)
        }
        return out
    }

    /// The curves at the checkpoints (iteration counts), from the sharp minimum at s = 0.
    func curve(_ schedule: BatchSchedule, eta: Double, checkpoints: [Int]) -> Curve {
        var p = 0.0, logSurvival = 0.0, firstReachMoment = 0.0
        var flat: [Double] = [], reached: [Double] = [], times: [Double] = []
        var k = 0
        for target in checkpoints {
            while k < target {
                // the run of iterations with the same m
                let m = schedule.batchSize(atStep: k)
                var end = k + 1
                while end < target && schedule.batchSize(atStep: end) == m { end += 1 }
                let r = rates[m]!, duration = Double(end - k) * eta, s0 = Double(k) * eta
                let a = 1 / r.sharpToFlat, b = 1 / r.flatToSharp, total = a + b
                let equilibrium = a / total
                p = equilibrium + (p - equilibrium) * exp(-total * duration)
                // ∫ s dF over the piece, F the first-reach law with hazard λ = 1/E T_sb
                let lambda = 1 / r.sharpToBarrier, survival = exp(logSurvival), decay = exp(-lambda * duration)
                firstReachMoment += survival * ((s0 + 1 / lambda) - (s0 + duration + 1 / lambda) * decay)
                logSurvival -= lambda * duration
                k = end
            }
            times.append(Double(target) * eta)
            flat.append(p)
            reached.append(-expm1(logSurvival))
        }
        let last = reached.last ?? 0
        return Curve(times: times, flat: flat, reached: reached, meanFirstReach: last > 0 ? firstReachMoment / last : .nan)
    }

    /// E F at the end: each basin's minimum value plus its quasi-stationary excess
    /// E[F − F(x*)] ≈ F″ Var/2 = η c Σ₀(x*)/4 (Var = η c Σ₀/(2F″) of the linearised SDE).
    static func finalLoss(flat p: Double, basins land: BatchSizeLandscape, eta: Double, factor: Double) -> Double {
        let excess = { (b: BatchSizeBasin) in b.value + eta * factor * b.covariance / 4 }
        return p * excess(land.flat) + (1 - p) * excess(land.sharp)
    }
}
