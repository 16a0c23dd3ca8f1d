import Ensembles
import Escape
import FiniteSums
import Foundation
import Numerics
import Problems
import Randomness

/// The exit ensemble of `OneFeatureSGD` from an interval, eight paths at a time in SIMD lanes:
/// tally for tally the `ExitEnsemble` of the same dynamics (the same picks from the same Philox
/// words, the same arithmetic in the same order, the same exit and censoring rules).
///
/// Where the generic engine spends an SGD iteration (profiled with callgrind on the batch-size
/// study): building a `PhiloxGenerator` and running one Philox block per two draws in scalar
/// code, the closure and scan of `BatchSampler`, and the lane bookkeeping of `ExitEnsemble`
/// (arrays of flags read per lane per step). Here the Philox rounds run over eight lanes at
/// once, Lemire's multiply is two 32×32→64 products per lane (n = j + 1 < 2³²), Floyd's "was t
/// taken" is a vector compare against the earlier picks, and a lane whose path ends takes the
/// next path at once. The tally's sums are exact (`ExactSum`), so the order in which paths
/// finish does not change a bit of it.
///
/// Not vectorised: the Welsch weight exp(−r²), called per lane from libm as the generic model
/// does; a vector exp would have to reproduce the libm variant chosen at run time bit for bit.
/// A draw that Lemire's method would reject (probability n/2⁶⁴) is redone by the scalar step.
public struct OneFeatureSGDExit: Sendable {
    public typealias Lanes = SIMD8<Double>
    public typealias Words = SIMD8<UInt64>
    public let ensemble: ExitEnsemble<OneFeatureSGD, Interval>
    let batch: Int
    /// Floyd's scan compares each pick with all earlier ones: O(m²), beyond which the generic
    /// engine's bitset is the better tool.
    public static let maximumBatch = 64

    /// nil unless the batch size is constant and at most `maximumBatch` (the generic engine
    /// covers the rest).
    public init?(_ ensemble: ExitEnsemble<OneFeatureSGD, Interval>) {
        guard let m = ensemble.dynamics.constantBatch, m <= Self.maximumBatch, ensemble.dynamics.count < 1 << 32 else { return nil }
        self.ensemble = ensemble
        batch = m
    }

    public var emptyTally: Tally { ensemble.emptyTally }

    /// Simulates the given paths and returns their tally.
    public func simulate(paths: Range<Int>) -> Tally {
        let lanes = Lanes.scalarCount
        let start = ensemble.start, maxSteps = UInt64(ensemble.maxSteps)
        var tally = emptyTally
        var x = Lanes(repeating: start)
        var path = Words(repeating: 0), step = Words(repeating: 0)
        var active = SIMDMask<Words.MaskStorage>(repeating: false)
        var next = paths.lowerBound
        for lane in 0..<lanes where next < paths.upperBound {
            path[lane] = UInt64(next)
            active[lane] = true
            next += 1
        }
        let lower = Lanes(repeating: ensemble.domain.lower), upper = Lanes(repeating: ensemble.domain.upper)
        withUnsafeTemporaryAllocation(of: Words.self, capacity: batch) { picks in
            let picks = picks.baseAddress!
            while any(active) {
                var y = advance(x, path: path, step: step, picks: picks)
                var after = step &+ 1
                // the common case in one test: every lane inside, finite (NaN and ±∞ fail
                // both comparisons) and short of the censoring time
                let stays = ((lower - y) .< 0) .& ((y - upper) .< 0) .& (after .< maxSteps)
                if all(stays .| .!active) {
                    x = y
                    step = after
                    continue
                }
                for lane in 0..<lanes where active[lane] && !stays[lane] {
                    let k = Int(after[lane])
                    if !ensemble.domain.contains(y[lane]) || !y[lane].isFinite {
                        ensemble.record(exitAt: k, location: y[lane], into: &tally)
                    } else {
                        tally.count(ExitOutcome.censored)
                    }
                    if next < paths.upperBound {
                        path[lane] = UInt64(next)
                        after[lane] = 0
                        y[lane] = start
                        next += 1
                    } else {
                        active[lane] = false
                    }
                }
                x = y
                step = after
            }
        }
        return tally
    }

    /// One SGD iteration on each lane: x − η((1/m) Σ_i a_i ψ(a_i x − y_i) + λ x) over the batch
    /// of step k of each lane's path.
    @inline(__always)
    func advance(_ x: Lanes, path: Words, step: Words, picks: UnsafeMutablePointer<Words>) -> Lanes {
        let sgd = ensemble.dynamics
        let m = batch, count = sgd.count
        let key = (UInt32(truncatingIfNeeded: sgd.seed), UInt32(truncatingIfNeeded: sgd.seed >> 32))
        let low32 = Words(repeating: 0xffff_ffff)
        let first = step &<< 24
        let pathWord = path & low32, streamWord = Words(repeating: UInt64(StreamID.sampling.rawValue))
        let welsch = sgd.loss == .welsch
        var rejected = SIMDMask<Words.MaskStorage>(repeating: false)
        var sum = Lanes(repeating: 0)
        // draw q of a step is the high (q even) or low (q odd) 64 bits of block (k << 24) + q/2
        for q in 0..<m {
            if q % 2 == 0 {
                // the two words wait in the slots of their picks until drawn
                let counter = first &+ Words(repeating: UInt64(q / 2))
                let w = Philox4x32.lanes(counter & low32, counter &>> 32, pathWord, streamWord, key: key)
                picks[q] = (w.0 &<< 32) | w.1
                if q + 1 < m { picks[q + 1] = (w.2 &<< 32) | w.3 }
            }
            let high = picks[q] &>> 32, low = picks[q] & low32
            // Lemire: t = ⌊w n / 2⁶⁴⌋ for w = high·2³² + low, rejected when the low 64 bits < n
            let n = UInt64(count - m + q + 1), bound = Words(repeating: n)
            let a = high &* bound, b = low &* bound
            let t = (a &+ (b &>> 32)) &>> 32
            rejected .|= ((a &<< 32) &+ b) .< bound
            var seen = SIMDMask<Words.MaskStorage>(repeating: false)
            for p in 0..<q { seen .|= picks[p] .== t }
            let pick = t.replacing(with: n - 1, where: seen)
            picks[q] = pick
            var features = Lanes(), targets = Lanes()
            for lane in 0..<Lanes.scalarCount {
                let i = Int(truncatingIfNeeded: pick[lane])
                features[lane] = sgd.features[i]
                targets[lane] = sgd.targets[i]
            }
            let u = Lanes(repeating: 0) + features * x
            let r = u - targets
            if welsch {
                let z = -r * r
                var weight = Lanes()
                for lane in 0..<Lanes.scalarCount { weight[lane] = exp(z[lane]) }
                sum = sum + features * (r * weight)
            } else {
                sum = sum + features * r
            }
        }
        let g = (1 / Double(m)) * sum + sgd.l2 * x
        var y = x - sgd.eta * g
        if any(rejected) {
            for lane in 0..<Lanes.scalarCount where rejected[lane] {
                y[lane] = sgd.advance(x[lane], path: Int(path[lane]), step: Int(step[lane]), normals: 0, auxiliary: 0)
            }
        }
        return y
    }
}
