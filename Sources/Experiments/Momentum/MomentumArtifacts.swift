import Foundation
import Numerics
import Persistence
import Report

/// Files, figures, report section and terminal summary of the momentum study.
public enum MomentumArtifacts {
    @discardableResult
    public static func write(_ r: MomentumResult, to directory: URL) throws -> [URL] {
        var files = ArtifactWriter(directory)
        try files.put("result.json", try JSONOutput.string(r))
        try files.put("saddle.csv", saddleTable(r).text)
        try files.put("minimum.csv", minimumTable(r).text)
        try files.put("slopes.csv", slopeTable(r).text)
        if !r.saddle.isEmpty { try files.put("saddle.svg", saddleFigure(r).svg) }
        if !r.minimum.isEmpty { try files.put("minimum.svg", minimumFigure(r).svg) }
        return files.written
    }

    static func saddleTable(_ r: MomentumResult) -> CSVTable {
        var t = CSVTable(header: ["eta", "beta", "eta_eff", "inertia", "effective_growth", "hb_mean", "hb_se", "hb_theory", "sgd_mean", "sgd_se", "sgd_theory",
                                  "sde_mean", "sde_se", "sde_theory", "ratio", "ratio_se", "ratio_theory", "hb_censored", "sgd_censored", "sde_censored"])
        for w in r.saddle {
            t.append([csvNumber(w.eta), csvNumber(w.beta), csvNumber(w.etaEffective), csvNumber(w.inertia), csvNumber(w.effectiveGrowth),
                      csvNumber(w.heavyBall.meanTime.mean), csvNumber(w.heavyBall.meanTime.standardError), csvNumber(w.heavyBallTheory),
                      csvNumber(w.sgd.meanTime.mean), csvNumber(w.sgd.meanTime.standardError), csvNumber(w.sgdTheory),
                      csvNumber(w.sde.meanTime.mean), csvNumber(w.sde.meanTime.standardError), csvNumber(w.sdeTheory),
                      csvNumber(w.ratio.mean), csvNumber(w.ratio.standardError), csvNumber(w.ratioTheory),
                      "\(w.heavyBall.censored)", "\(w.sgd.censored)", "\(w.sde.censored)"])
        }
        return t
    }

    static func minimumTable(_ r: MomentumResult) -> CSVTable {
        var t = CSVTable(header: ["eta_eff", "beta", "eta", "barrier_over_T", "hb_mean", "hb_se", "sgd_mean", "sgd_se", "sde_mean", "sde_se",
                                  "overdamped", "kramers_factor", "inverse_kappa", "ratio", "ratio_se", "sde_ratio", "sde_ratio_se"])
        for w in r.minimum {
            t.append([csvNumber(w.etaEffective), csvNumber(w.beta), csvNumber(w.eta), csvNumber(w.barrierOverTemperature),
                      csvNumber(w.heavyBall.meanTime.mean), csvNumber(w.heavyBall.meanTime.standardError), csvNumber(w.sgd.meanTime.mean),
                      csvNumber(w.sgd.meanTime.standardError), csvNumber(w.sde.meanTime.mean), csvNumber(w.sde.meanTime.standardError),
                      csvNumber(w.overdamped), csvNumber(w.kramersFactor), csvNumber(1 / w.kramersFactor), csvNumber(w.ratio.mean),
                      csvNumber(w.ratio.standardError), csvNumber(w.sdeRatio.mean), csvNumber(w.sdeRatio.standardError)])
        }
        return t
    }

    static func slopeTable(_ r: MomentumResult) -> CSVTable {
        var t = CSVTable(header: ["beta", "method", "slope", "se", "lo95", "hi95", "law_slope", "theorem3", "max_inertia", "law_verdict", "theorem3_verdict"])
        for s in r.slopes {
            t.append([csvNumber(s.beta), s.method, csvNumber(s.slope), csvNumber(s.standardError), csvNumber(s.interval?.first), csvNumber(s.interval?.last),
                      csvNumber(s.lawSlope), csvNumber(s.theorem3), csvNumber(s.maxInertia), s.lawVerdict.rawValue, s.theorem3Verdict?.rawValue ?? ""])
        }
        return t
    }

    static func bars(_ e: [Estimate]) -> [(Double, Double)] { e.map { ($0.mean - 1.96 * $0.standardError, $0.mean + 1.96 * $0.standardError) } }

    /// E τ against log(1/η) per β: heavy ball (points, 95%), its SDE (dashed), the linear law (solid).
    public static func saddleFigure(_ r: MomentumResult) -> SVGPlot {
        var plot = SVGPlot(title: "Saddle: E τ (effective time) against log(1/η): heavy ball (points, 95%), underdamped SDE (dashed), exact linear law (solid)",
                           xLabel: "log(1/η)", yLabel: "E τ = E k·η/(1 − β)")
        for (k, beta) in r.configuration.allBetas.enumerated() {
            let rows = r.saddle.filter { $0.beta == beta }, color = SVGPlot.palette[k % SVGPlot.palette.count]
            let x = rows.map { log(1 / $0.eta) }
            plot.add(.init(label: "β = \(beta): law", x: x, y: rows.map(\.heavyBallTheory), color: color, markers: false))
            plot.add(.init(label: "β = \(beta): heavy ball", x: x, y: rows.map(\.heavyBall.meanTime.mean), errorBars: bars(rows.map(\.heavyBall.meanTime)),
                           color: color, lines: false))
            plot.add(.init(label: "β = \(beta): SDE", x: x, y: rows.map(\.sde.meanTime.mean), color: color, dashed: true, markers: false))
        }
        return plot
    }

    /// Heavy ball / SGD at η_eff against 1/κ per β.
    public static func minimumFigure(_ r: MomentumResult) -> SVGPlot {
        var plot = SVGPlot(title: "Minimum: E τ heavy ball / E τ SGD at η_eff (points, 95%) against Kramers' inertial 1/κ (solid)",
                           xLabel: "η_eff = η/(1 − β)", yLabel: "ratio of mean escape times")
        for (k, beta) in r.configuration.betas.enumerated() {
            let rows = r.minimum.filter { $0.beta == beta }, color = SVGPlot.palette[(k + 1) % SVGPlot.palette.count]
            let x = rows.map(\.etaEffective)
            plot.add(.init(label: "β = \(beta): 1/κ", x: x, y: rows.map { 1 / $0.kramersFactor }, color: color, markers: false))
            plot.add(.init(label: "β = \(beta): measured", x: x, y: rows.map(\.ratio.mean), errorBars: bars(rows.map(\.ratio)), color: color, lines: false))
        }
        return plot
    }

    static func pm(_ e: Estimate) -> String { String(format: "%.4g ± %.2g", e.mean, e.standardError) }
    /// Foundation ignores field widths on %@: pad by hand.
    static func pad(_ s: String, _ n: Int) -> String { s.count >= n ? s + " " : s.padding(toLength: n, withPad: " ", startingAt: 0) }

    public static func summary(_ r: MomentumResult) -> String {
        let c = r.configuration
        var lines: [String] = []
        if !r.saddle.isEmpty {
            lines.append(String(format: "saddle F = (−%gx² + %gy²)/2, σ = %g, ball R = %g; times τ = kη/(1 − β) (heavy ball), kη_eff (SGD at η_eff = η/(1 − β))",
                                c.gamma1, c.lambda, c.sigma, c.radius))
            lines.append("  η        β     ηγ₁/(1−β)²  E τ heavy ball       law      SGD(η_eff)          law      SDE                 law      HB/SGD            law")
            for w in r.saddle {
                lines.append(String(format: "  %-8g %-5g %-11.3g %@%-8.4g %@%-8.4g %@%-8.4g %@%.3f", w.eta, w.beta, w.inertia, pad(pm(w.heavyBall.meanTime), 20),
                                    w.heavyBallTheory, pad(pm(w.sgd.meanTime), 19), w.sgdTheory, pad(pm(w.sde.meanTime), 19), w.sdeTheory, pad(pm(w.ratio), 17), w.ratioTheory))
            }
            for s in r.slopes {
                let measured = s.slope.map { String(format: "%.3f ± %.2g", $0, s.standardError ?? 0) } ?? "—"
                lines.append(String(format: "  slope of E τ in log(1/η), β = %g, %@: %@ (law %.3f, Theorem 3 %.3f, max ηγ₁/(1−β)² %.3g) → law %@%@", s.beta, s.method, measured,
                                    s.lawSlope, s.theorem3, s.maxInertia, s.lawVerdict.rawValue.uppercased(),
                                    s.theorem3Verdict.map { ", Theorem 3 " + $0.rawValue.uppercased() } ?? ""))
            }
        }
        if !r.minimum.isEmpty {
            lines.append(String(format: "minimum: double well x⁴/4 − x²/2, σ = %g, from x = −1 to x ≥ %g", c.sigma, c.target))
            lines.append("  η_eff  β     ΔF/T   E τ heavy ball        SGD(η_eff)            SDE                   overdamped  HB/SGD            1/κ     SDE/overdamped")
            for w in r.minimum {
                lines.append(String(format: "  %-6g %-5g %-6.2f %@%@%@%-11.4g %@%-7.3f %@", w.etaEffective, w.beta, w.barrierOverTemperature,
                                    pad(pm(w.heavyBall.meanTime), 22), pad(pm(w.sgd.meanTime), 22), pad(pm(w.sde.meanTime), 22), w.overdamped, pad(pm(w.ratio), 18),
                                    1 / w.kramersFactor, pm(w.sdeRatio)))
            }
        }
        lines.append(String(format: "  heavy ball vs its SDE at the saddle → %@ (max |z| beyond %.0f%% %.2f, bound %.2f; at the minimum, not judged, up to %.1f%% apart); heavy ball vs its linear law → %@ (max |z| %.2f); Kramers 1/κ ± %.0f%% → %@; slopes → %@",
                            r.consistency.rawValue.uppercased(), 100 * r.modelAllowance, r.consistencyMaxZ, r.zBound, 100 * r.minimumSDEDeviation, r.linearLaw.rawValue.uppercased(), r.linearLawMaxZ,
                            100 * r.kramersTolerance, r.kramers.rawValue.uppercased(), r.slopeVerdict.rawValue.uppercased()))
        lines.append("verdict: \(r.verdict.rawValue.uppercased())  (\(String(format: "%.1f", r.wallSeconds)) s)")
        return lines.joined(separator: "\n")
    }

    public static func section(_ r: MomentumResult, title: String, intro: String) -> HTMLReport.Section {
        var blocks: [HTMLReport.Block] = [.paragraph(intro), .preformatted(summary(r))]
        if !r.saddle.isEmpty {
            blocks.append(.figure(svg: saddleFigure(r).svg, caption: "Escape from the saddle in effective time: heavy ball, its underdamped SDE and the exact linear law from the roots of z² − (1 + β + ηγ₁)z + β."))
        }
        if !r.minimum.isEmpty {
            blocks.append(.figure(svg: minimumFigure(r).svg, caption: "Escape from the double well's minimum: heavy ball is slower than SGD at the same η_eff by Kramers' inertial factor 1/κ."))
        }
        blocks.append(.verdict(label: "Heavy ball against its underdamped SDE at the saddle (η ≤ 0.01)", outcome: r.consistency.rawValue,
                               detail: String(format: "max |z| of the gap beyond %.0f%% %.2f, Bonferroni bound %.2f; at the minimum (η to 0.125, O(η) weak error) up to %.1f%% apart, reported",
                                              100 * r.modelAllowance, r.consistencyMaxZ, r.zBound, 100 * r.minimumSDEDeviation)))
        if !r.saddle.isEmpty {
            blocks.append(.verdict(label: "Heavy ball at the saddle against its exact linear law", outcome: r.linearLaw.rawValue,
                                   detail: String(format: "max |z| of the gap beyond %.0f%% %.2f", 100 * r.modelAllowance, r.linearLawMaxZ)))
            blocks.append(.verdict(label: "Slopes of E τ in log(1/η): the law's at each β, Theorem 3's 1/(2γ₁) at β = 0", outcome: r.slopeVerdict.rawValue,
                                   detail: "±10% of 1/(2γ₁)"))
        }
        if !r.minimum.isEmpty {
            blocks.append(.verdict(label: "Heavy ball / SGD at the minimum against Kramers' 1/κ", outcome: r.kramers.rawValue,
                                   detail: String(format: "95%% interval within ±%.0f%%", 100 * r.kramersTolerance)))
        }
        return HTMLReport.Section(title: title, blocks: blocks)
    }
}
