import Dynamics
import Ensembles
import FiniteSums
import Foundation
import Numerics
import Persistence
import Randomness
import Report

/// SGD and its exact diffusion (SME-1, SME-2) side by side on a learning problem: E φ along the
/// run for the training loss, the test loss and |x − x₀|², with standard errors.
///
/// SGD may use heavy-ball momentum ρ and injected noise; its SDEs then use the effective
/// learning rate η/(1 − ρ) (heavy ball with rate η moves like plain SGD with η/(1 − ρ) once its
/// velocity has equilibrated, to first order), and iteration k sits at time k η/(1 − ρ).
public struct LearningSideBySideConfiguration: Codable, Equatable, Sendable, StudyConfiguration {
    public var problem: LearningProblemSpec
    public var eta: Double
    public var steps: Int
    public var every: Int
    public var paths: Int
    public var substeps: Int
    public var momentum: Double
    public var injectedNoise: Double
    public var seed: UInt64
    public var normals: NormalMethod?

    public init(problem: LearningProblemSpec, eta: Double, steps: Int, every: Int, paths: Int, substeps: Int = 2, momentum: Double = 0,
                injectedNoise: Double = 0, seed: UInt64 = 1, normals: NormalMethod? = nil) {
        (self.problem, self.eta, self.steps, self.every, self.paths, self.substeps) = (problem, eta, steps, every, paths, substeps)
        (self.momentum, self.injectedNoise, self.seed, self.normals) = (momentum, injectedNoise, seed, normals)
    }

    public var effectiveEta: Double { eta / (1 - momentum) }

    public func validate() throws {
        let fail = { (why: String) in LearningProblemSpec.Failure.invalid(why) }
        do { try SGDMethod(eta: eta, momentum: momentum, injectedNoise: injectedNoise).validate() } catch { throw fail("\(error)") }
        guard (1...10_000_000).contains(steps) else { throw fail("--steps must lie in 1…10⁷, got \(steps)") }
        guard (1...steps).contains(every) else { throw fail("--every must lie in 1…steps (\(steps)), got \(every)") }
        guard steps / every <= 10_000 else { throw fail("--steps/--every asks for \(steps / every) records; the limit is 10⁴") }
        guard (2...(1 << 28)).contains(paths) else { throw fail("--paths must lie in 2…2^28, got \(paths)") }
        guard (1...64).contains(substeps) else { throw fail("--substeps must lie in 1…64, got \(substeps)") }
        do { _ = try problem.schedule?.schedule(eta: effectiveEta) } catch { throw fail("\(error)") }
    }
}

public struct LearningSideBySidePoint: Codable, Equatable, Sendable {
    public var step: Int
    public var time: Double
    public var observable: String
    public var sgd: Estimate
    public var sme1: Estimate
    public var sme2: Estimate
}

public struct LearningSideBySideResult: Codable, Sendable {
    public var schema = "sgdiff.learning-simulate/1"
    public var software: SoftwareInfo
    public var configuration: LearningSideBySideConfiguration
    public var samples: Int
    public var dimension: Int
    public var dataSource: String
    public var points: [LearningSideBySidePoint]
    public var divergedSGD: Int
    public var divergedSDE: Int
    public var wallSeconds: Double
}

public enum LearningSideBySide {
    public static let experiment = "learning-simulate"
    static let methods = ["sgd", "sme1", "sme2"]
    static func name(_ o: Int, _ observable: String, _ method: String) -> String { "\(o)/\(observable)/\(method)" }

    public static func run(_ c: LearningSideBySideConfiguration, options: RunOptions, mnist: MNISTSource) throws -> StudyOutcome<LearningSideBySideResult> {
        try c.validate()
        let problem = try c.problem.scheduled(try c.problem.build(mnist: mnist), eta: c.effectiveEta)
        let started = Date()
        let print = try fingerprint(c)
        let runner = try options.runner(experiment: experiment, fingerprint: print, otherGenerators: try otherGeneratorFingerprints(c, \.normals))
        let x0 = c.problem.initialPoint(of: problem)
        let start = BlockEngine(problem: problem, ld: 1).observeOne(x0)
        let records = c.steps / c.every
        var observables: [(String, Double)] = []
        for o in 0...records {
            for (observable, level) in zip(LearningWeakErrorConfiguration.observables, [start.train, start.test.isNaN ? 0 : start.test, start.distance]) {
                for m in methods { observables.append((name(o, observable, m), level)) }
            }
        }
        let empty = Tally(observables: observables)
        let plan = try EnsemblePlan(paths: c.paths, blockSize: LearningWeakErrorStudy.blockSize)
        let task = try runner.run(task: "simulate", plan: plan, blocks: options.shard.blocks(of: plan), emptyTally: empty,
                                  work: Double(c.steps), unit: "SGD steps") { range in
            simulate(range, problem: problem, x0: x0, configuration: c, template: empty)
        }
        try ExperimentInterrupted.check(experiment, [task])
        if options.shard.count > 1 {
            return .partial(PartialResult(experiment: experiment, fingerprint: print, configuration: try canonicalJSON(c), shard: options.shard,
                                          tasks: ["simulate": task]))
        }
        return .complete(finalize(c, problem: problem, tally: task.tally, threads: options.threads, wallSeconds: Date().timeIntervalSince(started)))
    }

    static func simulate(_ range: Range<Int>, problem: FiniteSumProblem<LearningModel>, x0: [Double], configuration c: LearningSideBySideConfiguration,
                         template: Tally) -> Tally {
        let lanes = range.count, ld = GaussianStream.paddedLanes(lanes), M = problem.count
        let engine = BlockEngine(problem: problem, ld: ld, maximumBatch: problem.batchSchedule.largestBatch)
        let sgd = ParameterBlock(initial: x0, ld: ld), sme1 = ParameterBlock(initial: x0, ld: ld), sme2 = ParameterBlock(initial: x0, ld: ld)
        let z = UnsafeMutablePointer<Double>.allocate(capacity: M * ld)
        defer { z.deallocate() }
        let driving = GaussianStream(seed: c.seed, stream: .driving, method: c.normals ?? .standard)
        let method = SGDMethod(eta: c.eta, momentum: c.momentum, injectedNoise: c.injectedNoise)
        let fine = 2 * c.substeps, h = c.effectiveEta / Double(fine)
        var tally = template
        var diverged = (sgd: 0, sde: 0)
        func record(_ o: Int) {
            let blocks = [sgd, sme1, sme2]
            let values = blocks.map { engine.observe($0, from: x0, lanes: lanes) }
            for lane in 0..<lanes {
                guard blocks.allSatisfy({ $0.laneIsFinite(lane) }) else {
                    if o == c.steps / c.every { if sgd.laneIsFinite(lane) { diverged.sde += 1 } else { diverged.sgd += 1 } }
                    continue
                }
                for (m, v) in zip(methods, values) {
                    let picks = [v[lane].train, v[lane].test, v[lane].distance]
                    for (observable, y) in zip(LearningWeakErrorConfiguration.observables, picks) where observable != "test-loss" || problem.test != nil {
                        tally.add(tally.index(of: name(o, observable, m))!, y)
                    }
                }
            }
        }
        record(0)
        for k in 0..<c.steps {
            for j in 0..<fine {
                driving.fill(firstPath: range.lowerBound, lanes: lanes, firstDraw: (k * fine + j) * M, draws: M, stride: ld, into: z)
                engine.diffusionStep(sme1, order: 1, eta: c.effectiveEta, dt: h, sgdStep: k, normals: z)
                engine.diffusionStep(sme2, order: 2, eta: c.effectiveEta, dt: h, sgdStep: k, normals: z)
            }
            engine.sgdStep(sgd, method: method, step: k, firstPath: range.lowerBound, lanes: lanes, seed: c.seed)
            if (k + 1) % c.every == 0 { record((k + 1) / c.every) }
        }
        if diverged.sgd > 0 { tally.count(Divergence.sgd, by: diverged.sgd) }
        if diverged.sde > 0 { tally.count(Divergence.sde, by: diverged.sde) }
        return tally
    }

    public static func finalize(_ c: LearningSideBySideConfiguration, problem: FiniteSumProblem<LearningModel>, tally: Tally, threads: Int,
                                wallSeconds: Double) -> LearningSideBySideResult {
        var points: [LearningSideBySidePoint] = []
        for observable in LearningWeakErrorConfiguration.observables where observable != "test-loss" || problem.test != nil {
            for o in 0...(c.steps / c.every) {
                let e = methods.map { tally[name(o, observable, $0)].estimate }
                points.append(LearningSideBySidePoint(step: o * c.every, time: Double(o * c.every) * c.effectiveEta, observable: observable,
                                                      sgd: e[0], sme1: e[1], sme2: e[2]))
            }
        }
        return LearningSideBySideResult(software: .current(threads: threads), configuration: c, samples: problem.count, dimension: problem.dimension,
                                        dataSource: problem.data.source, points: points, divergedSGD: tally.count(of: Divergence.sgd),
                                        divergedSDE: tally.count(of: Divergence.sde), wallSeconds: wallSeconds)
    }

    @discardableResult
    public static func write(_ r: LearningSideBySideResult, to directory: URL) throws -> [URL] {
        var files = ArtifactWriter(directory)
        try files.put("result.json", try JSONOutput.encode(r))
        var t = CSVTable(header: ["observable", "step", "time", "sgd", "sgd_se", "sme1", "sme1_se", "sme2", "sme2_se"])
        for p in r.points {
            t.append([p.observable, "\(p.step)", csvNumber(p.time), csvNumber(p.sgd.mean), csvNumber(p.sgd.standardError), csvNumber(p.sme1.mean),
                      csvNumber(p.sme1.standardError), csvNumber(p.sme2.mean), csvNumber(p.sme2.standardError)])
        }
        try files.put("trajectories.csv", Data(t.text.utf8))
        for observable in Set(r.points.map(\.observable)).sorted() {
            try files.put("simulate-\(observable).svg", Data(figure(r, observable: observable).svg.utf8))
        }
        return files.written
    }

    static func figure(_ r: LearningSideBySideResult, observable: String) -> SVGPlot {
        var plot = SVGPlot(title: "SGD and its diffusion on \(r.configuration.problem.model.rawValue) (d = \(r.dimension)): \(LearningWeakErrorConfiguration.formula(observable))",
                           xLabel: "time s = kη", yLabel: "E φ (95% band)", xScale: .linear, yScale: .linear)
        let mine = r.points.filter { $0.observable == observable }
        let z = Distributions.normalQuantile(0.975)
        for (index, (label, pick)) in [("SGD", \LearningSideBySidePoint.sgd), ("SME-1", \.sme1), ("SME-2", \.sme2)].enumerated() {
            let e = mine.map { $0[keyPath: pick] }
            plot.add(.init(label: label, x: mine.map(\.time), y: e.map(\.mean), errorBars: e.map { ($0.mean - z * $0.standardError, $0.mean + z * $0.standardError) },
                           color: SVGPlot.palette[index], markers: false))
        }
        return plot
    }

    public static func divergenceError(_ r: LearningSideBySideResult) -> LearningProblemSpec.Failure? {
        guard r.divergedSGD + r.divergedSDE > 0 else { return nil }
        return .invalid("\(r.divergedSGD) SGD and \(r.divergedSDE) SDE paths of \(r.configuration.paths) diverged; lower η")
    }
}
