import Dynamics
import Ensembles
import Escape
import Foundation
import Randomness
import Numerics
import Persistence
import Problems

/// Escape from an unstable stationary point (Theorem 3, (4.12)-(4.14), Appendix B).
public struct EscapeSaddleConfiguration: Sendable, Equatable, Codable {
    public var problem: ProblemSpec
    /// The stationary point; default: the catalog's saddle or maximum of the problem.
    public var stationaryPoint: [Double]?
    /// D is the ball of this radius around the stationary point.
    public var radius: Double
    /// A second start point x* + δ v₁ off the stable manifold (0 disables it).
    public var offManifoldDistance: Double
    /// η values for the SDE (time to exit) and for SGD (iterations to exit).
    public var sdeEtas: [Double]
    public var sgdEtas: [Double]
    public var paths: Int
    public var sgdPaths: Int
    /// SDE step h, independent of η.
    public var sdeStep: Double
    public var bridge: Bool
    /// Censoring time limit for a path.
    public var maxTime: Double
    public var seed: UInt64
    /// The normal generator; nil means Box–Muller, the default, and is left out of the JSON so
    /// that default runs keep their fingerprints and result files.
    public var normals: NormalMethod?

    public init(problem: ProblemSpec, stationaryPoint: [Double]? = nil, radius: Double = 1, offManifoldDistance: Double = 0.3,
                sdeEtas: [Double] = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7, 1e-8], sgdEtas: [Double] = [1e-1, 1e-2, 1e-3],
                paths: Int = 20_000, sgdPaths: Int = 4000, sdeStep: Double = 0.01, bridge: Bool = true, maxTime: Double = 500, seed: UInt64 = 1) {
        self.problem = problem
        self.stationaryPoint = stationaryPoint
        self.radius = radius
        self.offManifoldDistance = offManifoldDistance
        self.sdeEtas = sdeEtas
        self.sgdEtas = sgdEtas
        self.paths = paths
        self.sgdPaths = sgdPaths
        self.sdeStep = sdeStep
        self.bridge = bridge
        self.maxTime = maxTime
        self.seed = seed
    }

    public var point: [Double]? {
        stationaryPoint ?? (problem.custom != nil ? nil
            : ProblemCatalog.entry(named: problem.name).flatMap { $0.stationaryPoints["saddle"] ?? $0.stationaryPoints["maximum"] })
    }

    public func validate() throws {
        try problem.validate()
        guard let point, point.count == problem.dimension else {
            throw EscapeError.invalid("stationary point", "give --point: the problem has no known saddle or maximum, or the dimension is wrong")
        }
        guard radius > 0, radius.isFinite else { throw EscapeError.invalid("radius", "\(radius) (must be positive)") }
        guard point.allSatisfy(\.isFinite) else { throw EscapeError.invalid("stationary point", "\(point) (must be finite)") }
        guard offManifoldDistance >= 0, offManifoldDistance < radius else {
            throw EscapeError.invalid("off-manifold distance", "\(offManifoldDistance) (need 0 <= δ < radius; the start must lie in D)")
        }
        for eta in sdeEtas + sgdEtas {
            guard eta > 0, eta < 1 else { throw EscapeError.invalid("η", "\(eta) (need 0 < η < 1)") }
        }
        guard sdeEtas.count >= 2 else { throw EscapeError.invalid("SDE η grid", "\(sdeEtas) (need at least two values to fit a slope)") }
        guard Set(sdeEtas).count == sdeEtas.count, Set(sgdEtas).count == sgdEtas.count else { throw EscapeError.invalid("η grid", "\(sdeEtas), \(sgdEtas) repeats a value") }
        guard paths >= 2, sgdPaths >= 2 else { throw EscapeError.invalid("paths N", "\(min(paths, sgdPaths)) (need at least 2)") }
        guard paths <= 1 << 32, sgdPaths <= 1 << 32 else { throw EscapeError.invalid("paths N", "\(max(paths, sgdPaths)) (at most 2^32)") }
        guard sdeStep > 0, sdeStep <= 1 else { throw EscapeError.invalid("SDE step h", "\(sdeStep) (need 0 < h <= 1)") }
        try requireStepLimit(maxTime: maxTime, steps: [sdeStep])
        for eta in sgdEtas where maxTime / eta > 2e9 {
            throw EscapeError.invalid("η", "\(eta): SGD would need up to \(Int(maxTime / eta)) iterations per path; raise η or lower --max-time")
        }
    }
}

/// Without noise a path started at a stationary point never leaves it.
@usableFromInline
func requireNoise<P: StochasticGradientProblem>(_ problem: P) throws {
    guard problem.isNoiseFree else { return }
    let why = "without noise no path leaves the stationary point"
    if let sigma = problem.isotropicNoiseScale { throw EscapeError.invalid("noise scale σ", "\(sigma) (must be > 0: \(why))") }
    throw EscapeError.invalid("gradient noise", "Σ(x) = 0 for every x (\(why))")
}

/// The censoring time becomes a step count per path; it is checked as a double first, since
/// the user may give any size.
func requireStepLimit(maxTime: Double, steps: [Double]) throws {
    guard maxTime > 0, maxTime.isFinite else { throw EscapeError.invalid("time limit", "\(maxTime) (must be positive and finite)") }
    for h in steps where maxTime / h > maximumStepsPerPath {
        throw EscapeError.invalid("time limit", "\(maxTime): \(maxTime / h) steps of h = \(h) per path (at most \(Int(maximumStepsPerPath))); lower --max-time")
    }
}

/// The most steps one path may take before it is censored (2^40).
let maximumStepsPerPath = Double(1 << 40)

public enum EscapeError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)
    case startOutsideDomain([Double], String)
    public var description: String {
        switch self {
        case .invalid(let what, let why): return "invalid \(what): \(why)"
        case .startOutsideDomain(let x, let d): return "the start point \(x) is not inside the domain \(d)"
        }
    }
}

/// Exit-time statistics of one ensemble.
public struct ExitRow: Sendable, Codable, Equatable {
    public var label: String
    public var eta: Double
    public var step: Double
    public var paths: Int
    public var exited: Int
    public var censored: Int
    /// E T (time units) over exited paths.
    public var meanTime: Estimate
    /// E N (steps) over exited paths.
    public var meanSteps: Estimate
    /// E |cos ∠(x_exit - x*, v₁)|.
    public var alignment: Estimate
    /// Exit-angle histogram (36 bins over (-π, π]) or [lower, upper] in 1-D.
    public var histogram: [Int]
    /// Theory beside it, where there is one.
    public var theory: Double?

    init(label: String, eta: Double, step: Double, paths: Int, tally: Tally, dimension: Int, theory: Double?) {
        self.label = label
        self.eta = eta
        self.step = step
        self.paths = paths
        let statistics = ExitStatistics(tally)
        exited = statistics.exited
        censored = statistics.censored
        meanTime = statistics.time.estimate
        meanSteps = statistics.steps.estimate
        alignment = statistics.alignment.estimate
        histogram = statistics.histogram(dimension: dimension)
        self.theory = theory
    }
}

/// A fitted slope against theory.
public struct SlopeFit: Sendable, Codable, Equatable {
    public var name: String
    public var slope: Double?
    public var standardError: Double?
    public var interval: [Double]?
    public var intercept: Double?
    public var theory: Double
    /// Relative tolerance.
    public var tolerance: Double
    public var points: Int
    /// Coefficient of 1/x when the model includes a leading correction (y = c + s x + b/x).
    public var correction: Double?
    public var verdict: Verdict

    /// Weighted fit of y = c + s x (or, with `correction` and at least 4 points, y = c + s x + b/x)
    /// with the slope s judged against theory within a relative tolerance: pass if its whole 95%
    /// interval lies within, fail if disjoint.
    static func make(name: String, x: [Double], y: [Estimate], theory: Double, tolerance: Double, correction: Bool = false) -> SlopeFit {
        var fit = SlopeFit(name: name, theory: theory, tolerance: tolerance, points: x.count, verdict: .inconclusive)
        let sigma = y.map { max($0.standardError, 1e-300) }
        let withCorrection = correction && x.count >= 5
        let design = x.map { withCorrection ? [1, $0, 1 / $0] : [1, $0] }
        guard let model = try? WeightedLeastSquares(design: design, y: y.map(\.mean), standardErrors: sigma) else { return fit }
        let interval = model.interval(1)
        fit.slope = model.coefficients[1]
        fit.standardError = model.standardErrors[1]
        fit.intercept = model.coefficients[0]
        fit.correction = withCorrection ? model.coefficients[2] : nil
        fit.interval = [interval.lowerBound, interval.upperBound]
        let band = boundedInterval(min(theory * (1 - tolerance), theory * (1 + tolerance)), max(theory * (1 - tolerance), theory * (1 + tolerance)))
        if band.contains(interval.lowerBound) && band.contains(interval.upperBound) {
            fit.verdict = .pass
        } else if interval.overlaps(band) {
            fit.verdict = .inconclusive
        } else {
            fit.verdict = .fail
        }
        return fit
    }
}

public struct EscapeSaddleResult: Sendable, Codable {
    public var schema = "sgdiff.escape-saddle/1"
    public var software: SoftwareInfo
    public var configuration: EscapeSaddleConfiguration
    public var stationaryPoint: StationaryPoint
    /// 1/(2γ₁).
    public var theorySlope: Double
    public var onManifold: [ExitRow]
    public var offManifold: [ExitRow]
    /// θ(x₀) for the off-manifold start, from the gradient flow.
    public var deterministicExitTime: Double?
    public var sgd: [ExitRow]
    /// SDE: E T against log(1/η), slope vs 1/(2γ₁) (5%).
    public var sdeFit: SlopeFit
    /// SGD: η E N against log(1/η), slope vs 1/(2γ₁) (10%: SGD is further from the limit).
    public var sgdFit: SlopeFit
    /// E|cos| of the exit direction against v₁ at the smallest η.
    public var exitAlignment: Double
    public var alignmentVerdict: Verdict
    public var verdict: Verdict
    public var wallSeconds: Double
}

/// Inlinable for the reason `CoupledPathsKernel` is: a user's problem type specialises here.
@usableFromInline
struct EscapeSaddleKernel: ProblemVisitor {
    @usableFromInline typealias Output = (StationaryPoint, [String: TaskProgress], Double?, ProblemFacts)
    @usableFromInline let configuration: EscapeSaddleConfiguration
    @usableFromInline let runner: EnsembleRunner
    @usableFromInline let shard: Shard

    @usableFromInline
    init(configuration: EscapeSaddleConfiguration, runner: EnsembleRunner, shard: Shard) {
        (self.configuration, self.runner, self.shard) = (configuration, runner, shard)
    }

    @inlinable
    func visit<P: StochasticGradientProblem>(_ problem: P, initial: P.State) throws -> Output {
        try requireNoise(problem)
        let c = configuration
        let xStar = P.State(components: c.point!)
        let analysis = try StationaryPoint(problem, at: xStar)
        try analysis.require(.saddle, .maximum)
        let v1 = P.State(components: analysis.unstableDirection)
        let domain = Ball(center: xStar, radius: c.radius)
        let off = xStar + c.offManifoldDistance * v1
        let theta = c.offManifoldDistance > 0 ? EscapeTheory.gradientFlowExitTime(problem, domain: domain, from: off) : nil
        if c.offManifoldDistance > 0 && theta == nil {
            throw EscapeError.invalid("domain", "the gradient flow from x* + δv₁ never leaves the ball of radius \(c.radius): D must not reach another stationary point (use a smaller --radius)")
        }
        var tasks: [String: TaskProgress] = [:]
        var seedIndex: UInt64 = 0
        func nextSeed() -> UInt64 { seedIndex += 1; return c.seed &+ seedIndex &* 0x9E37_79B9_7F4A_7C15 }
        func run<Dyn: ExitDynamics>(_ name: String, _ dynamics: Dyn, start: Dyn.State, paths: Int) throws where Dyn.State == P.State {
            let ensemble = ExitEnsemble(dynamics: dynamics, domain: domain, start: start, center: xStar, reference: v1,
                                        maxSteps: max(1, Int((c.maxTime / dynamics.timeStep).rounded(.up))), seed: nextSeed(),
                                        normals: c.normals ?? .standard)
            let plan = try EnsemblePlan(paths: paths, blockSize: 1024)
            tasks[name] = try runner.run(task: name, plan: plan, blocks: shard.blocks(of: plan), emptyTally: ensemble.emptyTally,
                                         work: 1, unit: "paths") { ensemble.simulate(paths: $0) }
            try ExperimentInterrupted.check(EscapeSaddle.experiment, [tasks[name]!])
        }
        for eta in c.sdeEtas {
            let sde = SGDDiffusionProcess(problem, eta: eta, order: .first)
            try run("sde/on/\(eta)", SDEExitDynamics(process: sde, stepper: PlatenWeak2(), step: c.sdeStep, bridge: c.bridge), start: xStar, paths: c.paths)
            if c.offManifoldDistance > 0 {
                try run("sde/off/\(eta)", SDEExitDynamics(process: sde, stepper: PlatenWeak2(), step: c.sdeStep, bridge: c.bridge), start: off, paths: c.paths)
            }
        }
        for eta in c.sgdEtas {
            try run("sgd/\(eta)", SGDExitDynamics(problem: problem, method: SGDMethod(eta: eta), seed: c.seed), start: xStar, paths: c.sgdPaths)
        }
        return (analysis, tasks, theta, ProblemFacts(problem))
    }
}

public enum EscapeSaddle {
    public static let experiment = "escape-saddle"

    public typealias Outcome = StudyOutcome<EscapeSaddleResult>

    /// Runs the study on the built-in problem the configuration names.
    public static func run(_ configuration: EscapeSaddleConfiguration, options: RunOptions) throws -> Outcome {
        if let learning = configuration.problem.learning, configuration.problem.initial.count > 4 {
            return try EscapeSaddleBlocks.run(configuration, learning: learning, options: options)
        }
        return try runBuiltin(configuration, options: options)
    }

    /// `CataloguedStudy`'s entry point: the start is the configuration's own, which `initial` is built from.
    static func run<P: StochasticGradientProblem>(problem: P, initial: P.State, configuration: EscapeSaddleConfiguration,
                                                  options: RunOptions) throws -> Outcome {
        try run(problem: problem, configuration: configuration, options: options)
    }

    /// Runs the study on any problem; `configuration.problem` describes it
    /// (`ProblemSpec(describing:initial:)`) and `configuration.stationaryPoint` says where its
    /// saddle or maximum is.
    @inlinable
    public static func run<P: StochasticGradientProblem>(problem: P, configuration: EscapeSaddleConfiguration,
                                                         options: RunOptions) throws -> Outcome {
        try configuration.validate()
        try configuration.problem.requireDescribes(problem, initial: P.State(components: configuration.problem.initial))
        let started = Date()
        let print = try fingerprint(configuration)
        let runner = try options.runner(experiment: experiment, fingerprint: print,
                                        otherGenerators: try otherGeneratorFingerprints(configuration, \.normals))
        let kernel = EscapeSaddleKernel(configuration: configuration, runner: runner, shard: options.shard)
        let (analysis, tasks, theta, facts) = try kernel.visit(problem, initial: P.State(components: configuration.problem.initial))
        if options.shard.count > 1 {
            return .partial(PartialResult(experiment: experiment, fingerprint: print, configuration: try canonicalJSON(configuration),
                                          shard: options.shard, tasks: tasks))
        }
        return .complete(finalize(configuration, analysis: analysis, tasks: tasks, theta: theta, facts: facts, threads: options.threads,
                                  wallSeconds: Date().timeIntervalSince(started)))
    }

    /// Recomputes the deterministic parts (stationary point, θ) for a merge.
    public static func finalizeMerged(_ configuration: EscapeSaddleConfiguration, tasks: [String: TaskProgress]) throws -> EscapeSaddleResult {
        if let learning = configuration.problem.learning, configuration.problem.initial.count > 4 {
            return try EscapeSaddleBlocks.finalizeMerged(configuration, learning: learning, tasks: tasks)
        }
        struct Analyse: ProblemVisitor {
            typealias Output = (StationaryPoint, Double?, ProblemFacts)
            let c: EscapeSaddleConfiguration
            func visit<P: StochasticGradientProblem>(_ problem: P, initial: P.State) throws -> Output {
                let xStar = P.State(components: c.point!)
                let a = try StationaryPoint(problem, at: xStar)
                let off = xStar + c.offManifoldDistance * P.State(components: a.unstableDirection)
                let theta = c.offManifoldDistance > 0
                    ? EscapeTheory.gradientFlowExitTime(problem, domain: Ball(center: xStar, radius: c.radius), from: off) : nil
                return (a, theta, ProblemFacts(problem))
            }
        }
        let (a, theta, facts) = try configuration.problem.accept(Analyse(c: configuration))
        return finalize(configuration, analysis: a, tasks: tasks, theta: theta, facts: facts, threads: 1, wallSeconds: 0)
    }

    @usableFromInline
    static func finalize(_ c: EscapeSaddleConfiguration, analysis: StationaryPoint, tasks: [String: TaskProgress], theta: Double?,
                         facts: ProblemFacts, threads: Int, wallSeconds: Double) -> EscapeSaddleResult {
        let d = analysis.point.count
        let slope = EscapeTheory.saddleSlope(gamma1: analysis.gamma1)
        // the full small-η law, constant included, holds for a quadratic saddle with isotropic noise
        let linearSigma = facts.hasConstantHessian ? facts.isotropicNoiseScale : nil
        func row(_ name: String, eta: Double, step: Double, paths: Int, theory: Double?) -> ExitRow? {
            tasks[name].map { ExitRow(label: name, eta: eta, step: step, paths: paths, tally: $0.tally, dimension: d, theory: theory) }
        }
        let on = c.sdeEtas.compactMap { eta in
            row("sde/on/\(eta)", eta: eta, step: c.sdeStep, paths: c.paths,
                theory: linearSigma.map { EscapeTheory.linearSaddleMeanExitTime(gamma1: analysis.gamma1, sigma: $0, radius: c.radius, eta: eta) })
        }
        let off = c.sdeEtas.compactMap { row("sde/off/\($0)", eta: $0, step: c.sdeStep, paths: c.paths, theory: theta) }
        let sgd = c.sgdEtas.compactMap { eta in row("sgd/\(eta)", eta: eta, step: eta, paths: c.sgdPaths, theory: nil) }
        let usable = on.filter { $0.censored == 0 && $0.exited > 1 }
        let sdeFit = SlopeFit.make(name: "SDE: E T vs log(1/η)", x: usable.map { log(1 / $0.eta) }, y: usable.map(\.meanTime),
                                   theory: slope, tolerance: 0.05)
        let sgdUsable = sgd.filter { $0.censored == 0 && $0.exited > 1 }
        let sgdFit = SlopeFit.make(name: "SGD: η E N vs log(1/η)", x: sgdUsable.map { log(1 / $0.eta) },
                                   y: sgdUsable.map { Estimate(mean: $0.meanSteps.mean * $0.eta, standardError: $0.meanSteps.standardError * $0.eta, count: $0.meanSteps.count) },
                                   theory: slope, tolerance: 0.10)
        let alignment = on.min { $0.eta < $1.eta }?.alignment.mean ?? 0
        let alignmentVerdict: Verdict = alignment > 0.95 ? .pass : (alignment > 0.8 ? .inconclusive : .fail)
        let verdicts = [sdeFit.verdict, alignmentVerdict] + (sgd.count >= 2 ? [sgdFit.verdict] : [])
        let verdict = Verdict(combining: verdicts)
        return EscapeSaddleResult(software: .current(threads: threads), configuration: c, stationaryPoint: analysis, theorySlope: slope,
                                  onManifold: on, offManifold: off, deterministicExitTime: theta, sgd: sgd, sdeFit: sdeFit, sgdFit: sgdFit, exitAlignment: alignment,
                                  alignmentVerdict: alignmentVerdict, verdict: verdict, wallSeconds: wallSeconds)
    }
}
