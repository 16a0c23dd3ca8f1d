import Foundation
import Numerics
import Persistence
import Report

/// Files, figures, report section and terminal summary of the annealing study.
public enum AnnealingArtifacts {
    @discardableResult
    public static func write(_ r: AnnealingResult, to directory: URL) throws -> [URL] {
        var files = ArtifactWriter(directory)
        try files.put("result.json", try JSONOutput.string(r))
        try files.put("anneal.csv", table(r).text)
        try files.put("probability.svg", probabilityFigure(r).svg)
        try files.put("exponent.svg", exponentFigure(r).svg)
        return files.written
    }

    static func table(_ r: AnnealingResult) -> CSVTable {
        var t = CSVTable(header: ["gamma", "s", "p_fp", "complement_fp", "survival_fp", "hazard_fp", "kramers_hazard", "fp_error",
                                  "p_mc", "se_p_mc", "hit_mc", "se_hit_mc"])
        for row in r.rows {
            for p in row.points {
                t.append([csvNumber(row.gamma), csvNumber(p.time), csvNumber(p.probability), csvNumber(p.complement), csvNumber(p.survival),
                          csvNumber(p.hazard), csvNumber(p.kramersHazard), csvNumber(p.fokkerPlanckError), csvNumber(p.monteCarlo?.mean),
                          csvNumber(p.monteCarlo?.standardError), csvNumber(p.monteCarloHit?.mean), csvNumber(p.monteCarloHit?.standardError)])
            }
        }
        return t
    }

    static func label(_ r: AnnealingResult, _ gamma: Double) -> String {
        String(format: "γ = %g (%@ 2d* = %.4f)", gamma, gamma >= r.criticalGamma ? "≥" : "<", r.criticalGamma)
    }

    /// P(X(s) ∉ A^ε) on log axes: a plateau below the threshold, decay to 0 above it.
    public static func probabilityFigure(_ r: AnnealingResult) -> SVGPlot {
        var plot = SVGPlot(title: "Annealing from the trap: P(X(s) ∉ A^ε), Fokker–Planck (lines) and Monte Carlo (95%)", xLabel: "s",
                           yLabel: "P(X(s) ∉ A^ε)", xScale: .logarithmic, yScale: .logarithmic)
        for (k, row) in r.rows.enumerated() {
            let color = SVGPlot.palette[k % SVGPlot.palette.count]
            let shown = row.points.filter { $0.complement > 1e-300 }
            plot.add(.init(label: label(r, row.gamma), x: shown.map(\.time), y: shown.map(\.complement), color: color,
                           dashed: row.gamma < r.criticalGamma, markers: false))
            let mc = row.points.filter { ($0.monteCarlo.map { $0.mean < 1 } ?? false) }
            plot.add(.init(label: "", x: mc.map(\.time), y: mc.map { 1 - $0.monteCarlo!.mean },
                           errorBars: mc.map { let e = $0.monteCarlo!; return (max(1e-300, 1 - e.mean - 1.96 * e.standardError), 1 - e.mean + 1.96 * e.standardError) },
                           color: color, lines: false))
        }
        return plot
    }

    /// The fitted exponent of s·h(s) against γ, with the rate argument's 1 − 2d*/γ and the threshold.
    public static func exponentFigure(_ r: AnnealingResult) -> SVGPlot {
        var plot = SVGPlot(title: "Escape exponent α: s·h(s) ∝ s^α; escape certain iff α ≥ 0 iff γ ≥ 2d*", xLabel: "γ", yLabel: "α")
        let fitted = r.rows.filter { $0.exponent != nil }
        plot.add(.init(label: "Fokker–Planck, upper half of log s", x: fitted.map(\.gamma), y: fitted.map { $0.exponent!.value },
                       errorBars: fitted.map { ($0.exponent!.value - 2 * $0.exponent!.uncertainty, $0.exponent!.value + 2 * $0.exponent!.uncertainty) },
                       color: SVGPlot.palette[0], lines: false))
        let mc = r.rows.filter { $0.monteCarloExponent != nil }
        plot.add(.init(label: "Monte Carlo, its own window (±2 se)", x: mc.map(\.gamma), y: mc.map { $0.monteCarloExponent!.value },
                       errorBars: mc.map { ($0.monteCarloExponent!.value - 2 * $0.monteCarloExponent!.uncertainty, $0.monteCarloExponent!.value + 2 * $0.monteCarloExponent!.uncertainty) },
                       color: SVGPlot.palette[1], lines: false))
        let gs = stride(from: r.rows.map(\.gamma).min()!, through: r.rows.map(\.gamma).max()!, by: (r.rows.map(\.gamma).max()! - r.rows.map(\.gamma).min()!) / 60).map { $0 }
        plot.add(.init(label: "1 − 2d*/γ (rate argument)", x: gs, y: gs.map { 1 - r.criticalGamma / $0 }, color: "#555555", dashed: true, markers: false))
        let ys = fitted.map { $0.exponent!.value } + [0]
        plot.add(.init(label: String(format: "threshold γ = 2d* = %.4f", r.criticalGamma), x: [r.criticalGamma, r.criticalGamma],
                       y: [ys.min()!, max(ys.max()!, 0.1)], color: SVGPlot.palette[2], dashed: true, markers: false))
        plot.add(.init(label: "α = 0", x: [gs.first!, gs.last!], y: [0, 0], color: "#999999", dashed: true, markers: false))
        return plot
    }

    static func fmt(_ x: Double?) -> String { x.map { String(format: "%.4g", $0) } ?? "—" }

    public static func summary(_ r: AnnealingResult) -> String {
        var lines = [String(format: "%@: trap at %.5g, global minimiser%@ %@; d* = %.6f (barrier), %.6f (minimum action); threshold 2d* = %.5f",
                            r.configuration.problem.name, r.landscape.trap, r.landscape.globalMinimisers.count > 1 ? "s" : "",
                            r.landscape.globalMinimisers.map { String(format: "%.5g", $0) }.joined(separator: ", "), r.criticalDepth,
                            r.criticalDepthMinimumAction, r.criticalGamma)]
        let sMax = r.rows.first?.points.last?.time ?? 0
        lines.append(String(format: "  γ        P(∉A^ε) at s=%-8.3g α (FP) ± bound      1−2d*/γ   d̂ = γ(1−α)/2   class (FP)     α (MC) ± se        class (MC)", sMax))
        for row in r.rows {
            let e = row.exponent, m = row.monteCarloExponent
            lines.append(tableLine("  %-8g %-20.4g %-20@ %-9.4f %-14@ %-14@ %-18@ %@", row.gamma, row.points.last?.complement ?? .nan,
                                e.map { String(format: "%.4f ± %.1e", $0.value, $0.uncertainty) } ?? "—", row.theoryExponent, fmt(row.measuredDepth),
                                row.classification, m.map { String(format: "%.3f ± %.3f", $0.value, $0.uncertainty) } ?? "—", row.monteCarloClassification))
        }
        lines.append(String(format: "  Monte Carlo vs Fokker–Planck: max |z| = %.2f (bound %.2f) → %@; exponents → %@; threshold → %@; d* agreement → %@",
                            r.monteCarloMaxZ, r.monteCarloZBound, r.monteCarloAgreement.rawValue.uppercased(), r.exponentAgreement.rawValue.uppercased(),
                            r.threshold.rawValue.uppercased(), r.depthAgreement.rawValue.uppercased()))
        lines.append("verdict: \(r.verdict.rawValue.uppercased())  (\(String(format: "%.1f", r.wallSeconds)) s)")
        return lines.joined(separator: "\n")
    }

    public static func section(_ r: AnnealingResult, title: String, intro: String) -> HTMLReport.Section {
        var blocks: [HTMLReport.Block] = [.paragraph(intro)]
        blocks.append(.preformatted(summary(r)))
        var t = HTMLReport.Table(caption: "Per γ", header: ["γ", "theory", "α (FP) ± bound", "1 − 2d*/γ", "d̂", "class (FP)", "α (MC) ± se", "α (FP, MC window)", "S(∞) (trapped)", "h/Kramers"], rows: [])
        for row in r.rows {
            t.rows.append([String(format: "%g", row.gamma), row.theoryConverges ? "converges" : "trapped",
                           row.exponent.map { String(format: "%.4f ± %.1e", $0.value, $0.uncertainty) } ?? "—", String(format: "%.4f", row.theoryExponent),
                           fmt(row.measuredDepth), row.classification, row.monteCarloExponent.map { String(format: "%.3f ± %.3f", $0.value, $0.uncertainty) } ?? "—",
                           fmt(row.fokkerPlanckWindowExponent), fmt(row.survivalLimit), fmt(row.kramersRatio)])
        }
        blocks.append(.table(t))
        blocks.append(.figure(svg: probabilityFigure(r).svg, caption: "P(X(s) ∉ A^ε) from the trap; dashed lines: γ < 2d* (theory: a positive limit), solid: γ ≥ 2d* (theory: → 0). Points: Monte Carlo with 95% intervals."))
        blocks.append(.figure(svg: exponentFigure(r).svg, caption: "The exponent α of s·h(s), h the hazard of first entry into A^ε; ∫h ds = ∞ iff α ≥ 0. Green: the threshold 2d*."))
        blocks.append(.verdict(label: "d*: barrier against minimum action", outcome: r.depthAgreement.rawValue,
                               detail: String(format: "%.6f vs %.6f (relative tolerance 1e-3)", r.criticalDepth, r.criticalDepthMinimumAction)))
        blocks.append(.verdict(label: "Monte Carlo against Fokker–Planck", outcome: r.monteCarloAgreement.rawValue,
                               detail: String(format: "max |z| = %.2f over P(X ∈ A^ε) and P(entered A^ε) at every Monte Carlo time and γ, Bonferroni bound %.2f", r.monteCarloMaxZ, r.monteCarloZBound)))
        blocks.append(.verdict(label: "Exponent α = 1 − 2d*/γ (rate argument)", outcome: r.exponentAgreement.rawValue, detail: "within twice the Fokker–Planck bias bound for every γ"))
        blocks.append(.verdict(label: "Threshold: convergence iff γ ≥ 2d* (Hajek; Hwang–Sheu)", outcome: r.threshold.rawValue,
                               detail: r.rows.map { "γ = \($0.gamma): \($0.classification)" }.joined(separator: "; ")))
        return HTMLReport.Section(title: title, blocks: blocks)
    }
}
