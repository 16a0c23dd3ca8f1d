import Foundation
import Numerics
import Report

/// The basin-choice grid's table, figure, summary lines and report blocks.
extension BatchSizeArtifacts {
    static func choiceTable(_ r: BatchSizeResult) -> CSVTable {
        var t = CSVTable(header: ["eta", "m", "p_flat_fokker_planck", "fokker_planck_error", "p_flat_stationary", "p_flat_sde", "se_sde", "paths_sde",
                                  "p_value_sde", "p_flat_sgd", "se_sgd", "paths_sgd", "p_value_sgd"])
        for w in r.choices {
            t.append([csvNumber(w.eta), "\(w.batch)", csvNumber(w.fokkerPlanck), csvNumber(w.fokkerPlanckError), csvNumber(w.stationary),
                      csvNumber(w.sde?.mean), csvNumber(w.sde?.standardError), w.sde.map { "\($0.count)" } ?? "", csvNumber(w.sdePValue),
                      csvNumber(w.sgd?.mean), csvNumber(w.sgd?.standardError), w.sgd.map { "\($0.count)" } ?? "", csvNumber(w.sgdPValue)])
        }
        return t
    }

    /// P(flat at S) against m, one colour per η: the law (line), the SDE (grey), SGD (coloured).
    public static func choiceFigure(_ r: BatchSizeResult) -> SVGPlot {
        var plot = SVGPlot(title: String(format: "P(in the flat basin at s = %g) from the sharp minimum, against m and η (95%%)", r.configuration.choiceHorizon),
                           xLabel: "m", yLabel: "probability")
        let interval = { (e: Estimate) in (e.mean - 1.96 * e.standardError, e.mean + 1.96 * e.standardError) }
        for (i, eta) in r.configuration.choiceEtas.enumerated() {
            let rows = r.choices.filter { $0.eta == eta }, color = SVGPlot.palette[i % SVGPlot.palette.count]
            plot.add(.init(label: "η = \(eta): Fokker–Planck", x: rows.map { Double($0.batch) }, y: rows.map(\.fokkerPlanck), color: color, markers: false))
            plot.add(.init(label: "η = \(eta): stationary", x: rows.map { Double($0.batch) }, y: rows.map(\.stationary), color: color, dashed: true, markers: false))
            let sgd = rows.filter { $0.sgd != nil }
            plot.add(.init(label: "η = \(eta): SGD", x: sgd.map { Double($0.batch) }, y: sgd.map { $0.sgd!.mean }, errorBars: sgd.map { interval($0.sgd!) },
                           color: color, lines: false))
            let sde = rows.filter { $0.sde != nil }
            plot.add(.init(label: "η = \(eta): SDE", x: sde.map { Double($0.batch) + 0.15 }, y: sde.map { $0.sde!.mean }, errorBars: sde.map { interval($0.sde!) },
                           color: color, lines: false, hollow: true))
        }
        return plot
    }

    static func choiceSummaryLines(_ r: BatchSizeResult) -> [String] {
        guard let s = r.choiceSummary else { return [] }
        var lines = [String(format: "  P(flat basin at s = %g) from the sharp minimum:", r.configuration.choiceHorizon),
                     "  η       m     Fokker–Planck (err)    stationary   SDE ± se              SGD ± se              SGD p-value"]
        for w in r.choices {
            lines.append(tableLine("  %-7g %-5d %-22@ %-12.4f %-21@ %-21@ %@", w.eta, w.batch, String(format: "%.4f (%.0e)", w.fokkerPlanck, w.fokkerPlanckError),
                                   w.stationary, pm(w.sde?.mean, w.sde?.standardError), pm(w.sgd?.mean, w.sgd?.standardError), fmt(w.sgdPValue, "%.2g")))
        }
        lines.append(String(format: "  basin choice: SDE vs Fokker–Planck smallest p = %.3g (bound %.2g) → %@; small m ends flat more often → %@; η effect follows the law (%d pairs) → %@",
                            s.smallestPValue, s.pValueBound, s.sdeAgreement.rawValue.uppercased(), s.smallBatchesReachFlat.rawValue.uppercased(),
                            s.etaPairsJudged, s.etaEffectFollowsLaw.rawValue.uppercased()))
        return lines
    }

    static func choiceBlocks(_ r: BatchSizeResult) -> [HTMLReport.Block] {
        guard let s = r.choiceSummary else { return [] }
        return [
            .figure(svg: choiceFigure(r).svg, caption: "P(in the flat basin at S) from the sharp minimum: lines the SDE's exact law (Fokker–Planck, reflecting at the ends of the scan), dashed its stationary limit, open points the SDE simulated, filled points SGD on the data."),
            .verdict(label: "Basin choice: the SDE's frequencies against the Fokker–Planck law", outcome: s.sdeAgreement.rawValue,
                     detail: String(format: "smallest exact binomial p-value %.3g, Bonferroni bound %.2g", s.smallestPValue, s.pValueBound)),
            .verdict(label: "§5: smaller batches end in the flat basin more often (smallest against largest m, at every η)", outcome: s.smallBatchesReachFlat.rawValue,
                     detail: "SGD, 3 standard errors of the difference"),
            .verdict(label: "§5: the effect of η on P(flat), SGD against the law's direction", outcome: s.etaEffectFollowsLaw.rawValue,
                     detail: "\(s.etaPairsJudged) neighbouring-η pairs where the law moves by more than 3 standard errors"),
        ]
    }
}
