import Foundation
import NeuralNets
import Numerics
import Problems
import Report

/// Files, figures and the report section of the MNIST study.
public enum MNISTArtifacts {
    @discardableResult
    public static func write(_ r: MNISTResult, to directory: URL) throws -> [URL] {
        var files = ArtifactWriter(directory)
        try files.put("result.json", try JSONOutput.string(r))
        try files.put("runs.csv", runsTable(r).text)
        try files.put("sweep.csv", sweepTable(r).text)
        try files.put("curves.csv", curvesTable(r).text)
        try files.put("evaluations.csv", evaluationsTable(r).text)
        try files.put("noise-scale.csv", noiseTable(r).text)
        for (name, plot, _) in figures(r) { try files.put(name, plot.svg) }
        return files.written
    }

    static func momentumTag(_ rho: Double) -> String { rho == 0 ? "SGD" : "momentum ρ = \(rho)" }

    /// (file, plot, caption) of every figure; Figs 1–6 are numbered as in the paper when the
    /// momenta are the paper's (0 and 0.9).
    public static func figures(_ r: MNISTResult) -> [(String, SVGPlot, String)] {
        let c = r.configuration
        var out: [(String, SVGPlot, String)] = []
        for (i, rho) in c.momenta.enumerated() {
            let number = c.momenta.count <= 2 ? "fig\(1 + i)-" : ""
            out.append(("\(number)distance-rho\(rho).svg", distanceFigure(r, rho: rho),
                        "‖w_k − w₀‖ against iteration k (\(momentumTag(rho)), η = \(c.learningRate)); dashed: batch \(c.largeBatch) with injected noise σ = \(c.injectedNoise)."))
        }
        for (i, rho) in c.momenta.enumerated() {
            let number = c.momenta.count <= 2 ? "fig\(3 + i)-" : ""
            out.append(("\(number)accuracy-rho\(rho).svg", accuracyFigure(r, rho: rho),
                        "Train and test accuracy against batch size after \(c.iterations) iterations (\(momentumTag(rho))), with ± 2 standard errors; open markers: batch \(c.largeBatch) with injected noise."))
        }
        out.append(("fig5-warm-start-small.svg", warmFigure(r, anchor: "small"), "Test accuracy against epoch, warm-started from the best weights of the small-batch anchor (epoch 0), ± 2 binomial standard errors."))
        out.append(("fig6-warm-start-large.svg", warmFigure(r, anchor: "large"), "Test accuracy against epoch, warm-started from the best weights of the large-batch anchor (epoch 0), ± 2 binomial standard errors."))
        out.append(("sharpness.svg", sharpnessFigure(r), "Top Hessian eigenvalue of the training loss at the end of each sweep run (Lanczos on Hessian-vector products), with its standard error across seeds (one seed: the Lanczos residual bound)."))
        out.append(("noise-scale.svg", noiseFigure(r), "Gradient-noise scale tr(Σ₀)/m along training (Proposition 1 estimator, ± 2 standard errors), SGD runs."))
        return out
    }

    static func label(_ run: MNISTRun) -> String {
        if let schedule = run.schedule { return "batch \(schedule)" }
        return "batch \(run.batchSize)" + (run.injectedNoise > 0 ? ", σ = \(run.injectedNoise)" : "")
    }

    static func sortKey(_ run: MNISTRun) -> (Int, Double, Int) { (run.schedule == nil ? 0 : 1, run.injectedNoise, run.batchSize) }

    static func firstSeed(_ r: MNISTResult) -> [MNISTRun] { r.runs.filter { $0.role == .sweep && $0.seed == r.configuration.seed } }

    static func distanceFigure(_ r: MNISTResult, rho: Double) -> SVGPlot {
        var plot = SVGPlot(title: "Distance from the initial weights, \(momentumTag(rho))", xLabel: "iteration", yLabel: "‖w − w₀‖")
        let runs = firstSeed(r).filter { $0.momentum == rho }.sorted { sortKey($0) < sortKey($1) }
        for (i, run) in runs.enumerated() {
            plot.add(.init(label: label(run), x: run.record.iterations.map(Double.init), y: run.record.distance, color: SVGPlot.palette[i % SVGPlot.palette.count],
                           dashed: run.injectedNoise > 0 || run.schedule != nil, markers: false))
        }
        return plot
    }

    static func bars(_ e: Estimate) -> (Double, Double) { (100 * (e.mean - 2 * e.standardError), 100 * (e.mean + 2 * e.standardError)) }

    static func accuracyFigure(_ r: MNISTResult, rho: Double) -> SVGPlot {
        var plot = SVGPlot(title: "Accuracy against batch size at equal iterations, \(momentumTag(rho))", xLabel: "batch size", yLabel: "accuracy (%)",
                           xScale: .logarithmic)
        let rows = r.sweep.filter { $0.momentum == rho && $0.injectedNoise == 0 && $0.schedule == nil }.sorted { $0.batchSize < $1.batchSize }
        let noisy = r.sweep.filter { $0.momentum == rho && $0.injectedNoise > 0 }
        plot.add(.init(label: "train", x: rows.map { Double($0.batchSize) }, y: rows.map { 100 * $0.trainAccuracy.mean },
                       errorBars: rows.map { bars($0.trainAccuracy) }, color: SVGPlot.palette[0]))
        plot.add(.init(label: "test", x: rows.map { Double($0.batchSize) }, y: rows.map { 100 * $0.testAccuracy.mean },
                       errorBars: rows.map { bars($0.testAccuracy) }, color: SVGPlot.palette[1]))
        if !noisy.isEmpty {
            plot.add(.init(label: "train, injected noise", x: noisy.map { Double($0.batchSize) }, y: noisy.map { 100 * $0.trainAccuracy.mean },
                           errorBars: noisy.map { bars($0.trainAccuracy) }, color: SVGPlot.palette[0], dashed: true, lines: false))
            plot.add(.init(label: "test, injected noise", x: noisy.map { Double($0.batchSize) }, y: noisy.map { 100 * $0.testAccuracy.mean },
                           errorBars: noisy.map { bars($0.testAccuracy) }, color: SVGPlot.palette[1], dashed: true, lines: false))
        }
        return plot
    }

    static func warmFigure(_ r: MNISTResult, anchor: String) -> SVGPlot {
        var plot = SVGPlot(title: "Warm start from the best \(anchor)-batch weights", xLabel: "epoch", yLabel: "test accuracy (%)")
        let n = Double(r.data.testCount)
        for (i, run) in r.runs.filter({ $0.role == .warmStart && $0.start == "anchor/\(anchor)" }).sorted(by: { $0.batchSize < $1.batchSize }).enumerated() {
            let e = run.record.evaluations
            plot.add(.init(label: "batch \(run.batchSize)", x: e.map(\.epoch), y: e.map { 100 * $0.testAccuracy },
                           errorBars: e.map { let s = 200 * ($0.testAccuracy * (1 - $0.testAccuracy) / n).squareRoot(); return (100 * $0.testAccuracy - s, 100 * $0.testAccuracy + s) },
                           color: SVGPlot.palette[i % SVGPlot.palette.count]))
        }
        return plot
    }

    static func sharpnessFigure(_ r: MNISTResult) -> SVGPlot {
        var plot = SVGPlot(title: "Sharpness at the end point against batch size", xLabel: "batch size", yLabel: "λ_max of the Hessian", xScale: .logarithmic)
        for (i, rho) in r.configuration.momenta.enumerated() {
            let rows = r.sweep.filter { $0.momentum == rho && $0.injectedNoise == 0 && $0.schedule == nil && $0.sharpness != nil }.sorted { $0.batchSize < $1.batchSize }
            plot.add(.init(label: momentumTag(rho), x: rows.map { Double($0.batchSize) }, y: rows.map { $0.sharpness! },
                           errorBars: rows.map { ($0.sharpness! - ($0.sharpnessError ?? 0), $0.sharpness! + ($0.sharpnessError ?? 0)) },
                           color: SVGPlot.palette[i % SVGPlot.palette.count]))
            let noisy = r.sweep.filter { $0.momentum == rho && $0.injectedNoise > 0 && $0.sharpness != nil }
            if !noisy.isEmpty {
                plot.add(.init(label: "\(momentumTag(rho)), injected noise", x: noisy.map { Double($0.batchSize) }, y: noisy.map { $0.sharpness! },
                               color: SVGPlot.palette[i % SVGPlot.palette.count], dashed: true, lines: false))
            }
        }
        return plot
    }

    static func noiseFigure(_ r: MNISTResult) -> SVGPlot {
        var plot = SVGPlot(title: "Gradient-noise scale along training", xLabel: "iteration", yLabel: "tr(Σ₀)/m", yScale: .logarithmic)
        let rho = r.configuration.momenta.first ?? 0
        for (i, run) in firstSeed(r).filter({ $0.momentum == rho && !$0.record.noiseScale.isEmpty }).sorted(by: { sortKey($0) < sortKey($1) }).enumerated() {
            let s = run.record.noiseScale
            plot.add(.init(label: label(run), x: s.map { Double($0.iteration) },
                           y: s.map(\.perBatch), errorBars: s.map { ($0.perBatch - 2 * $0.traceSigma0StandardError / Double($0.batchSize), $0.perBatch + 2 * $0.traceSigma0StandardError / Double($0.batchSize)) },
                           color: SVGPlot.palette[i % SVGPlot.palette.count], dashed: run.injectedNoise > 0 || run.schedule != nil))
        }
        return plot
    }

    // MARK: - Tables

    static func runsTable(_ r: MNISTResult) -> CSVTable {
        var t = CSVTable(header: ["run", "role", "batch_size", "schedule", "momentum", "injected_noise", "seed", "iterations", "start", "final_train_accuracy",
                                  "final_test_accuracy", "best_test_accuracy", "final_distance", "final_loss", "lambda_max", "lambda_max_residual",
                                  "lambda_min", "lanczos_steps", "samples_per_second", "seconds"])
        for run in r.runs {
            let s = run.sharpness
            t.append([run.name, run.role.rawValue, "\(run.batchSize)", run.schedule?.description ?? "", csvNumber(run.momentum), csvNumber(run.injectedNoise), "\(run.seed)", "\(run.iterations)",
                      run.start ?? "", csvNumber(run.record.finalTrainAccuracy), csvNumber(run.record.finalTestAccuracy), csvNumber(run.record.bestTestAccuracy),
                      csvNumber(run.record.distance.last), csvNumber(run.record.loss.last), csvNumber(s?.largest), csvNumber(s?.largestResidual),
                      csvNumber(s?.smallest), s.map { "\($0.steps)" } ?? "", csvNumber(run.record.samplesPerSecond), csvNumber(run.seconds)])
        }
        return t
    }

    static func sweepTable(_ r: MNISTResult) -> CSVTable {
        var t = CSVTable(header: ["momentum", "batch_size", "schedule", "injected_noise", "replicates", "train_accuracy", "train_accuracy_se", "test_accuracy",
                                  "test_accuracy_se", "final_distance", "final_loss", "lambda_max", "lambda_max_residual", "lambda_max_se", "lambda_min",
                                  "trace_sigma0", "trace_sigma0_se", "noise_scale", "sde_diffusion_trace"])
        for s in r.sweep {
            t.append([csvNumber(s.momentum), "\(s.batchSize)", s.schedule ?? "", csvNumber(s.injectedNoise), "\(s.replicates)", csvNumber(s.trainAccuracy.mean),
                      csvNumber(s.trainAccuracy.standardError), csvNumber(s.testAccuracy.mean), csvNumber(s.testAccuracy.standardError),
                      csvNumber(s.finalDistance), csvNumber(s.finalLoss), csvNumber(s.sharpness), csvNumber(s.sharpnessResidual), csvNumber(s.sharpnessStandardError), csvNumber(s.smallestEigenvalue),
                      csvNumber(s.traceSigma0?.mean), csvNumber(s.traceSigma0?.standardError), csvNumber(s.noiseScale), csvNumber(s.diffusionTrace)])
        }
        return t
    }

    static func curvesTable(_ r: MNISTResult) -> CSVTable {
        var t = CSVTable(header: ["run", "iteration", "distance", "loss"])
        for run in r.runs {
            for (k, it) in run.record.iterations.enumerated() {
                t.append([run.name, "\(it)", csvNumber(run.record.distance[k]), csvNumber(run.record.loss[k])])
            }
        }
        return t
    }

    static func evaluationsTable(_ r: MNISTResult) -> CSVTable {
        var t = CSVTable(header: ["run", "iteration", "epoch", "test_accuracy"])
        for run in r.runs {
            for e in run.record.evaluations { t.append([run.name, "\(e.iteration)", csvNumber(e.epoch), csvNumber(e.testAccuracy)]) }
        }
        return t
    }

    static func noiseTable(_ r: MNISTResult) -> CSVTable {
        var t = CSVTable(header: ["run", "batch_size", "iteration", "trace_sigma0", "trace_sigma0_se", "noise_scale"])
        for run in r.runs {
            for s in run.record.noiseScale {
                t.append([run.name, "\(s.batchSize)", "\(s.iteration)", csvNumber(s.traceSigma0), csvNumber(s.traceSigma0StandardError), csvNumber(s.perBatch)])
            }
        }
        return t
    }

    // MARK: - Report

    public static func section(_ r: MNISTResult, title: String) -> HTMLReport.Section {
        let c = r.configuration
        var blocks: [HTMLReport.Block] = []
        blocks.append(.paragraph(HTMLReport.escape(
            "The F1 network of Keskar et al. (784 → 5 × [Linear(512) → BatchNorm → ReLU] → Linear(10), \(r.data.parameterCount) parameters, float32) trained by SGD with η = \(c.learningRate) on \(r.data.trainCount) MNIST training examples, evaluated on \(r.data.testCount) test examples. Sweep: batch sizes \(c.batchSizes.map(String.init).joined(separator: ", ")) and batch \(c.largeBatch) with injected noise σ = \(c.injectedNoise), momenta \(c.momenta.map { "\($0)" }.joined(separator: ", ")), \(c.iterations) iterations each, \(c.replicates) seed(s). Anchors: batch \(c.smallBatch) for \(c.smallAnchorEpochs) epochs and batch \(c.largeBatch) for \(c.largeAnchorEpochs) epochs, keeping the weights of best test accuracy; warm starts run \(c.warmStartEpochs) epochs from them. The gradient-noise scale uses batch norm frozen at the statistics of a 4096-example pool (so that per-example losses are defined); the sharpness is the top eigenvalue of the Hessian of the loss on \(c.sharpnessSamples) training examples by \(c.sharpnessSteps) Lanczos steps.")))
        for check in r.checks {
            blocks.append(.verdict(label: check.statement, outcome: check.verdict.rawValue, detail: check.measured))
        }
        blocks.append(.table(HTMLReport.Table(
            caption: "The paper's §6 claims, as measured in this run (reproduced: yes / no / within error bars).",
            header: ["claim", "measured", "reproduced"],
            rows: r.claims.map { [$0.statement, $0.measured, $0.reproduced.map { $0 ? "yes" : "no" } ?? "within error bars"] })))
        blocks.append(.table(HTMLReport.Table(
            caption: "End points of the sweep: accuracy (± standard error), distance travelled, sharpness, gradient-noise trace tr Σ₀ and the SME diffusion trace η(tr Σ₀/m + σ²d).",
            header: ["ρ", "batch", "σ", "train acc (%)", "test acc (%)", "‖w − w₀‖", "λ_max", "tr Σ₀", "tr Σ₀ / m", "η tr(Σ)/m"],
            rows: r.sweep.map { s in
                [String(s.momentum), s.schedule ?? "\(s.batchSize)", String(s.injectedNoise),
                 String(format: "%.2f ± %.2f", 100 * s.trainAccuracy.mean, 100 * s.trainAccuracy.standardError),
                 String(format: "%.2f ± %.2f", 100 * s.testAccuracy.mean, 100 * s.testAccuracy.standardError),
                 String(format: "%.3f", s.finalDistance), s.sharpness.map { String(format: "%.3g ± %.1g", $0, s.sharpnessError ?? 0) } ?? "–",
                 s.traceSigma0.map { String(format: "%.4g ± %.2g", $0.mean, $0.standardError) } ?? "–",
                 s.noiseScale.map { String(format: "%.3g", $0) } ?? "–", s.diffusionTrace.map { String(format: "%.3g", $0) } ?? "–"]
            })))
        for (_, plot, caption) in figures(r) { blocks.append(.figure(svg: plot.svg, caption: caption)) }
        return HTMLReport.Section(title: title, blocks: blocks)
    }
}
