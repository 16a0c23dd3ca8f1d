import Foundation
import Numerics

/// From the sampled curves of one γ to exponents, classifications and verdicts.
enum AnnealingAnalysis {
    /// Least-squares slope of y against x.
    static func slope(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count >= 2 else { return nil }
        let mx = x.reduce(0, +) / Double(x.count), my = y.reduce(0, +) / Double(y.count)
        var sxy = 0.0, sxx = 0.0
        for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx) }
        return sxx > 0 ? sxy / sxx : nil
    }

    /// Slope of log(s h(s)) against log s over s in [lower, upper].
    static func hazardSlope(_ samples: [AnnealingFokkerPlanck.Sample], from lower: Double, to upper: Double) -> (Double, Int)? {
        let used = samples.filter { $0.time >= lower * (1 - 1e-12) && $0.time <= upper * (1 + 1e-12) && $0.hazard > 0 }
        guard used.count >= 3, let a = slope(used.map { log($0.time) }, used.map { log($0.time * $0.hazard) }) else { return nil }
        return (a, used.count)
    }

    static func row(gamma: Double, criticalDepth dStar: Double, points: [AnnealingPoint], coarse: [AnnealingFokkerPlanck.Sample],
                    refined: [AnnealingFokkerPlanck.Sample], paths: Int, monteCarloTimes: Int) -> AnnealingRow {
        let theory = 1 - 2 * dStar / gamma
        let sMax = points.last!.time
        let half = sMax.squareRoot(), threeQuarter = pow(sMax, 0.75)
        var row = AnnealingRow(gamma: gamma, theoryConverges: gamma >= 2 * dStar, theoryExponent: theory, points: points,
                               exponentVerdict: .inconclusive, classification: "inconclusive", classificationVerdict: .inconclusive,
                               monteCarloClassification: "inconclusive", kramersRatio: points.last!.hazard / points.last!.kramersHazard)
        // Fokker–Planck exponent over the upper half of log s. Its bias bound: how much the slope
        // moves between the third and the last quarter (the O(1/log s) corrections to Kramers'
        // law that are still bending the curve) plus how much it moves when grid and steps are
        // halved. The verdict allows twice that (plus 1e-4 for rounding), nothing picked by hand.
        if let (alpha, n) = hazardSlope(coarse, from: half, to: sMax), let (lower, _) = hazardSlope(coarse, from: half, to: threeQuarter),
           let (upper, _) = hazardSlope(coarse, from: threeQuarter, to: sMax), let (fine, _) = hazardSlope(refined, from: half, to: sMax) {
            let u = abs(upper - lower) + abs(alpha - fine)
            row.exponent = AnnealingExponent(value: alpha, uncertainty: u, window: [half, sMax], points: n)
            row.measuredDepth = gamma * (1 - alpha) / 2
            row.exponentVerdict = abs(alpha - theory) <= 2 * u + 1e-4 ? .pass : .fail
            // escape is certain iff ∫h = ∞ iff α ≥ 0; the sign is read only beyond the bias bound
            // (and beyond 1e-3, since exactly at the threshold it cannot be read at all)
            let margin = 2 * u + 1e-3
            row.classification = alpha > margin ? "converges" : alpha < -margin ? "trapped" : "inconclusive"
            if row.classification != "inconclusive" {
                row.classificationVerdict = (row.classification == "converges") == row.theoryConverges ? .pass : .fail
            }
            if alpha < 0, let last = points.last {
                row.survivalLimit = last.survival * exp(-last.time * last.hazard / abs(alpha))
            }
        }
        monteCarloExponent(&row, paths: paths, count: monteCarloTimes)
        return row
    }

    /// The same exponent from the Monte Carlo first entries into A^ε: per interval between
    /// output times (s ≥ 1) with k ≥ 5 entries, s·h ≈ log(n_j/n_{j+1}) / log(s_{j+1}/s_j) from the
    /// survivor counts n_j, with the Poisson error 1/√k on its logarithm; weighted line fit.
    /// The Fokker–Planck survival gives the same statistic over the same intervals.
    static func monteCarloExponent(_ row: inout AnnealingRow, paths: Int, count: Int) {
        var x: [Double] = [], y: [Double] = [], se: [Double] = [], exact: [Double] = []
        let p = row.points
        for j in 0..<(count - 1) where p[j].time >= 1 {
            guard let a = p[j].monteCarloHit, let b = p[j + 1].monteCarloHit else { continue }
            let n0 = (Double(a.count) * (1 - a.mean)).rounded(), n1 = (Double(b.count) * (1 - b.mean)).rounded()
            let k = n0 - n1
            guard k >= 5, n1 >= 5 else { continue }
            let span = log(p[j + 1].time / p[j].time)
            x.append(0.5 * (log(p[j].time) + log(p[j + 1].time)))
            y.append(log(log(n0 / n1) / span))
            se.append(1 / k.squareRoot())
            exact.append(log((p[j].logSurvival - p[j + 1].logSurvival) / span))
        }
        guard x.count >= 3, let fit = try? WeightedLinearFit(x: x, y: y, standardErrors: se),
              let reference = try? WeightedLinearFit(x: x, y: exact, standardErrors: se) else { return }
        row.monteCarloExponent = AnnealingExponent(value: fit.slope, uncertainty: fit.slopeStandardError, window: [exp(x.first!), exp(x.last!)], points: x.count)
        row.fokkerPlanckWindowExponent = reference.slope
        let z = 2 * fit.slopeStandardError
        row.monteCarloClassification = fit.slope > z ? "converges" : fit.slope < -z ? "trapped" : "inconclusive"
    }
}
