// A researcher's own problem through two studies, with no edit of the library.
//
// The objective is a curved double well, F(x, y) = (x² - 1)²/4 + (y - x²/2)²/2: minima at
// (±1, 1/2) joined through a saddle at the origin (γ₁ = 1). Its gradient noise is Gaussian and
// state dependent, S(x) = σ diag(1 + a cos x, 1). Neither is built in; conforming to the
// library's protocols is all it takes to run Theorem 1's weak-error study and Theorem 3's
// saddle-escape study on it, with result.json, CSV, SVG and an HTML report section.
//
//     swift run -c release CustomProblem [--out DIR] [--quick]
import Foundation
import SGDDiffusion

/// F(x, y) = (x² - 1)²/4 + (y - x²/2)²/2.
struct CurvedDoubleWell: TwiceDifferentiableObjective {
    var name: String { "curved-double-well" }

    func value(at p: Point2) -> Double {
        let u = p.x * p.x - 1, v = p.y - p.x * p.x / 2
        return u * u / 4 + v * v / 2
    }

    func gradient(at p: Point2) -> Point2 {
        let v = p.y - p.x * p.x / 2
        return Point2(p.x * (p.x * p.x - 1) - p.x * v, v)
    }

    func hessian(at p: Point2) -> SquareMatrix<Point2> {
        let xx = 3 * p.x * p.x - 1 - (p.y - p.x * p.x / 2) + p.x * p.x
        return SquareMatrix(columns: [Point2(xx, -p.x), Point2(-p.x, 1)])
    }
}

/// S(x) = σ diag(1 + a cos x, 1): noise stronger in the wells' axis near x = 0.
struct CosineModulatedNoise: NoiseModel {
    var sigma: Double
    var amplitude: Double
    var distribution: NoiseDistribution { .gaussian }
    var structure: NoiseStructure { .diagonal }
    var description: String { "Gaussian, S(x) = σ diag(1 + a cos x, 1), σ = \(sigma), a = \(amplitude)" }

    func factor(at p: Point2) -> SquareMatrix<Point2> {
        .diagonal(Point2(sigma * (1 + amplitude * cos(p.x)), sigma))
    }
}

let arguments = CommandLine.arguments
let quick = arguments.contains("--quick")
let output = URL(fileURLWithPath: arguments.firstIndex(of: "--out").map { arguments[$0 + 1] } ?? "results/custom-problem")
let noise = CosineModulatedNoise(sigma: 1, amplitude: 0.4)
let problem = NoisyObjective(CurvedDoubleWell(), noise: noise)
let options = RunOptions(quiet: true)
var report = HTMLReport(title: "A custom problem through sgd-diffusion", subtitle: problem.name)

do {
    // Theorem 1 from the minimiser's basin: SGD against SME-1 and SME-2 on shared noise.
    let start = Point2(0.5, 0)
    let spec = try ProblemSpec(describing: problem, initial: start, parameters: ["sigma": noise.sigma, "amplitude": noise.amplitude],
                               noiseDescription: noise.description)
    let weak = WeakErrorConfiguration(problem: spec, testFunctions: [.square], horizon: 1, etas: [0.1, 0.05, 0.025],
                                      paths: quick ? 200_000 : 4_000_000)
    guard case .complete(let weakResult) = try WeakErrorStudy.run(problem: problem, initial: start, configuration: weak, options: options) else {
        fatalError("an unsharded run returns its result")
    }
    try WeakErrorStudy.write(weakResult, to: output.appendingPathComponent("weak-error"))
    report.sections.append(WeakErrorArtifacts.section(weakResult, title: "Theorem 1 on the curved double well",
                                                      intro: "Weak errors of SME-1 and SME-2 at T = 1 from (0.5, 0)."))
    for fit in weakResult.fits {
        print("weak error, SME-\(fit.approximation): order \(fit.slope.map { String(format: "%.2f", $0) } ?? "—") (theory \(fit.theory)) \(fit.verdict.rawValue)")
    }

    // Theorem 3 at the saddle: E T against log(1/η), slope 1/(2γ₁).
    let saddle = Point2(0, 0)
    let escape = EscapeSaddleConfiguration(problem: try ProblemSpec(describing: problem, initial: saddle, parameters: ["sigma": noise.sigma],
                                                                    noiseDescription: noise.description),
                                           stationaryPoint: saddle.components, radius: 0.5, offManifoldDistance: 0.2,
                                           sdeEtas: [1e-2, 1e-4, 1e-6], sgdEtas: [0.1, 0.01], paths: quick ? 1000 : 20_000,
                                           sgdPaths: quick ? 500 : 4000)
    guard case .complete(let escapeResult) = try EscapeSaddle.run(problem: problem, configuration: escape, options: options) else {
        fatalError("an unsharded run returns its result")
    }
    try EscapeSaddle.write(escapeResult, to: output.appendingPathComponent("escape-saddle"))
    report.sections.append(EscapeArtifacts.section(escapeResult, title: "Theorem 3 at its saddle",
                                                   intro: "Mean exit time from the ball of radius 0.5 around the origin."))
    print(String(format: "escape from the saddle: slope %.3f (theory %.3f) %@", escapeResult.sdeFit.slope ?? .nan,
                 escapeResult.theorySlope, escapeResult.sdeFit.verdict.rawValue))

    try AtomicFile.write(Data(report.html.utf8), to: output.appendingPathComponent("report.html"))
    print("wrote \(output.path)")
} catch {
    FileHandle.standardError.write(Data("custom-problem: \(error)\n".utf8))
    exit(1)
}
