import Dynamics
import Ensembles
import Foundation
import Randomness
import Numerics
import Problems
import Report

/// SGD and its two diffusion approximations simulated side by side on shared noise, with test
/// functions recorded along the way: the everyday tool for looking at a problem.
public struct SideBySideConfiguration: Sendable, Equatable, Codable {
    public var problem: ProblemSpec
    public var testFunctions: [TestFunction]
    public var eta: Double
    public var steps: Int
    /// Record every `every` iterations (and at the last one).
    public var every: Int
    public var paths: Int
    public var substeps: Int
    public var stepper: StepperKind
    public var antithetic: Bool
    public var seed: UInt64
    /// The normal generator; nil means Box–Muller, the default, and is left out of the JSON so
    /// that default runs keep their fingerprints and result files.
    public var normals: NormalMethod?

    public init(problem: ProblemSpec, testFunctions: [TestFunction], eta: Double, steps: Int, every: Int, paths: Int,
                substeps: Int = 2, stepper: StepperKind = .weak2, antithetic: Bool = false, seed: UInt64 = 1) {
        self.problem = problem
        self.testFunctions = testFunctions
        self.eta = eta
        self.steps = steps
        self.every = every
        self.paths = paths
        self.substeps = substeps
        self.stepper = stepper
        self.antithetic = antithetic
        self.seed = seed
    }

    public var observationSteps: [Int] {
        var s = Array(Swift.stride(from: every, through: steps, by: every))
        if s.last != steps { s.append(steps) }
        return s
    }

    public func validate() throws {
        try problem.validate()
        guard !testFunctions.isEmpty else { throw WeakErrorError.noTestFunction }
        guard eta > 0, eta.isFinite else { throw WeakErrorError.invalid("η", "\(eta) (must be positive)") }
        guard steps >= 1, Double(steps) <= WeakErrorConfiguration.maximumSteps else {
            throw WeakErrorError.invalid("steps", "\(steps) (need 1...\(Int(WeakErrorConfiguration.maximumSteps)))")
        }
        guard every >= 1 else { throw WeakErrorError.invalid("--every", "\(every) (must be at least 1)") }
        guard observationSteps.count <= 1000 else { throw WeakErrorError.invalid("--every", "\(every) records \(observationSteps.count) times; at most 1000") }
        guard paths >= 2, paths <= 1 << 32 else { throw WeakErrorError.invalid("paths N", "\(paths) (need 2...2^32: a standard error needs two samples)") }
        guard !antithetic || paths % 2 == 0 else { throw WeakErrorError.invalid("paths N", "\(paths) (antithetic pairs need an even N)") }
        guard substeps >= 1, substeps <= 4096 else { throw WeakErrorError.invalid("substeps r", "\(substeps) (need 1...4096)") }
    }
}

public struct SideBySideResult: Sendable, Codable {
    public struct Point: Sendable, Codable, Equatable {
        public var step: Int
        public var time: Double
        public var testFunction: TestFunction
        public var sgd: Estimate
        public var sme1: Estimate
        public var sme2: Estimate
        /// E φ(SGD) - E φ(SME-p), from the coupled differences.
        public var difference1: Estimate
        public var difference2: Estimate
    }

    public var schema = "sgdiff.simulate/1"
    public var software: SoftwareInfo
    public var configuration: SideBySideConfiguration
    public var points: [Point]
    public var divergedSGD: Int
    public var divergedSDE: Int
    public var wallSeconds: Double
}

public enum SideBySide {
    public static let experiment = "simulate"

    public typealias Outcome = StudyOutcome<SideBySideResult>

    /// Runs the study on the built-in problem the configuration names.
    public static func run(_ configuration: SideBySideConfiguration, options: RunOptions) throws -> Outcome {
        try runBuiltin(configuration, options: options)
    }

    /// Runs the study on any problem (see `WeakErrorStudy.run(problem:initial:configuration:options:)`).
    @inlinable
    public static func run<P: StochasticGradientProblem>(problem: P, initial: P.State, configuration: SideBySideConfiguration,
                                                         options: RunOptions) throws -> Outcome {
        try configuration.validate()
        try configuration.problem.requireDescribes(problem, initial: initial)
        let started = Date()
        let print = try fingerprint(configuration)
        let runner = try options.runner(experiment: experiment, fingerprint: print,
                                        otherGenerators: try otherGeneratorFingerprints(configuration, \.normals))
        let shard = options.shard
        let kernel = CoupledPathsKernel(
            task: "simulate", eta: configuration.eta, steps: configuration.steps, observationSteps: configuration.observationSteps,
            substeps: configuration.substeps, stepper: configuration.stepper, testFunctions: configuration.testFunctions,
            antithetic: configuration.antithetic, seed: configuration.seed, paths: configuration.paths, runner: runner,
            blocks: { shard.blocks(of: $0) }, normals: configuration.normals ?? .standard)
        let progress = try kernel.visit(problem, initial: initial)
        try ExperimentInterrupted.check(experiment, [progress])
        if shard.count > 1 {
            return .partial(PartialResult(experiment: experiment, fingerprint: print, configuration: try canonicalJSON(configuration),
                                          shard: shard, tasks: ["simulate": progress]))
        }
        return .complete(finalize(configuration, tasks: ["simulate": progress], threads: options.threads,
                                  wallSeconds: Date().timeIntervalSince(started)))
    }

    public static func finalize(_ c: SideBySideConfiguration, tasks: [String: TaskProgress], threads: Int, wallSeconds: Double) -> SideBySideResult {
        let tally = tasks["simulate"]!.tally
        var points: [SideBySideResult.Point] = []
        for (o, step) in c.observationSteps.enumerated() {
            for phi in c.testFunctions {
                let e = { (q: String) in tally[CoupledPathsKernel.name(observation: o, phi: phi, quantity: q)].estimate }
                points.append(.init(step: step, time: Double(step) * c.eta, testFunction: phi, sgd: e("sgd"), sme1: e("sme1"),
                                    sme2: e("sme2"), difference1: e("d1"), difference2: e("d2")))
            }
        }
        return SideBySideResult(software: .current(threads: threads), configuration: c, points: points,
                                divergedSGD: tally.count(of: Divergence.sgd), divergedSDE: tally.count(of: Divergence.sde),
                                wallSeconds: wallSeconds)
    }

    /// Diverged paths are left out of the means; when every path of SGD or of the SDEs
    /// diverged there is no mean at all, and the run fails with this.
    public static func divergenceError(_ r: SideBySideResult) -> SideBySideDivergence? {
        guard let counts = divergenceCounts(r), r.divergedSGD == r.configuration.paths || r.divergedSDE == r.configuration.paths else { return nil }
        return SideBySideDivergence(description: "\(counts): E φ is undefined; lower η or σ (results were written)")
    }

    /// What to say when some, but not all, paths diverged.
    public static func divergenceWarning(_ r: SideBySideResult) -> String? {
        guard let counts = divergenceCounts(r), divergenceError(r) == nil else { return nil }
        return "\(counts) and are excluded from the means"
    }

    static func divergenceCounts(_ r: SideBySideResult) -> String? {
        guard r.divergedSGD + r.divergedSDE > 0 else { return nil }
        return "\(r.divergedSGD) SGD and \(r.divergedSDE) SDE of \(r.configuration.paths) paths diverged (non-finite state)"
    }

    @discardableResult
    public static func write(_ r: SideBySideResult, to directory: URL) throws -> [URL] {
        var written: [URL] = []
        let json = directory.appendingPathComponent("result.json")
        try AtomicFile.write(try JSONOutput.encode(r), to: json)
        written.append(json)
        var table = CSVTable(header: ["step", "time", "phi", "sgd", "sgd_se", "sme1", "sme1_se", "sme2", "sme2_se", "sgd_minus_sme1", "se1", "sgd_minus_sme2", "se2"])
        for p in r.points {
            table.append(["\(p.step)", csvNumber(p.time), p.testFunction.rawValue, csvNumber(p.sgd.mean), csvNumber(p.sgd.standardError),
                          csvNumber(p.sme1.mean), csvNumber(p.sme1.standardError), csvNumber(p.sme2.mean), csvNumber(p.sme2.standardError),
                          csvNumber(p.difference1.mean), csvNumber(p.difference1.standardError), csvNumber(p.difference2.mean),
                          csvNumber(p.difference2.standardError)])
        }
        let csv = directory.appendingPathComponent("trajectory.csv")
        try AtomicFile.write(table.text, to: csv)
        written.append(csv)
        for phi in r.configuration.testFunctions {
            let url = directory.appendingPathComponent("simulate-\(phi.rawValue.replacingOccurrences(of: "^", with: "")).svg")
            try AtomicFile.write(figure(r, phi: phi).svg, to: url)
            written.append(url)
        }
        return written
    }

    public static func figure(_ r: SideBySideResult, phi: TestFunction) -> SVGPlot {
        var plot = SVGPlot(title: "E φ along the run, \(r.configuration.problem.name), η = \(r.configuration.eta)", xLabel: "time s = kη",
                           yLabel: "E \(phi.formula)")
        let pts = r.points.filter { $0.testFunction == phi }
        for (name, key, color) in [("SGD", 0, SVGPlot.palette[0]), ("SME-1", 1, SVGPlot.palette[1]), ("SME-2", 2, SVGPlot.palette[2])] {
            let est = pts.map { key == 0 ? $0.sgd : (key == 1 ? $0.sme1 : $0.sme2) }
            plot.add(.init(label: name, x: pts.map(\.time), y: est.map(\.mean),
                           errorBars: est.map { ($0.mean - 2 * $0.standardError, $0.mean + 2 * $0.standardError) },
                           color: color, markers: pts.count <= 40))
        }
        return plot
    }
}

/// Every path of SGD or of the SDEs diverged, so no E φ is defined.
public struct SideBySideDivergence: Error, CustomStringConvertible {
    public var description: String
}
