import Foundation
import Numerics
import Report

/// Files, terminal summary and report section of the learning-problem weak-error study.
public enum LearningWeakErrorArtifacts {
    @discardableResult
    public static func write(_ result: LearningWeakErrorResult, to directory: URL) throws -> [URL] {
        var files = ArtifactWriter(directory)
        try files.put("result.json", try JSONOutput.encode(result))
        try files.put("rows.csv", Data(rowsTable(result).text.utf8))
        try files.put("fits.csv", Data(fitsTable(result).text.utf8))
        for o in Set(result.rows.map(\.observable)).sorted() {
            try files.put("weak-error-\(o).svg", Data(figure(result, observable: o).svg.utf8))
            if !result.configuration.svagLevels.isEmpty { try files.put("svag-\(o).svg", Data(svagFigure(result, observable: o).svg.utf8)) }
        }
        return files.written
    }

    public static func rowsTable(_ r: LearningWeakErrorResult) -> CSVTable {
        var t = CSVTable(header: ["observable", "eta", "steps", "paths", "sgd", "sgd_se", "sme1", "sme1_se", "sme2", "sme2_se", "e1", "e1_se", "e2", "e2_se",
                                  "richardson1", "richardson1_se", "richardson2", "richardson2_se", "svag_level", "svag", "svag_se", "svag_gap", "svag_gap_se",
                                  "diverged_sgd", "diverged_sde"])
        for row in r.rows {
            for point in row.svag {
                t.append([row.observable, csvNumber(row.eta), "\(row.steps)", "\(row.paths)", csvNumber(row.sgd.mean), csvNumber(row.sgd.standardError),
                          csvNumber(row.sme1.mean), csvNumber(row.sme1.standardError), csvNumber(row.sme2.mean), csvNumber(row.sme2.standardError),
                          csvNumber(row.error1.mean), csvNumber(row.error1.standardError), csvNumber(row.error2.mean), csvNumber(row.error2.standardError),
                          csvNumber(row.correction1.mean), csvNumber(row.correction1.standardError), csvNumber(row.correction2.mean),
                          csvNumber(row.correction2.standardError), "\(point.level)", csvNumber(point.value.mean), csvNumber(point.value.standardError),
                          csvNumber(point.gap.mean), csvNumber(point.gap.standardError), "\(row.divergedSGD)", "\(row.divergedSDE)"])
            }
        }
        return t
    }

    public static func fitsTable(_ r: LearningWeakErrorResult) -> CSVTable {
        var t = CSVTable(header: ["observable", "fit", "eta", "theory", "slope", "ci_low", "ci_high", "points", "verdict"])
        for f in r.fits {
            t.append([f.observable, "SME-\(f.approximation) order in η", "", csvNumber(f.theory), csvNumber(f.slope), csvNumber(f.interval?.first),
                      csvNumber(f.interval?.last), f.etas.map { "\($0)" }.joined(separator: " "), f.verdict.rawValue])
        }
        for f in r.svagFits {
            t.append([f.observable, "SVAG gap order in l", csvNumber(f.eta), "-1", csvNumber(f.slope), csvNumber(f.interval?.first),
                      csvNumber(f.interval?.last), f.levels.map(String.init).joined(separator: " "), f.verdict.rawValue])
        }
        return t
    }

    static func intervals(_ es: [Estimate]) -> [(Double, Double)] {
        let z = Distributions.normalQuantile(0.975)
        return es.map { (max(abs($0.mean) - z * $0.standardError, 0), abs($0.mean) + z * $0.standardError) }
    }

    public static func figure(_ r: LearningWeakErrorResult, observable o: String) -> SVGPlot {
        var plot = SVGPlot(title: "Weak error on \(r.configuration.problem.model.rawValue) (d = \(r.dimension)), φ = \(LearningWeakErrorConfiguration.formula(o))",
                           xLabel: "step size η", yLabel: "|E φ(SGD) − E φ(SDE)|", xScale: .logarithmic, yScale: .logarithmic)
        let rows = r.rows.filter { $0.observable == o && $0.divergedSDE + $0.divergedSGD == 0 }.sorted { $0.eta < $1.eta }
        for (p, color) in [(1, SVGPlot.palette[0]), (2, SVGPlot.palette[1])] {
            let es = rows.map { p == 1 ? $0.error1 : $0.error2 }
            let slope = r.fits.first { $0.observable == o && $0.approximation == p }?.slope
            plot.add(.init(label: "SME-\(p)" + (slope.map { String(format: " (fitted order %.2f)", $0) } ?? ""), x: rows.map(\.eta),
                           y: es.map { abs($0.mean) }, errorBars: intervals(es), color: color))
        }
        return plot
    }

    public static func svagFigure(_ r: LearningWeakErrorResult, observable o: String) -> SVGPlot {
        var plot = SVGPlot(title: "SVAG against the exact SDE, φ = \(LearningWeakErrorConfiguration.formula(o))", xLabel: "SVAG level l (1 = SGD)",
                           yLabel: "|E φ(SVAG_l) − E φ(SME-1)|", xScale: .logarithmic, yScale: .logarithmic)
        for (index, row) in r.rows.filter({ $0.observable == o && $0.divergedSDE + $0.divergedSGD == 0 }).enumerated() {
            let points = row.svag.sorted { $0.level < $1.level }
            plot.add(.init(label: String(format: "η = %g", row.eta), x: points.map { Double($0.level) }, y: points.map { abs($0.gap.mean) },
                           errorBars: intervals(points.map(\.gap)), color: SVGPlot.palette[index % SVGPlot.palette.count]))
        }
        return plot
    }

    static func fitLine(_ f: LearningOrderFit) -> String {
        guard let s = f.slope, let ci = f.interval else { return "not enough resolved points" + (f.excluded.isEmpty ? "" : ": " + f.excluded.joined(separator: "; ")) }
        return String(format: "order %.3f, 95%% CI [%.3f, %.3f], theory %.0f ± %.2f", s, ci[0], ci[1], f.theory, f.tolerance)
            + (f.excluded.isEmpty ? "" : "; excluded: " + f.excluded.joined(separator: "; "))
    }

    static func svagLine(_ f: SVAGFit) -> String {
        guard let s = f.slope, let ci = f.interval else { return "not enough resolved levels" + (f.excluded.isEmpty ? "" : ": " + f.excluded.joined(separator: "; ")) }
        return String(format: "gap ∝ l^%.2f, 95%% CI [%.2f, %.2f], theory −1 ± 0.3 (levels %@)", s, ci[0], ci[1], f.levels.map(String.init).joined(separator: ","))
    }

    public static func summary(_ r: LearningWeakErrorResult) -> String {
        let c = r.configuration
        var lines = ["Theorem 1 on \(c.problem.summary): M = \(r.samples), d = \(r.dimension), test samples \(r.testSamples), T = \(c.horizon), \(c.paths) paths per η"]
        for o in LearningWeakErrorConfiguration.observables where r.rows.contains(where: { $0.observable == o }) {
            lines.append("φ = \(LearningWeakErrorConfiguration.formula(o))")
            lines.append("  η          E φ(SGD)               e1 ± se                 e2 ± se                 SVAG gaps (l: gap ± se)")
            for row in r.rows where row.observable == o {
                if row.divergedSGD + row.divergedSDE > 0 {
                    lines.append(String(format: "  %-10g undefined: %d SGD and %d SDE paths diverged", row.eta, row.divergedSGD, row.divergedSDE))
                    continue
                }
                let gaps = row.svag.dropFirst().map { String(format: "%d: %.2e ± %.1e", $0.level, $0.gap.mean, $0.gap.standardError) }.joined(separator: ", ")
                lines.append(String(format: "  %-10g %.6e ± %.1e   %+.4e ± %.1e   %+.4e ± %.1e   %@", row.eta, row.sgd.mean, row.sgd.standardError,
                                    row.error1.mean, row.error1.standardError, row.error2.mean, row.error2.standardError, gaps))
            }
            for f in r.fits where f.observable == o { lines.append("  SME-\(f.approximation): \(fitLine(f)): \(f.verdict.rawValue.uppercased())") }
            for f in r.svagFits where f.observable == o { lines.append(String(format: "  SVAG at η = %g: ", f.eta) + svagLine(f) + ": \(f.verdict.rawValue.uppercased())") }
        }
        lines.append("verdict: \(r.verdict.rawValue.uppercased())  (\(String(format: "%.1f", r.wallSeconds)) s)")
        return lines.joined(separator: "\n")
    }

    public static func section(_ r: LearningWeakErrorResult, title: String, intro: String) -> HTMLReport.Section {
        let c = r.configuration
        var blocks: [HTMLReport.Block] = [.paragraph(intro)]
        blocks.append(.paragraph(HTMLReport.escape(
            "Setup: \(c.problem.summary); M = \(r.samples) training samples, \(r.testSamples) test samples, d = \(r.dimension), x₀ = 0, T = \(c.horizon), \(c.paths) paths per η. "
            + "SME-1 and SME-2 are simulated exactly in law by the weighted-gradient noise (one weighted full-data gradient per step, no d × d matrix), by Euler–Maruyama with steps η/\(2 * c.substeps) and η/\(c.substeps), Richardson-extrapolated. "
            + "SGD's batch at each step is the top m of the normals that drive the SDE over that step (a uniform batch without replacement, coupled to the SDE).")))
        for o in LearningWeakErrorConfiguration.observables where r.rows.contains(where: { $0.observable == o }) {
            var table = HTMLReport.Table(caption: "φ = \(LearningWeakErrorConfiguration.formula(o))",
                                         header: ["η", "E φ(SGD)", "e₁ ± se", "e₂ ± se", "Richardson correction (SME-2)", "SVAG gaps"], rows: [])
            for row in r.rows where row.observable == o {
                table.rows.append([String(format: "%g", row.eta), String(format: "%.5f", row.sgd.mean),
                                   String(format: "%+.3e ± %.1e", row.error1.mean, row.error1.standardError),
                                   String(format: "%+.3e ± %.1e", row.error2.mean, row.error2.standardError),
                                   String(format: "%+.1e ± %.1e", row.correction2.mean, row.correction2.standardError),
                                   row.svag.dropFirst().map { String(format: "l=%d: %+.2e ± %.1e", $0.level, $0.gap.mean, $0.gap.standardError) }.joined(separator: "; ")])
            }
            blocks.append(.table(table))
            blocks.append(.figure(svg: figure(r, observable: o).svg, caption: "Weak error against η (log-log), 95% Monte Carlo intervals."))
            for f in r.fits where f.observable == o {
                blocks.append(.verdict(label: "Theorem 1, SME-\(f.approximation), φ = \(LearningWeakErrorConfiguration.formula(o))", outcome: f.verdict.rawValue, detail: fitLine(f)))
            }
            for f in r.svagFits where f.observable == o {
                blocks.append(.verdict(label: String(format: "SVAG → SDE at η = %g, φ = %@", f.eta, LearningWeakErrorConfiguration.formula(o)), outcome: f.verdict.rawValue,
                                       detail: svagLine(f)))
            }
            if !c.svagLevels.isEmpty {
                blocks.append(.figure(svg: svagFigure(r, observable: o).svg, caption: "SVAG's distance to the exact SME-1 against l (l = 1 is SGD); theory: ∝ 1/l."))
            }
        }
        return HTMLReport.Section(title: title, blocks: blocks)
    }
}
