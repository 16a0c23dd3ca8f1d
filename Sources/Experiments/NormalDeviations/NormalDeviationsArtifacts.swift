import Foundation
import Numerics
import Persistence
import Report

/// Files, figures, report section and terminal summary of the normal-deviations study.
public enum NormalDeviationsArtifacts {
    @discardableResult
    public static func write(_ r: NormalDeviationsResult, to directory: URL) throws -> [URL] {
        var files = ArtifactWriter(directory)
        try files.put("result.json", try JSONOutput.string(r))
        try files.put("covariance.csv", covarianceTable(r).text)
        try files.put("rates.csv", ratesTable(r).text)
        for (a, b) in pairs(r) { try files.put("covariance-\(a + 1)\(b + 1).svg", covarianceFigure(r, row: a, column: b).svg) }
        try files.put("errors.svg", errorFigure(r).svg)
        return files.written
    }

    static func pairs(_ r: NormalDeviationsResult) -> [(Int, Int)] {
        r.rows.first?.points.first?.entries.map { ($0.row, $0.column) } ?? []
    }

    static func covarianceTable(_ r: NormalDeviationsResult) -> CSVTable {
        var t = CSVTable(header: ["eta", "s", "a", "b", "lyapunov", "driftless_a7", "discrete_lyapunov", "cov_mc", "se_cov_mc", "cov_cv", "se_cov_cv"])
        for row in r.rows {
            for p in row.points {
                for e in p.entries {
                    t.append([csvNumber(row.eta), csvNumber(p.time), "\(e.row + 1)", "\(e.column + 1)", csvNumber(e.lyapunov), csvNumber(e.driftless),
                              csvNumber(e.discreteLyapunov), csvNumber(e.monteCarlo.mean), csvNumber(e.monteCarlo.standardError),
                              csvNumber(e.controlVariate.mean), csvNumber(e.controlVariate.standardError)])
                }
            }
        }
        return t
    }

    static func ratesTable(_ r: NormalDeviationsResult) -> CSVTable {
        let phis = r.configuration.testFunctions
        var t = CSVTable(header: ["eta", "sup_error", "se_sup_error", "gd_sup_error", "cov_discrepancy", "se_cov_discrepancy", "a7_discrepancy",
                                  "se_a7_discrepancy", "trace_ratio", "se_trace_ratio", "mean_deviation", "se_mean_deviation"]
                         + phis.flatMap { ["lna_error_\($0.rawValue)", "se_lna_error_\($0.rawValue)", "flow_error_\($0.rawValue)", "se_flow_error_\($0.rawValue)"] })
        for row in r.rows {
            var cells = [csvNumber(row.eta), csvNumber(row.supError.mean), csvNumber(row.supError.standardError), csvNumber(row.gradientDescentSupError)]
            for e in [row.covarianceDiscrepancy, row.driftlessDiscrepancy, row.traceRatio, row.meanDeviation] {
                cells += [csvNumber(e.mean), csvNumber(e.standardError)]
            }
            for l in row.linearNoise {
                cells += [csvNumber(l.linearNoiseError.mean), csvNumber(l.linearNoiseError.standardError), csvNumber(l.flowError.mean),
                          csvNumber(l.flowError.standardError)]
            }
            t.append(cells)
        }
        return t
    }

    /// Cov(Z^η)_ab against s for each η (plain Monte Carlo, 95% bars), the Lyapunov P_ab (line)
    /// and (A.7)'s ∫Σ_ab(Y) (dashed).
    public static func covarianceFigure(_ r: NormalDeviationsResult, row a: Int, column b: Int) -> SVGPlot {
        var plot = SVGPlot(title: "Cov(Z^η)_\(a + 1)\(b + 1), Z^η = (x^η − Y)/√η: SGD (95%) against the Lyapunov ODE", xLabel: "s",
                           yLabel: "Cov(Z)_\(a + 1)\(b + 1)")
        guard let first = r.rows.first else { return plot }
        let index = first.points[0].entries.firstIndex { $0.row == a && $0.column == b }!
        let s = [0] + first.points.map(\.time)
        plot.add(.init(label: "P(s), M = −∇²F(Y) (Theorem 5)", x: s, y: [0] + first.points.map { $0.entries[index].lyapunov }, color: "#000000",
                       markers: false))
        plot.add(.init(label: "∫Σ(Y) ds ((A.7), M = 0)", x: s, y: [0] + first.points.map { $0.entries[index].driftless }, color: "#777777",
                       dashed: true, markers: false))
        for (k, row) in r.rows.enumerated() {
            let shift = (Double(k) - Double(r.rows.count - 1) / 2) * 0.012 * r.configuration.horizon
            let e = row.points.map { $0.entries[index].monteCarlo }
            plot.add(.init(label: String(format: "SGD, η = %g", row.eta), x: row.points.map { $0.time + shift }, y: e.map(\.mean),
                           errorBars: e.map { ($0.mean - 1.96 * $0.standardError, $0.mean + 1.96 * $0.standardError) },
                           color: SVGPlot.palette[k % SVGPlot.palette.count], lines: false))
        }
        return plot
    }

    /// The errors against η on log–log axes, with reference slopes through the smallest η.
    public static func errorFigure(_ r: NormalDeviationsResult) -> SVGPlot {
        var plot = SVGPlot(title: "Appendix A: errors against η (95% intervals)", xLabel: "η", yLabel: "error", xScale: .logarithmic, yScale: .logarithmic)
        let etas = r.rows.map(\.eta)
        var series: [(String, [Estimate], Double)] = [
            ("E max_k |x_k − Y(kη)| (A.4)", r.rows.map(\.supError), 0.5),
            ("‖Cov Z^η − P‖/‖P‖ at T", r.rows.map(\.covarianceDiscrepancy), 1),
            ("|E Z^η(T)|", r.rows.map(\.meanDeviation), 0.5),
        ]
        for (i, phi) in r.configuration.testFunctions.enumerated() {
            series.append(("|E φ(x) − E φ(Y + √η Z)|, φ = \(phi.formula)", r.rows.map { $0.linearNoise[i].linearNoiseError }, 1))
        }
        for (k, (label, values, slope)) in series.enumerated() {
            let color = SVGPlot.palette[k % SVGPlot.palette.count]
            let shown = zip(etas, values).filter { abs($0.1.mean) > 0 && $0.1.mean.isFinite }
            plot.add(.init(label: label, x: shown.map(\.0), y: shown.map { abs($0.1.mean) },
                           errorBars: shown.map { (max(abs($0.1.mean) * 1e-3, abs($0.1.mean) - 1.96 * $0.1.standardError), abs($0.1.mean) + 1.96 * $0.1.standardError) },
                           color: color))
            if let anchor = shown.min(by: { $0.0 < $1.0 }), let top = etas.max() {
                plot.add(.init(label: "  theory: slope \(slope == 0.5 ? "1/2" : "1")", x: [anchor.0, top],
                               y: [abs(anchor.1.mean), abs(anchor.1.mean) * pow(top / anchor.0, slope)], color: color,
                               dashed: true, markers: false))
            }
        }
        let gd = r.rows.filter { $0.gradientDescentSupError > 0 }
        plot.add(.init(label: "gradient descent max_k |x_k − Y(kη)|", x: gd.map(\.eta), y: gd.map(\.gradientDescentSupError), color: "#555555"))
        return plot
    }

    static func fit(_ f: RateFit) -> String {
        guard let s = f.fit.slope, let i = f.fit.interval else { return "— (\(f.etas.count) resolved points) → \(f.verdict.rawValue.uppercased())" }
        return String(format: "r = %.3f, 95%% [%.3f, %.3f], theory %g, %d points → %@", s, i[0], i[1], f.fit.theory, f.etas.count, f.verdict.rawValue.uppercased())
    }

    static func est(_ e: Estimate) -> String { String(format: "%.4g ± %.2g", e.mean, e.standardError) }

    public static func summary(_ r: NormalDeviationsResult) -> String {
        let c = r.configuration
        var lines = [String(format: "%@ (d = %d), %@, x₀ = %@, T = %g, N = %d paths per η", c.problem.name, r.dimension, c.problem.noiseSummary,
                            c.problem.initial.description, c.horizon, c.paths)]
        lines.append("  η         E sup|x−Y|         GD sup      ‖CovZ−P‖/‖P‖        ‖CovZ−∫Σ‖/‖P‖       trCovZ/trP          |E Z(T)|")
        for row in r.rows {
            lines.append(tableLine("  %-9g %-18@ %-11.4g %-19@ %-19@ %-19@ %@", row.eta, est(row.supError), row.gradientDescentSupError,
                                est(row.covarianceDiscrepancy), est(row.driftlessDiscrepancy), est(row.traceRatio), est(row.meanDeviation)))
        }
        for (i, phi) in c.testFunctions.enumerated() {
            lines.append("  φ = \(phi.formula): E φ(x) − E φ(Y + √η Z) | E φ(x) − φ(Y)")
            for row in r.rows {
                let l = row.linearNoise[i]
                lines.append(tableLine("    η = %-9g %-22@ %@", row.eta, est(l.linearNoiseError), est(l.flowError)))
            }
        }
        lines.append("  sup error (A.4): " + fit(r.supRate) + (r.gradientDescentRate.map { String(format: "; gradient descent r = %.3f (theory 1)", $0) } ?? ""))
        lines.append("  covariance (Thm 5): " + fit(r.covarianceRate))
        lines.append("  mean E Z^η(T): " + fit(r.meanRate))
        for (phi, f) in zip(c.testFunctions, r.linearNoiseRates) { lines.append("  linear noise, φ = \(phi.formula): " + fit(f)) }
        lines.append("  (A.7)'s covariance ∫Σ(Y) (M = 0) at the smallest η: " + (r.driftlessRejected ? "rejected (|z| > 3)" : "not rejected"))
        lines.append("verdict: \(r.verdict.rawValue.uppercased())  (\(String(format: "%.1f", r.wallSeconds)) s)")
        return lines.joined(separator: "\n")
    }

    public static func section(_ results: [NormalDeviationsResult], title: String, intro: String) -> HTMLReport.Section {
        var blocks: [HTMLReport.Block] = [.paragraph(intro)]
        for r in results {
            blocks.append(.preformatted(summary(r)))
            for (a, b) in pairs(r) {
                blocks.append(.figure(svg: covarianceFigure(r, row: a, column: b).svg,
                                      caption: "\(r.configuration.problem.name): Cov(Z^η)_\(a + 1)\(b + 1)(s) from SGD paths (95% bars) for each η (offset slightly in s to keep the bars apart); black: the Lyapunov ODE; dashed: (A.7)."))
            }
            blocks.append(.figure(svg: errorFigure(r).svg, caption: "\(r.configuration.problem.name): errors against η; dashed: the theory slopes through the smallest η."))
            let name = r.configuration.problem.name
            blocks.append(.verdict(label: "\(name): (A.4) E sup error ∝ √η", outcome: r.supRate.verdict.rawValue, detail: fit(r.supRate)))
            blocks.append(.verdict(label: "\(name): Theorem 5, Cov Z^η → P", outcome: r.covarianceRate.verdict.rawValue, detail: fit(r.covarianceRate)))
            blocks.append(.verdict(label: "\(name): E Z^η → 0", outcome: r.meanRate.verdict.rawValue, detail: fit(r.meanRate)))
            for (phi, f) in zip(r.configuration.testFunctions, r.linearNoiseRates) {
                blocks.append(.verdict(label: "\(name): linear-noise weak error, φ = \(phi.formula)", outcome: f.verdict.rawValue, detail: fit(f)))
            }
        }
        return HTMLReport.Section(title: title, blocks: blocks)
    }
}
