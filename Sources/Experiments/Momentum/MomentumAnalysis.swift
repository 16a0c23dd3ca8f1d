import Foundation
import Numerics

/// Rows, slopes and verdicts of the momentum study.
enum MomentumAnalysis {
    /// Relative tolerance of heavy ball / SGD against Kramers' 1/κ. Kramers' prefactor is the
    /// leading term as ΔF/T → ∞; here ΔF/T = 2…3.3 (η_eff = 0.25…0.15), where each rate's next
    /// term is O(T/ΔF) and the ratio keeps a part of it that does not cancel (see README). 15% is
    /// about half of T/ΔF at the largest η_eff.
    static let kramersTolerance = 0.15
    /// Slopes are judged within ±10% of Theorem 3's 1/(2γ₁), absolute, so that a slope near 0
    /// (β = 0.9) is judged on the same scale.
    static let slopeTolerance = 0.10
    /// Relative model error allowed before |z| is taken, for heavy ball against its SDE and its
    /// linear law at the saddle. Both are approximations of order η·γ₁/(1 − β)² (the SDE's weak
    /// error; the law's neglect of the stable root's transient and of the exit's y-dependence
    /// beyond E y²): at η = 1e-2, β = 0.9, where that number is 1, 16000 paths resolve gaps of
    /// 1.7% (SDE) and 1.1% (law). 2% covers them; smaller gaps are judged by the Monte Carlo error.
    static let modelAllowance = 0.02

    static func ratio(_ a: Estimate, _ b: Estimate) -> Estimate {
        let r = a.mean / b.mean
        let relative = ((a.standardError / a.mean) * (a.standardError / a.mean) + (b.standardError / b.mean) * (b.standardError / b.mean)).squareRoot()
        return Estimate(mean: r, standardError: abs(r) * relative, count: min(a.count, b.count))
    }

    static func ratio(_ a: Estimate, _ b: Double) -> Estimate {
        Estimate(mean: a.mean / b, standardError: a.standardError / b, count: a.count)
    }

    static func saddleRow(_ c: MomentumConfiguration, eta: Double, beta: Double, heavyBall: MomentumExitTimes, sgd: MomentumExitTimes,
                          sde: MomentumExitTimes) -> MomentumSaddleRow {
        let effective = eta / (1 - beta)
        let hbTheory = MomentumTheory.heavyBallSaddleTime(eta: eta, beta: beta, gamma1: c.gamma1, lambda: c.lambda, sigma: c.sigma, radius: c.radius)
        let sgdTheory = MomentumTheory.heavyBallSaddleTime(eta: effective, beta: 0, gamma1: c.gamma1, lambda: c.lambda, sigma: c.sigma, radius: c.radius)
        let sdeTheory = MomentumTheory.underdampedSaddleTime(eta: eta, beta: beta, gamma1: c.gamma1, lambda: c.lambda, sigma: c.sigma, radius: c.radius,
                                                             step: sde.step)
        return MomentumSaddleRow(eta: eta, beta: beta, etaEffective: effective, inertia: eta * c.gamma1 / ((1 - beta) * (1 - beta)),
                                 effectiveGrowth: MomentumTheory.effectiveGrowth(eta: eta, beta: beta, gamma1: c.gamma1),
                                 heavyBall: heavyBall, sgd: sgd, sde: sde, heavyBallTheory: hbTheory, sgdTheory: sgdTheory, sdeTheory: sdeTheory,
                                 ratio: beta == 0 ? Estimate(mean: 1, standardError: 0, count: heavyBall.meanTime.count) : ratio(heavyBall.meanTime, sgd.meanTime),
                                 ratioTheory: hbTheory / sgdTheory)
    }

    static func minimumRow(_ c: MomentumConfiguration, effective: Double, beta: Double, heavyBall: MomentumExitTimes, sgd: MomentumExitTimes,
                           sde: MomentumExitTimes, overdamped: Double) -> MomentumMinimumRow {
        let eta = effective * (1 - beta)
        // the double well's barrier ΔF = ¼ and its top's curvature |F″(0)| = 1
        return MomentumMinimumRow(etaEffective: effective, beta: beta, eta: eta, barrierOverTemperature: 0.25 / (effective * c.sigma * c.sigma / 2),
                                  heavyBall: heavyBall, sgd: sgd, sde: sde, overdamped: overdamped,
                                  kramersFactor: MomentumTheory.kramersFactor(eta: eta, beta: beta, barrierCurvature: 1),
                                  ratio: ratio(heavyBall.meanTime, sgd.meanTime), sdeRatio: ratio(sde.meanTime, overdamped))
    }

    /// The measured slope of E τ in log(1/η), as the law's slope plus the weighted least-squares
    /// slope of (measured − law). The law is not linear in log(1/η) at finite η (heavy ball's at
    /// β = 0.9 even falls); fitting the measurement itself would charge that curvature to the
    /// residuals, and with 1–2 degrees of freedom Birge's inflation then makes the interval
    /// useless. The difference is flat up to Monte Carlo noise, so its interval is the noise's.
    static func slope(_ rows: [MomentumSaddleRow], beta: Double, method: String, gamma1: Double,
                      measured: (MomentumSaddleRow) -> MomentumExitTimes, theory: (MomentumSaddleRow) -> Double) -> MomentumSlope {
        let x = rows.map { log(1 / $0.eta) }
        let theorem3 = 1 / (2 * gamma1)
        let law = (try? WeightedLeastSquares(design: x.map { [1, $0] }, y: rows.map(theory), standardErrors: x.map { _ in 1 }))?.coefficients[1] ?? .nan
        var s = MomentumSlope(beta: beta, method: method, lawSlope: law, theorem3: theorem3, maxInertia: rows.map(\.inertia).max() ?? 0,
                              lawVerdict: .inconclusive, theorem3Verdict: nil)
        let usable = rows.filter { measured($0).censored == 0 && measured($0).exited > 1 }
        guard usable.count >= 2, let fit = try? WeightedLeastSquares(design: usable.map { [1, log(1 / $0.eta)] },
                                                                       y: usable.map { measured($0).meanTime.mean - theory($0) },
                                                                       standardErrors: usable.map { max(measured($0).meanTime.standardError, 1e-300) }) else { return s }
        let lawOfUsable = (try? WeightedLeastSquares(design: usable.map { [1, log(1 / $0.eta)] }, y: usable.map(theory),
                                                     standardErrors: usable.map { _ in 1 }))?.coefficients[1] ?? law
        // The errors are Monte Carlo standard errors of thousands of paths, known, not fitted: the
        // interval is the normal one without Birge's inflation (a t quantile with one degree of
        // freedom is 12.7). Lack of fit row by row is the linear-law verdict's business.
        let slope = lawOfUsable + fit.coefficients[1], se = fit.standardErrors[1] / fit.birgeRatio
        let q = Distributions.normalQuantile(0.975)
        let interval = (slope - q * se)...(slope + q * se)
        (s.slope, s.standardError, s.interval) = (slope, se, [interval.lowerBound, interval.upperBound])
        func judge(_ centre: Double) -> Verdict {
            let band = (centre - slopeTolerance * theorem3)...(centre + slopeTolerance * theorem3)
            if band.contains(interval.lowerBound) && band.contains(interval.upperBound) { return .pass }
            return interval.overlaps(band) ? .inconclusive : .fail
        }
        s.lawVerdict = judge(lawOfUsable)
        if beta == 0 { s.theorem3Verdict = judge(theorem3) }
        return s
    }

    static func result(_ c: MomentumConfiguration, saddle: [MomentumSaddleRow], minimum: [MomentumMinimumRow], threads: Int, wallSeconds: Double) -> MomentumResult {
        func z(_ a: Estimate, _ b: Estimate) -> Double {
            abs(a.mean - b.mean) / max((a.standardError * a.standardError + b.standardError * b.standardError).squareRoot(), 1e-300)
        }
        func z(_ a: Estimate, _ b: Double) -> Double { abs(a.mean - b) / max(a.standardError, 1e-300) }
        /// |z| of the gap left after the model allowance.
        func excess(_ a: Estimate, _ b: Estimate) -> Double {
            max(0, abs(a.mean - b.mean) - modelAllowance * abs(b.mean)) / max((a.standardError * a.standardError + b.standardError * b.standardError).squareRoot(), 1e-300)
        }
        func excess(_ a: Estimate, _ b: Double) -> Double { max(0, abs(a.mean - b) - modelAllowance * abs(b)) / max(a.standardError, 1e-300) }
        // (a): one test per saddle row, two-sided 1% overall. Judged at the saddle only, where
        // η ≤ 0.01: at the minimum heavy ball runs at η up to 0.125, where the SDE's O(η) weak error
        // (10% there, as SGD against its own SDE at η_eff: 36.8 against 41.0) exceeds the Monte
        // Carlo error; its largest relative difference is reported instead.
        let bound = Distributions.normalQuantile(1 - 0.01 / (2 * Double(max(saddle.count, 1))))
        let zs = saddle.map { excess($0.heavyBall.meanTime, $0.sde.meanTime) }
        let maxZ = zs.max() ?? 0
        let consistency: Verdict = zs.isEmpty ? .inconclusive : (maxZ <= bound ? .pass : .fail)
        let minimumDeviation = minimum.map { abs($0.heavyBall.meanTime.mean / $0.sde.meanTime.mean - 1) }.max() ?? 0
        let lawZ = saddle.map { excess($0.heavyBall.meanTime, $0.heavyBallTheory) }.max() ?? 0
        let linearLaw: Verdict = saddle.isEmpty ? .inconclusive : (lawZ <= bound ? .pass : .fail)
        // (b): the ratio's 95% interval against 1/κ ± 15%
        let kramersVerdicts = minimum.map { row -> Verdict in
            let target = 1 / row.kramersFactor, band = (target * (1 - kramersTolerance))...(target * (1 + kramersTolerance))
            let lo = row.ratio.mean - 1.96 * row.ratio.standardError, hi = row.ratio.mean + 1.96 * row.ratio.standardError
            if band.contains(lo) && band.contains(hi) { return .pass }
            return (hi < band.lowerBound || lo > band.upperBound) ? .fail : .inconclusive
        }
        let kramers = minimum.isEmpty ? .inconclusive : Verdict(combining: kramersVerdicts)
        // (c): per β, heavy ball and the SDE
        var slopes: [MomentumSlope] = []
        if c.saddleEtas.count >= 2 {
            for beta in c.allBetas {
                let at = saddle.filter { $0.beta == beta }
                slopes.append(slope(at, beta: beta, method: "heavy-ball", gamma1: c.gamma1, measured: \.heavyBall, theory: \.heavyBallTheory))
                slopes.append(slope(at, beta: beta, method: "sde", gamma1: c.gamma1, measured: \.sde, theory: \.sdeTheory))
            }
        }
        let slopeVerdict = slopes.isEmpty ? .inconclusive : Verdict(combining: slopes.flatMap { [$0.lawVerdict] + ($0.theorem3Verdict.map { [$0] } ?? []) })
        let verdicts = (saddle.isEmpty ? [] : [linearLaw, slopeVerdict, consistency]) + (minimum.isEmpty ? [] : [kramers])
        return MomentumResult(software: .current(threads: threads), configuration: c, saddle: saddle, minimum: minimum, slopes: slopes,
                              consistency: consistency, consistencyMaxZ: maxZ, minimumSDEDeviation: minimumDeviation, zBound: bound, linearLaw: linearLaw, linearLawMaxZ: lawZ,
                              kramers: kramers, kramersTolerance: kramersTolerance, modelAllowance: modelAllowance, slopeVerdict: slopeVerdict,
                              verdict: Verdict(combining: verdicts), wallSeconds: wallSeconds)
    }
}
