import Escape
import FiniteSums
import Foundation
import Numerics
import Problems

/// The exit-time theory of one batch size m for the SDE, from exact 1-D mean first-passage times
/// with the far end of the basin one leaves reflecting (the landscape keeps rising beyond it:
/// V₀ there is 3× the barrier's, so paths go past it and come back; absorbing it, as the
/// batch-size study's E T of the interval does, counts a third of the exits at m = 1 as leaving):
///  - `sharpToBarrier`, `flatToBarrier`: from each minimum to the barrier (the first is the
///    first entry into the flat basin). The two-state chain of the indicator "X beyond the
///    barrier" jumps at rate 1/(2 E T): from the top (committor 1/2) a path falls either way, and
///    one that falls back returns to the top after another E T, so the mean time to commit is 2 E T;
///  - `sharpToFlat`, `flatToSharp`: from one minimum to the other, reported beside them. These
///    are longer than 2 E T by the descent into the other basin (1/F″ = 4.3 at the flat one), so
///    as inverse rates of the indicator they lag: at m = 2 by 0.1 in P(flat) at s = 25.
public struct BatchScheduleRates: Sendable, Codable, Equatable {
    public var batch: Int
    public var sharpExponent: Double
    public var flatExponent: Double
    public var sharpToBarrier: Double
    public var flatToBarrier: Double
    public var sharpToFlat: Double
    public var flatToSharp: Double
}

/// The theory beside each measured curve: the two-state master equation
///
///     dp/ds = (1 − p)/(2 E T_s(m(s))) − p/(2 E T_f(m(s))),   p(0) = 0   (p = P(in the flat basin)),
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
            let drift = { (x: Double) in -table.gradient(at: x) }, diffusion = { (x: Double) in 0.5 * eta * factor * table.sampleCovariance(at: x) }
            let sb = ExactMeanExitTime1D.firstPassage(from: sharp.minimum, to: sharp.barrier, reflecting: sharp.outer, drift: drift, diffusion: diffusion)
            let fb = ExactMeanExitTime1D.firstPassage(from: flat.minimum, to: flat.barrier, reflecting: flat.outer, drift: drift, diffusion: diffusion)
            let sf = ExactMeanExitTime1D.firstPassage(from: sharp.minimum, to: flat.minimum, reflecting: sharp.outer, drift: drift, diffusion: diffusion)
            let fs = ExactMeanExitTime1D.firstPassage(from: flat.minimum, to: sharp.minimum, reflecting: flat.outer, drift: drift, diffusion: diffusion)
            out[m] = BatchScheduleRates(batch: m, sharpExponent: sharp.quasiPotential / (eta * factor), flatExponent: flat.quasiPotential / (eta * factor),
                                        sharpToBarrier: sb, flatToBarrier: fb, sharpToFlat: sf, flatToSharp: fs)
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
                let a = 1 / (2 * r.sharpToBarrier), b = 1 / (2 * r.flatToBarrier), total = a + b
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
