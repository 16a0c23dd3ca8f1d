import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct EscapeSaddleCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "escape-saddle",
            abstract: "Exit times from a saddle or maximum for the SDE and SGD against Theorem 3: E T ≈ log(1/η)/(2γ₁).")

        @OptionGroup var problem: ProblemOptions
        @OptionGroup(title: "Learning problem (--model: a finite sum over data, d ≤ 4; --point is then a start near the saddle)")
        var learning: LearningOptions
        @OptionGroup var common: CommonOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("The stationary point, comma-separated (default: the problem's saddle or maximum).", valueName: "x1,..."))
        var point: NumberList?

        @Option(parsing: .unconditional, help: "Radius of the ball D around the stationary point.")
        var radius: Double = 1

        @Option(parsing: .unconditional, help: "Distance δ of the off-manifold start x* + δ v₁ (0: none).")
        var off: Double = 0.3

        @Option(parsing: .unconditional, help: ArgumentHelp("η for the SDE, comma-separated, at least two.", valueName: "η,..."))
        var sdeEtas = NumberList([1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8])

        @Option(parsing: .unconditional, help: ArgumentHelp("η for SGD, comma-separated (empty string: none).", valueName: "η,..."))
        var sgdEtas = NumberList([1e-1, 1e-2, 1e-3, 1e-4])

        @Option(parsing: .unconditional, help: "SDE paths per η.")
        var paths: Int = 20_000

        @Option(parsing: .unconditional, help: "SGD paths per η.")
        var sgdPaths: Int = 4000

        @Option(name: .customLong("sde-step"), parsing: .unconditional, help: "SDE step h (independent of η).")
        var sdeStep: Double = 0.01

        @Flag(help: "Detect exits only at grid points (no Brownian-bridge test).")
        var noBridge = false

        @Option(parsing: .unconditional, help: "Censoring time limit per path.")
        var maxTime: Double = 500

        func validate() throws { _ = try makeConfiguration() }

        func makeConfiguration() throws -> EscapeSaddleConfiguration {
            var stationary = try point.map { try $0.coordinates("--point") }
            let spec: ProblemSpec
            if let learned = try learning.spec(seed: common.seed) {
                guard let start = stationary else {
                    throw ValidationError("with --model give --point: a start near the saddle, which Newton's method refines to the exact stationary point")
                }
                (spec, stationary) = try learningProblem(learned, start: start, problem: problem)
            } else {
                spec = try problem.spec()
            }
            let configuration = EscapeSaddleConfiguration(
                problem: spec, stationaryPoint: stationary, radius: radius,
                offManifoldDistance: off, sdeEtas: try sdeEtas.grid("--sde-etas"), sgdEtas: try sgdEtas.grid("--sgd-etas", allowEmpty: true),
                paths: paths, sgdPaths: sgdPaths, sdeStep: sdeStep, bridge: !noBridge, maxTime: maxTime, seed: common.seed)
            try configuration.validate()
            return configuration
        }

        func run() throws {
            var configuration = try makeConfiguration()
            configuration.normals = common.normalsSetting
            try configuration.validate()
            let directory = common.outputDirectory.appendingPathComponent(EscapeSaddle.experiment)
            switch try EscapeSaddle.run(configuration, options: try common.runOptions(experimentDirectory: directory)) {
            case .complete(let result):
                try EscapeArtifacts.write(result, to: directory)
                if common.json { emit(try JSONOutput.string(result)) } else { emit(saddleSummary(result)) }
                note("wrote \(directory.path)/result.json, exit-times.csv and figures", quiet: common.quiet)
            case .partial(let partial):
                try writePartial(partial, directory: directory, json: common.json, quiet: common.quiet)
            }
        }
    }

    struct EscapeMinimumCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "escape-minimum",
            abstract: "Exit times from a minimiser against Theorem 2 (η log E T → V̄), the exit-time PDE, Lemma 1, Eyring–Kramers and splitting.")

        @OptionGroup var problem: ProblemOptions
        @OptionGroup(title: "Learning problem (--model: a finite sum over data with d = 1; --point is then a start near the minimiser, default 0)")
        var learning: LearningOptions
        @OptionGroup var common: CommonOptions

        @Option(parsing: .unconditional, help: ArgumentHelp("The minimiser, comma-separated (default: the problem's).", valueName: "x1,..."))
        var point: NumberList?

        @Option(parsing: .unconditional, help: ArgumentHelp("D as a box: lo1,hi1[,lo2,hi2] (default: the basin up to the saddle).", valueName: "lo1,hi1,..."))
        var domain: NumberList?

        @Option(parsing: .unconditional, help: ArgumentHelp("η for direct Monte Carlo of the SDE (empty: none).", valueName: "η,..."))
        var etas = NumberList([0.25, 0.2, 0.15, 0.125, 0.1, 0.08, 0.07])

        @Option(parsing: .unconditional, help: ArgumentHelp("η for direct Monte Carlo of SGD (empty: none).", valueName: "η,..."))
        var sgdEtas = NumberList([0.25, 0.2, 0.15])

        @Option(parsing: .unconditional, help: "Monte Carlo paths per η.")
        var paths: Int = 2000

        @Option(parsing: .unconditional, help: "SGD paths per η.")
        var sgdPaths: Int = 1000

        @Option(name: .customLong("sde-step"), parsing: .unconditional, help: "SDE step h.")
        var sdeStep: Double = 0.01

        @Option(parsing: .unconditional, help: ArgumentHelp("η for adaptive multilevel splitting (empty: none).", valueName: "η,..."))
        var splittingEtas = NumberList([0.06, 0.05, 0.045])

        @Option(parsing: .unconditional, help: "Independent splitting runs per η.")
        var runs: Int = 40

        @Option(parsing: .unconditional, help: "Replicas per splitting run.")
        var replicas: Int = 100

        @Option(parsing: .unconditional, help: "Direct A→Σ→A cycles for the renewal formula.")
        var cycles: Int = 2000

        @Option(parsing: .unconditional, help: ArgumentHelp("Interior PDE grid points: n (1-D) or nx,ny (2-D); default: from the cell Péclet number.", valueName: "n[,ny]"))
        var pdePoints: NumberList?

        @Option(parsing: .unconditional, help: "Censoring time limit per path.")
        var maxTime: Double = 1e6

        @Option(parsing: .unconditional, help: "η of the bridge-test comparison (0: skip it).")
        var bridgeEta: Double = 0.15

        @Option(parsing: .unconditional, help: ArgumentHelp("SDE steps h of the bridge-test comparison.", valueName: "h,..."))
        var bridgeSteps = NumberList([0.1, 0.05, 0.025, 0.0125])

        func validate() throws { _ = try makeConfiguration() }

        func makeConfiguration() throws -> EscapeMinimumConfiguration {
            var minimum = try point.map { try $0.coordinates("--point") }
            let spec: ProblemSpec
            let defaultBox: [Double]
            if let learned = try learning.spec(seed: common.seed) {
                let found = try learningProblem(learned, start: minimum, problem: problem) { d in
                    guard d == 1 else {
                        throw ValidationError("escape-minimum takes a learning problem of d = 1 (this one has d = \(d)): in 2-D its theory follows the exit through the face x₁ = hi toward a saddle, which a basin cut out of data need not have; escape-saddle takes any d")
                    }
                }
                (spec, minimum) = found
                // a unit box around the minimiser: a data-defined basin has no saddle to stop at
                defaultBox = found.point.flatMap { [$0 - 1, $0 + 1] }
            } else {
                spec = try problem.spec()
                defaultBox = spec.dimension == 1 ? [-2, 0] : [-1.5, 0, -1.2, 1.2]
            }
            let d = spec.dimension ?? 1
            let box = try domain.map { try $0.coordinates("--domain") } ?? defaultBox
            guard box.count == 2 * d else { throw ValidationError("--domain needs \(2 * d) numbers (lo,hi per coordinate), got \(box.count)") }
            let grid = try pdePoints.map { try $0.counts("--pde-points", in: 3...100_000) } ?? []
            guard bridgeEta >= 0 else { throw ValidationError("--bridge-eta must be positive, or 0 to skip the bridge comparison; got \(bridgeEta)") }
            let configuration = EscapeMinimumConfiguration(
                problem: spec, minimum: minimum,
                domainLower: stride(from: 0, to: box.count, by: 2).map { box[$0] }, domainUpper: stride(from: 1, to: box.count, by: 2).map { box[$0] },
                etas: try etas.grid("--etas", allowEmpty: true), sgdEtas: try sgdEtas.grid("--sgd-etas", allowEmpty: true),
                paths: paths, sgdPaths: sgdPaths, sdeStep: sdeStep,
                splittingEtas: try splittingEtas.grid("--splitting-etas", allowEmpty: true),
                splittingRuns: runs, replicas: replicas, cycles: cycles, pdePoints: grid, maxTime: maxTime,
                bridgeEta: bridgeEta > 0 ? bridgeEta : nil, bridgeSteps: try bridgeSteps.grid("--bridge-steps", allowEmpty: bridgeEta == 0), seed: common.seed)
            try configuration.validate()
            return configuration
        }

        func run() throws {
            var configuration = try makeConfiguration()
            configuration.normals = common.normalsSetting
            try configuration.validate()
            let directory = common.outputDirectory.appendingPathComponent(EscapeMinimum.experiment)
            switch try EscapeMinimum.run(configuration, options: try common.runOptions(experimentDirectory: directory)) {
            case .complete(let result):
                try EscapeArtifacts.write(result, to: directory)
                if common.json { emit(try JSONOutput.string(result)) } else { emit(minimumSummary(result)) }
                note("wrote \(directory.path)/result.json, exit-times.csv and figures", quiet: common.quiet)
                for row in result.rows { if let e = row.pdeError { note("PDE at η = \(row.eta): \(e)", quiet: common.quiet) } }
            case .partial(let partial):
                try writePartial(partial, directory: directory, json: common.json, quiet: common.quiet)
            }
        }
    }
}

func saddleSummary(_ r: EscapeSaddleResult) -> String {
    var lines = [String(format: "%@ at %@ of %@: γ₁ = %.4g, theory slope 1/(2γ₁) = %.4f", r.stationaryPoint.kind.rawValue,
                        r.stationaryPoint.point.description, r.configuration.problem.name, r.stationaryPoint.gamma1, r.theorySlope)]
    lines.append("  η          E T ± se (from x*)        E|cos(exit, v₁)|  censored")
    for row in r.onManifold {
        lines.append(String(format: "  %-10g %9.4f ± %-9.4f         %.4f           %d", row.eta, row.meanTime.mean, row.meanTime.standardError, row.alignment.mean, row.censored))
    }
    lines.append("  SDE fit: " + EscapeArtifacts.fitDetail(r.sdeFit) + " → " + r.sdeFit.verdict.rawValue.uppercased())
    for row in r.sgd {
        lines.append(String(format: "  SGD η = %-8g E N = %.1f ± %.1f  (η E N = %.4f)", row.eta, row.meanSteps.mean, row.meanSteps.standardError, row.meanSteps.mean * row.eta))
    }
    if r.sgd.count >= 2 { lines.append("  SGD fit: " + EscapeArtifacts.fitDetail(r.sgdFit) + " → " + r.sgdFit.verdict.rawValue.uppercased()) }
    if let theta = r.deterministicExitTime, let row = r.offManifold.min(by: { $0.eta < $1.eta }) {
        lines.append(String(format: "  off the stable manifold: E T = %.4f ± %.4f at η = %g, θ(x₀) = %.4f", row.meanTime.mean, row.meanTime.standardError, row.eta, theta))
    }
    lines.append("verdict: \(r.verdict.rawValue.uppercased())  (\(String(format: "%.1f", r.wallSeconds)) s)")
    return lines.joined(separator: "\n")
}

func minimumSummary(_ r: EscapeMinimumResult) -> String {
    var lines = [String(format: "minimum %@ of %@; quasi-potential: closed form %@, minimum action %.5f", r.stationaryPoint.point.description,
                        r.configuration.problem.name, r.quasiPotentialClosedForm.map { String(format: "%.5f", $0) } ?? "none", r.quasiPotentialMinimumAction)]
    func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
    lines.append("  " + pad("η", 9) + pad("Monte Carlo E T", 24) + pad("splitting E T", 24) + pad("PDE u(x*)", 12) + "Kramers")
    for row in r.rows {
        let mc = row.monteCarlo.map { $0.censored > 0 ? "censored \($0.censored)" : String(format: "%.4g ± %.2g", $0.meanTime.mean, $0.meanTime.standardError) } ?? "—"
        let sp = row.splitting.map { String(format: "%.4g ± %.2g", $0.meanExitTime, $0.standardError) } ?? "—"
        lines.append("  " + pad(String(format: "%g", row.eta), 9) + pad(mc, 24) + pad(sp, 24) + pad(row.pde.map { String(format: "%.4g", $0) } ?? "—", 12)
                     + (row.kramers.map { String(format: "%.4g", $0) } ?? "—"))
    }
    lines.append("  V̄ fit: " + EscapeArtifacts.fitDetail(r.fit) + " → " + r.fit.verdict.rawValue.uppercased())
    if let k = r.kramersRatio { lines.append(String(format: "  Kramers (ε = ησ²/2): measured/predicted = %.3f; with ε = √η: %.3g", k, r.kramersPaperRatio ?? .nan)) }
    lines.append("  PDE vs Monte Carlo: \(r.pdeAgreement.rawValue); splitting vs PDE: \(r.splittingAgreement.rawValue); Lemma 1: \(r.lemmaOne.rawValue); minimum action vs closed form: \(r.minimumActionAgreement.rawValue)")
    if r.directReach.count == 2, r.splittingReach.count == 2 {
        let steps = r.reachSteps.map { String(format: " (SDE steps: %.3g direct, %.3g splitting)", $0[0], $0[1]) } ?? ""
        lines.append(String(format: "  reach: direct Monte Carlo E T ≤ %.3g in %.1f s; splitting E T ≤ %.3g in %.1f s", r.directReach[0], r.directReach[1],
                            r.splittingReach[0], r.splittingReach[1]) + steps + ": " + (r.reachVerdict?.rawValue.uppercased() ?? "-"))
    }
    if let reason = r.bridgeSkipped { lines.append("  bridge-test comparison " + reason) }
    lines.append("verdict: \(r.verdict.rawValue.uppercased())  (\(String(format: "%.1f", r.wallSeconds)) s)")
    return lines.joined(separator: "\n")
}

/// A learning problem for the escape studies: the exact stationary point Newton's method reaches
/// from `start` (nil: 0), and the problem description that starts there.
func learningProblem(_ learned: LearningProblemSpec, start: [Double]?, problem: ProblemOptions,
                     check: (Int) throws -> Void = { _ in }) throws -> (spec: ProblemSpec, point: [Double]) {
    guard problem.isUntouched else {
        throw ValidationError("--problem, --noise, --distribution, --sigma, --amplitudes, --x0 and --param describe a built-in landscape; with --model the problem (and its noise) comes from the data")
    }
    let exact = try learned.stationaryPoint(near: start, check: check)
    return (try ProblemSpec(learning: learned, initial: exact), exact)
}
