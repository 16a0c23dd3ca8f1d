import Foundation
import Numerics
import Persistence
import Report

/// Files, figures, report section and terminal summary of the batch-size study.
public enum BatchSizeArtifacts {
    @discardableResult
    public static func write(_ r: BatchSizeResult, to directory: URL) throws -> [URL] {
        var files = ArtifactWriter(directory)
        try files.put("result.json", try JSONOutput.string(r))
        try files.put("batch-size.csv", table(r).text)
        try files.put("landscape.csv", landscapeTable(r).text)
        try files.put("escape-time.svg", escapeFigure(r).svg)
        try files.put("landscape.svg", landscapeFigure(r).svg)
        try files.put("horizon.svg", horizonFigure(r).svg)
        if !r.choices.isEmpty {
            try files.put("basin-choice.csv", choiceTable(r).text)
            try files.put("basin-choice.svg", choiceFigure(r).svg)
        }
        return files.written
    }

    static func table(_ r: BatchSizeResult) -> CSVTable {
        var t = CSVTable(header: ["basin", "m", "inverse_factor", "exponent", "kramers", "exact", "direct", "sde", "se_sde", "sde_censored",
                                  "splitting", "se_splitting", "sgd", "se_sgd", "sgd_censored", "sgd_over_barrier", "sgd_iterations_per_s",
                                  "p_left_by_horizon", "se_p_left", "p_left_theory"])
        for w in r.rows {
            t.append([w.basin, "\(w.batch)", csvNumber(w.inverseFactor), csvNumber(w.exponent), csvNumber(w.kramers), csvNumber(w.exact), w.direct ? "1" : "0",
                      csvNumber(w.sde?.meanExitTime), csvNumber(w.sde?.standardError), w.sde.map { "\($0.censored)" } ?? "",
                      csvNumber(w.splitting?.meanExitTime), csvNumber(w.splitting?.standardError),
                      csvNumber(w.sgd?.meanExitTime), csvNumber(w.sgd?.standardError), w.sgd.map { "\($0.censored)" } ?? "",
                      csvNumber(w.sgd?.overBarrier), csvNumber(w.sgd?.stepsPerSecond),
                      csvNumber(w.horizonEscape?.mean), csvNumber(w.horizonEscape?.standardError), csvNumber(w.horizonTheory)])
        }
        return t
    }

    static func landscapeTable(_ r: BatchSizeResult) -> CSVTable {
        var t = CSVTable(header: ["kind", "x", "F", "F2", "sigma0"])
        for c in r.landscape.critical { t.append([c.kind, csvNumber(c.x), csvNumber(c.value), csvNumber(c.curvature), csvNumber(c.covariance)]) }
        return t
    }

    static let colors = ["sharp": SVGPlot.palette[1], "flat": SVGPlot.palette[0]]

    /// log E T against 1/c = mM/(M − m): straight lines of slope V₀/η.
    public static func escapeFigure(_ r: BatchSizeResult) -> SVGPlot {
        var plot = SVGPlot(title: "Escape time against batch size: E T vs mM/(M − m) (95% intervals)", xLabel: "mM/(M − m)",
                           yLabel: "E T (time s = kη)", yScale: .logarithmic)
        for basin in r.landscape.basins {
            let rows = r.rows.filter { $0.basin == basin.name }, color = colors[basin.name]!
            plot.add(.init(label: "\(basin.name): exact SDE", x: rows.map(\.inverseFactor), y: rows.map(\.exact), color: color, markers: false))
            plot.add(.init(label: "\(basin.name): Kramers", x: rows.map(\.inverseFactor), y: rows.map(\.kramers), color: color, dashed: true, markers: false))
            let sgd = rows.filter { $0.sgd != nil }
            plot.add(.init(label: "\(basin.name): SGD", x: sgd.map(\.inverseFactor), y: sgd.map { $0.sgd!.meanExitTime },
                           errorBars: sgd.map { ($0.sgd!.meanExitTime - 1.96 * $0.sgd!.standardError, $0.sgd!.meanExitTime + 1.96 * $0.sgd!.standardError) },
                           color: color, lines: false))
            let sde = rows.filter { $0.sde != nil || $0.splitting != nil }
            let value = { (w: BatchSizeRow) in w.sde?.meanExitTime ?? w.splitting!.meanExitTime }
            let se = { (w: BatchSizeRow) in w.sde?.standardError ?? w.splitting!.standardError }
            plot.add(.init(label: "\(basin.name): SDE (direct or splitting)", x: sde.map(\.inverseFactor), y: sde.map(value),
                           errorBars: sde.map { (max(1e-300, value($0) - 1.96 * se($0)), value($0) + 1.96 * se($0)) }, color: "#555555", lines: false))
        }
        return plot
    }

    /// F and Σ₀ over the two basins.
    public static func landscapeFigure(_ r: BatchSizeResult) -> SVGPlot {
        var plot = SVGPlot(title: "The finite sum: critical points, F″ and Σ₀ (mini-batch noise is ∝ Σ₀)", xLabel: "x", yLabel: "value", yScale: .logarithmic)
        let c = r.landscape.critical
        plot.add(.init(label: "Σ₀ at the critical points", x: c.map(\.x), y: c.map(\.covariance), color: SVGPlot.palette[2], lines: false))
        plot.add(.init(label: "|F″| at the critical points", x: c.map(\.x), y: c.map { abs($0.curvature) }, color: SVGPlot.palette[3], lines: false))
        return plot
    }

    /// P(SGD has left the basin by S) against m, with the exponential law.
    public static func horizonFigure(_ r: BatchSizeResult) -> SVGPlot {
        var plot = SVGPlot(title: String(format: "P(SGD has left the basin by s = %g) against m (95%%)", r.configuration.horizon), xLabel: "m",
                           yLabel: "probability")
        for basin in r.landscape.basins {
            let rows = r.rows.filter { $0.basin == basin.name }, color = colors[basin.name]!
            plot.add(.init(label: "\(basin.name): 1 − exp(−S/E T)", x: rows.map { Double($0.batch) }, y: rows.map(\.horizonTheory), color: color, dashed: true, markers: false))
            let mc = rows.filter { $0.horizonEscape != nil }
            plot.add(.init(label: "\(basin.name): SGD", x: mc.map { Double($0.batch) }, y: mc.map { $0.horizonEscape!.mean },
                           errorBars: mc.map { ($0.horizonEscape!.mean - 1.96 * $0.horizonEscape!.standardError, $0.horizonEscape!.mean + 1.96 * $0.horizonEscape!.standardError) },
                           color: color, lines: false))
        }
        return plot
    }

    static func fmt(_ x: Double?, _ f: String = "%.4g") -> String { x.map { String(format: f, $0) } ?? "—" }
    static func pm(_ v: Double?, _ se: Double?) -> String { v.map { String(format: "%.4g ± %.2g", $0, se ?? 0) } ?? "—" }

    public static func summary(_ r: BatchSizeResult) -> String {
        var lines = ["\(r.problem) (M = \(r.samples)), η = \(r.configuration.eta)"]
        for b in r.landscape.basins {
            lines.append(String(format: "  %@ minimum x* = %.5g: F = %.5g, F″ = %.4g, Σ₀ = %.4g; barrier at %.5g, depth ΔF = %.4g; V₀ = %.5g (minimum action %.5g), W₀ (SGD, Cramér) = %.5g, 2ΔF/Σ₀(x*) = %.4g; exit interval (%.4g, %.4g)",
                                b.name, b.minimum, b.value, b.curvature, b.covariance, b.barrier, b.depth, b.quasiPotential, b.quasiPotentialMinimumAction,
                                b.randomWalkQuasiPotential, b.localNoiseQuasiPotential, b.lower, b.upper))
        }
        lines.append("  basin  m     V₀/(ηc)   Kramers     exact E T   SDE E T ± se          SGD E T ± se          SGD/exact       P(left by S): SGD, theory")
        for w in r.rows {
            let sde = w.sde.map { pm($0.meanExitTime, $0.standardError) } ?? w.splitting.map { pm($0.meanExitTime, $0.standardError) + " (AMS)" } ?? "—"
            lines.append(tableLine("  %-6@ %-5d %-9.4g %-11.4g %-11.4g %-21@ %-21@ %-15@ %@, %.3g", w.basin, w.batch, w.exponent, w.kramers, w.exact, sde,
                                pm(w.sgd?.meanExitTime, w.sgd?.standardError), pm(w.sgdOverExact?.mean, w.sgdOverExact?.standardError),
                                pm(w.horizonEscape?.mean, w.horizonEscape?.standardError), w.horizonTheory))
        }
        for f in r.fits {
            lines.append(String(format: "  slope of log E T (%@, %@): %@ [%@, %@], theory %@ = %.4g (±%.0f%%) → %@", f.basin, f.method, fmt(f.fit.slope),
                                fmt(f.fit.interval?[0]), fmt(f.fit.interval?[1]), f.method == "sgd" ? "W₀/η" : "V₀/η", f.fit.theory, 100 * f.fit.tolerance, f.fit.verdict.rawValue.uppercased()))
        }
        for w in r.rows where w.sgd != nil { lines.append(String(format: "  SGD %@ m = %d: %.3g iterations/s", w.basin, w.batch, w.sgd!.stepsPerSecond)) }
        lines.append("  E T(flat)/E T(sharp): " + r.rateRatios.map { "m = \($0.batch): \(fmt($0.exact)) exact" + ($0.sgd.map { ", " + pm($0.mean, $0.standardError) + " SGD" } ?? "") }.joined(separator: "; "))
        lines.append(String(format: "  SDE vs exact: max |z| = %.2f (bound %.2f) → %@; V₀ quadrature vs minimum action → %@; table → %@; sharp left first → %@",
                            r.sdeMaxZ, r.sdeZBound, r.sdeAgreement.rawValue.uppercased(), r.quasiPotentialAgreement.rawValue.uppercased(),
                            r.tableAccuracy.rawValue.uppercased(), r.sharpEscapesFirst.rawValue.uppercased()))
        lines += choiceSummaryLines(r)
        lines.append("verdict: \(r.verdict.rawValue.uppercased())  (\(String(format: "%.1f", r.wallSeconds)) s)")
        return lines.joined(separator: "\n")
    }
}

extension BatchSizeArtifacts {
    public static func section(_ r: BatchSizeResult, title: String, intro: String) -> HTMLReport.Section {
        var blocks: [HTMLReport.Block] = [.paragraph(intro), .preformatted(summary(r))]
        var basins = HTMLReport.Table(caption: "The two basins", header: ["basin", "x*", "F(x*)", "F″(x*)", "Σ₀(x*)", "depth ΔF", "V₀ (SDE)", "W₀ (SGD, Cramér)", "2ΔF/Σ₀(x*)"], rows: [])
        for b in r.landscape.basins {
            basins.rows.append([b.name, fmt(b.minimum, "%.5g"), fmt(b.value, "%.5g"), fmt(b.curvature), fmt(b.covariance), fmt(b.depth), fmt(b.quasiPotential),
                                fmt(b.randomWalkQuasiPotential), fmt(b.localNoiseQuasiPotential)])
        }
        blocks.append(.table(basins))
        blocks.append(.figure(svg: escapeFigure(r).svg, caption: "E T against mM/(M − m) on a log scale: lines are the exact SDE value (solid) and the Kramers law with the state-dependent noise (dashed); grey points the SDE simulated (direct, or splitting where direct cannot reach), coloured points SGD on the data."))
        blocks.append(.figure(svg: horizonFigure(r).svg, caption: "P(SGD has left its basin by the training time S): from the sharp minimum SGD leaves at small batch and stays at large batch."))
        blocks.append(.verdict(label: "V₀: quadrature against minimum action", outcome: r.quasiPotentialAgreement.rawValue, detail: "relative tolerance 1e-3"))
        blocks.append(.verdict(label: "SDE simulation against the exact E T", outcome: r.sdeAgreement.rawValue,
                               detail: String(format: "max |z| = %.2f over direct and splitting rows, Bonferroni bound %.2f", r.sdeMaxZ, r.sdeZBound)))
        blocks.append(.verdict(label: "log E T linear in mM/(M − m) with slope V₀/η (SDE) and W₀/η (SGD)", outcome: r.slopeVerdict.rawValue,
                               detail: r.fits.filter { $0.method != "sgd-vs-sde" }.map { "\($0.basin) \($0.method): \(fmt($0.fit.slope)) vs \(fmt($0.fit.theory)) → \($0.fit.verdict.rawValue)" }.joined(separator: "; ")))
        blocks.append(.verdict(label: "§5: the sharp minimum is left sooner than the flat one at every m", outcome: r.sharpEscapesFirst.rawValue,
                               detail: r.rateRatios.map { "m = \($0.batch): E T(flat)/E T(sharp) = \(fmt($0.exact)) exact" + ($0.sgd.map { ", \(pm($0.mean, $0.standardError)) SGD" } ?? "") }.joined(separator: "; ")))
        return HTMLReport.Section(title: title, blocks: blocks + choiceBlocks(r))
    }
}
