import Foundation
import Numerics
import Report

/// Files and report section of a weak-error study.
public enum WeakErrorArtifacts {
    /// Writes result.json, rows.csv, fits.csv, closed-form.csv and one log-log figure per test
    /// function into `directory`; returns the files written.
    @discardableResult
    public static func write(_ result: WeakErrorResult, to directory: URL) throws -> [URL] {
        var files = ArtifactWriter(directory)
        try files.put("result.json", try JSONOutput.encode(result))
        try files.put("rows.csv", Data(rowsTable(result).text.utf8))
        try files.put("fits.csv", Data(fitsTable(result).text.utf8))
        if !result.closedFormChecks.isEmpty { try files.put("closed-form.csv", Data(checksTable(result).text.utf8)) }
        for phi in result.configuration.testFunctions {
            try files.put("weak-error-\(fileSafe(phi.rawValue)).svg", Data(figure(result, phi: phi).svg.utf8))
        }
        return files.written
    }

    static func fileSafe(_ s: String) -> String { s.replacingOccurrences(of: "^", with: "") }

    public static func rowsTable(_ r: WeakErrorResult) -> CSVTable {
        var t = CSVTable(header: ["phi", "eta", "steps", "paths", "sde_step", "sgd_mean", "sgd_se", "sme1_mean", "sme1_se", "sme2_mean", "sme2_se",
                                  "e1", "e1_se", "e2", "e2_se", "sde_bias1", "sde_bias1_se", "sde_bias2", "sde_bias2_se",
                                  "diverged_sgd", "diverged_sde", "exact_sgd", "exact_sme1", "exact_sme2"])
        for row in r.rows {
            t.append([row.testFunction.rawValue, csvNumber(row.eta), "\(row.steps)", "\(row.paths)", csvNumber(row.sdeStep),
                      csvNumber(row.sgd.mean), csvNumber(row.sgd.standardError), csvNumber(row.sme1.mean), csvNumber(row.sme1.standardError),
                      csvNumber(row.sme2.mean), csvNumber(row.sme2.standardError), csvNumber(abs(row.error1.mean)), csvNumber(row.error1.standardError),
                      csvNumber(abs(row.error2.mean)), csvNumber(row.error2.standardError), csvNumber(row.sdeBias1.mean), csvNumber(row.sdeBias1.standardError),
                      csvNumber(row.sdeBias2.mean), csvNumber(row.sdeBias2.standardError), "\(row.divergedSGD)", "\(row.divergedSDE)",
                      csvNumber(row.exact?.sgd), csvNumber(row.exact?.sme1), csvNumber(row.exact?.sme2)])
        }
        return t
    }

    public static func fitsTable(_ r: WeakErrorResult) -> CSVTable {
        var t = CSVTable(header: ["phi", "approximation", "theory", "slope", "slope_se", "ci_low", "ci_high", "chi2", "dof", "etas", "verdict"])
        for f in r.fits {
            t.append([f.testFunction.rawValue, "SME-\(f.approximation)", csvNumber(f.theory), csvNumber(f.slope), csvNumber(f.standardError),
                      csvNumber(f.interval?.first), csvNumber(f.interval?.last), csvNumber(f.chiSquared), f.degreesOfFreedom.map(String.init) ?? "",
                      f.etas.map { "\($0)" }.joined(separator: " "), f.verdict.rawValue])
        }
        return t
    }

    public static func checksTable(_ r: WeakErrorResult) -> CSVTable {
        var t = CSVTable(header: ["phi", "eta", "quantity", "estimate", "se", "exact", "z", "verdict"])
        for c in r.closedFormChecks {
            t.append([c.testFunction.rawValue, csvNumber(c.eta), c.quantity, csvNumber(c.estimate), csvNumber(c.standardError),
                      csvNumber(c.exact), csvNumber(c.z), c.verdict.rawValue])
        }
        return t
    }

    /// log e_p against log η with 95% error bars and reference slopes 1 and 2.
    public static func figure(_ r: WeakErrorResult, phi: TestFunction) -> SVGPlot {
        var plot = SVGPlot(title: "Weak error, \(r.configuration.problem.name), φ = \(phi.formula)", xLabel: "step size η",
                           yLabel: "|E φ(SGD) − E φ(SDE)|", xScale: .logarithmic, yScale: .logarithmic)
        let rows = r.rows.filter { $0.testFunction == phi }.sorted { $0.eta < $1.eta }
        let z = Distributions.normalQuantile(0.975)
        for (p, color) in [(1, SVGPlot.palette[0]), (2, SVGPlot.palette[1])] {
            let es = rows.map { p == 1 ? $0.error1 : $0.error2 }
            let slope = r.fits.first { $0.testFunction == phi && $0.approximation == p }?.slope
            let label = "SME-\(p)" + (slope.map { String(format: " (fitted order %.2f)", $0) } ?? "")
            plot.add(.init(label: label, x: rows.map(\.eta), y: es.map { abs($0.mean) },
                           errorBars: es.map { (max(abs($0.mean) - z * $0.standardError, 0), abs($0.mean) + z * $0.standardError) }, color: color))
            if rows.allSatisfy({ $0.exact != nil }), !rows.isEmpty {
                plot.add(.init(label: "SME-\(p), closed form", x: rows.map(\.eta),
                               y: rows.map { abs(p == 1 ? $0.exact!.error1 : $0.exact!.error2) }, color: color, dashed: true, markers: false))
            }
            if let anchor = Array(zip(rows, es)).last(where: { abs($0.1.mean) > 3 * $0.1.standardError }) {
                let etas = rows.map(\.eta)
                let c = abs(anchor.1.mean) / pow(anchor.0.eta, Double(p))
                plot.add(.init(label: "reference slope \(p)", x: etas, y: etas.map { c * pow($0, Double(p)) },
                               color: "#999999", dashed: true, markers: false))
            }
        }
        return plot
    }

    /// The report section: theory, measurement table, figures, verdicts.
    public static func section(_ r: WeakErrorResult, title: String, intro: String) -> HTMLReport.Section {
        var blocks: [HTMLReport.Block] = [.paragraph(intro)]
        let c = r.configuration
        blocks.append(.paragraph(HTMLReport.escape(
            "Setup: \(c.problem.name), noise \(c.problem.noiseSummary), x₀ = \(c.problem.initial), T = \(c.horizon); SDE by \(c.stepper.rawValue) with step η/\(2 * c.substeps) (check: η/\(c.substeps)); paths per η shown below (\(c.antithetic ? "antithetic pairs" : "independent paths"), common random numbers between SGD and both SDEs).")))
        for phi in c.testFunctions {
            let rows = r.rows.filter { $0.testFunction == phi }
            var table = HTMLReport.Table(caption: "φ = \(phi.formula)", header: ["η", "paths", "e₁ ± se", "e₂ ± se", "SDE bias (SME-2)", "exact e₁", "exact e₂"], rows: [])
            for row in rows {
                table.rows.append([String(format: "%g", row.eta), "\(row.paths)",
                                   String(format: "%.4e ± %.1e", abs(row.error1.mean), row.error1.standardError),
                                   String(format: "%.4e ± %.1e", abs(row.error2.mean), row.error2.standardError),
                                   String(format: "%.1e ± %.1e", row.sdeBias2.mean, row.sdeBias2.standardError),
                                   row.exact.map { String(format: "%.4e", abs($0.error1)) } ?? "—",
                                   row.exact.map { String(format: "%.4e", abs($0.error2)) } ?? "—"])
            }
            blocks.append(.table(table))
            blocks.append(.figure(svg: figure(r, phi: phi).svg, caption: "Weak error against η (log-log), 95% Monte Carlo intervals; grey dashed lines have slopes 1 and 2."))
            for f in r.fits where f.testFunction == phi {
                let detail: String
                if let s = f.slope, let ci = f.interval {
                    detail = String(format: "fitted order %.3f, 95%% CI [%.3f, %.3f]; theory %.0f ± %.1f", s, ci[0], ci[1], f.theory, f.tolerance)
                        + (f.excluded.isEmpty ? "" : "; excluded: " + f.excluded.joined(separator: "; "))
                } else {
                    detail = "too few resolved points to fit" + (f.excluded.isEmpty ? "" : ": " + f.excluded.joined(separator: "; "))
                }
                blocks.append(.verdict(label: "Theorem 1, SME-\(f.approximation), φ = \(phi.formula)", outcome: f.verdict.rawValue, detail: detail))
            }
        }
        if !r.closedFormChecks.isEmpty {
            let worst = r.closedFormChecks.map { abs($0.z) }.max() ?? 0
            let outcome: Verdict = r.closedFormChecks.allSatisfy { $0.verdict == .pass } ? .pass : .fail
            blocks.append(.verdict(label: "Monte Carlo against closed-form moments", outcome: outcome.rawValue,
                                   detail: String(format: "%d comparisons, largest |z| = %.2f (pass if every |z| ≤ 4)", r.closedFormChecks.count, worst)))
        }
        blocks.append(.verdict(label: "SDE solved accurately enough", outcome: r.sdeAccuracy.rawValue,
                               detail: String(format: "the SDE's remaining discretisation bias (Richardson estimate from steps h and 2h, plus 2 se) is at most %.1f%% of any resolved weak error", 100 * r.sdeBiasRatio)))
        return HTMLReport.Section(title: title, blocks: blocks)
    }
}
