import Dynamics
import Ensembles
import Foundation
import Numerics
import Persistence
import Problems
import Randomness
import Synchronization

/// Proposition 2 (§5): simulated annealing by the SDE dX = −∇F ds + √(γ/log(2+s)) dB.
///
/// Three measurements per γ, all from the trap (the deepest non-global minimum):
///  1. Monte Carlo paths to a moderate horizon: P(X(s) ∈ A^ε) and the first entry into A^ε;
///  2. the Fokker–Planck equation of the same SDE to s = 1e40 and beyond, once with reflecting
///     ends (P(X(s) ∈ A^ε) itself) and once with A^ε absorbing (the trap's survival S(s) and
///     hazard h(s)); checked against 1 where both reach;
///  3. the exponent α of s·h(s) ∝ s^α at large s, against the rate argument α = 1 − 2d*/γ:
///     ∫h ds = ∞, i.e. escape is certain, iff α ≥ 0 iff γ ≥ 2d*.
public enum AnnealingStudy {
    public static let experiment = "anneal"

    struct Landscape: ProblemVisitor {
        typealias Output = AnnealingLandscape
        let configuration: AnnealingConfiguration
        func visit<P: StochasticGradientProblem>(_ problem: P, initial: P.State) throws -> AnnealingLandscape {
            guard P.State.dimension == 1 else { throw AnnealingError.invalid("problem", "anneal takes a 1-D landscape") }
            return try AnnealingStudy.landscape(LineObjective(problem), configuration)
        }
    }

    struct Entry: ProblemVisitor {
        typealias Output = AnnealingResult
        let configuration: AnnealingConfiguration
        let options: RunOptions
        func visit<P: StochasticGradientProblem>(_ problem: P, initial: P.State) throws -> AnnealingResult {
            guard P.State.dimension == 1 else { throw AnnealingError.invalid("problem", "anneal takes a 1-D landscape") }
            return try AnnealingStudy.run(objective: LineObjective(problem), configuration: configuration, options: options)
        }
    }

    /// The landscape's minima and d*, with the checks that need F: the growth condition of
    /// Proposition 2 at the domain's ends, and an A^ε that holds no other critical point.
    static func landscape<O: Objective>(_ f: O, _ c: AnnealingConfiguration) throws -> AnnealingLandscape where O.State == Double {
        let lo = c.domain[0], hi = c.domain[1]
        guard f.gradient(at: lo) < 0, f.gradient(at: hi) > 0 else {
            throw AnnealingError.invalid("domain", "[\(lo), \(hi)]: F′ must point inward at both ends (F′(lo) < 0 < F′(hi)), the growth condition of Proposition 2; widen it")
        }
        let land = try AnnealingLandscape.analyse(value: { f.value(at: $0) }, gradient: { f.gradient(at: $0) }, lo: lo, hi: hi)
        for a in land.globalMinimisers {
            for other in land.critical where other.x != a && abs(other.x - a) <= c.neighbourhood {
                throw AnnealingError.invalid("ε", "\(c.neighbourhood): A^ε around the global minimiser \(String(format: "%.6g", a)) contains the \(other.kind) at \(String(format: "%.6g", other.x)); take ε < \(String(format: "%.4g", abs(other.x - a)))")
            }
        }
        guard land.globalMinimisers.allSatisfy({ $0 < land.trap }) || land.globalMinimisers.allSatisfy({ $0 > land.trap }) else {
            throw AnnealingError.landscape("global minimisers on both sides of the trap at \(String(format: "%.6g", land.trap)): the absorbing Fokker–Planck solve takes one side")
        }
        return land
    }

    public static func landscape(_ c: AnnealingConfiguration) throws -> AnnealingLandscape {
        try c.problem.accept(Landscape(configuration: c))
    }

    public static func run(_ c: AnnealingConfiguration, options: RunOptions) throws -> AnnealingResult {
        try c.validate()
        guard options.shard == .whole else { throw AnnealingError.invalid("--shard", "anneal runs whole (its Fokker–Planck part is not sharded)") }
        return try c.problem.accept(Entry(configuration: c, options: options))
    }

    @inline(__always)
    static func curvature<O: Objective>(_ f: O, _ x: Double) -> Double where O.State == Double {
        let h = 1e-5 * max(1, abs(x))
        return (f.gradient(at: x + h) - f.gradient(at: x - h)) / (2 * h)
    }

    static func run<O: Objective>(objective f: O, configuration c: AnnealingConfiguration, options: RunOptions) throws -> AnnealingResult where O.State == Double {
        let started = Date()
        let land = try landscape(f, c)
        let dStar = land.criticalDepth
        let dAction = AnnealingLandscape.minimumActionDepth(gradient: { f.gradient(at: $0) }, from: land.trap, to: land.barrier)
        let kappa = (curvature(f, land.trap) * abs(curvature(f, land.barrier))).squareRoot() / (2 * Double.pi)
        let times = c.times, mcTimes = c.monteCarloTimes
        let checkpoints = mcTimes.map { Int(($0 / c.step).rounded()) }

        // Monte Carlo: one task per γ, the same numbers for every γ
        let runner = try options.runner(experiment: experiment, fingerprint: try fingerprint(c))
        let plan = try EnsemblePlan(paths: c.paths, blockSize: AnnealingPaths<O>.lanes)
        var tallies: [Tally] = []
        for gamma in c.gammas {
            let paths = AnnealingPaths(process: AnnealingProcess(f, gamma: gamma), start: land.trap, step: c.step, steps: checkpoints.last!,
                                       checkpoints: checkpoints, globalMinimisers: land.globalMinimisers, radius: c.neighbourhood,
                                       seed: c.seed, normals: c.normals ?? .standard)
            let progress = try runner.run(task: "gamma/\(gamma)", plan: plan, emptyTally: paths.emptyTally, work: Double(checkpoints.last!),
                                          unit: "path-steps") { paths.simulate(paths: $0) }
            try ExperimentInterrupted.check(experiment, [progress])
            tallies.append(progress.tally)
        }

        // Fokker–Planck, coarse and refined, every γ in parallel (each solve is deterministic)
        let solves = FokkerPlanckSolves(f, land, c, times: times)
        let results = Mutex([[AnnealingFokkerPlanck.Sample]](repeating: [], count: 4 * c.gammas.count))
        DispatchQueue.concurrentPerform(iterations: 4 * c.gammas.count) { task in
            let samples = solves.solve(gamma: c.gammas[task / 4], absorbing: task % 2 == 1, refined: (task / 2) % 2 == 1)
            results.withLock { $0[task] = samples }
        }
        let fp = results.withLock { $0 }

        var rows: [AnnealingRow] = []
        var zs: [Double] = []
        for (g, gamma) in c.gammas.enumerated() {
            let (reflect, absorb, reflectFine, absorbFine) = (fp[4 * g], fp[4 * g + 1], fp[4 * g + 2], fp[4 * g + 3])
            var points: [AnnealingPoint] = []
            for (j, s) in times.enumerated() {
                let survival = exp(absorb[j].logSurvival)
                let error = max(abs(reflect[j].inside - reflectFine[j].inside), abs(survival - exp(absorbFine[j].logSurvival)))
                var point = AnnealingPoint(time: s, probability: reflect[j].inside, complement: reflect[j].outside, survival: survival,
                                           logSurvival: absorb[j].logSurvival, hazard: absorb[j].hazard,
                                           kramersHazard: kappa * exp(-2 * dStar / AnnealingProcess<O>.variance(gamma: gamma, time: s)),
                                           fokkerPlanckError: error)
                if j < mcTimes.count {
                    point.monteCarlo = tallies[g].moments[j].estimate
                    point.monteCarloHit = tallies[g].moments[mcTimes.count + j].estimate
                    for (mc, exact) in [(point.monteCarlo!, point.probability), (point.monteCarloHit!, 1 - survival)] {
                        zs.append((mc.mean - exact) / effectiveError(mc, extra: error))
                    }
                }
                points.append(point)
            }
            rows.append(AnnealingAnalysis.row(gamma: gamma, criticalDepth: dStar, points: points, coarse: absorb, refined: absorbFine,
                                              paths: c.paths, monteCarloTimes: mcTimes.count))
        }
        let zBound = Distributions.normalQuantile(1 - 0.005 / Double(max(1, zs.count)))
        let maxZ = zs.map(abs).max() ?? 0
        let depthAgreement: Verdict = abs(dAction - dStar) <= 1e-3 * dStar ? .pass : .fail
        let mcAgreement: Verdict = maxZ <= zBound ? .pass : .fail
        let exponentAgreement = Verdict(combining: rows.map(\.exponentVerdict))
        let threshold = Verdict(combining: rows.map(\.classificationVerdict))
        let verdict = Verdict(combining: [depthAgreement, mcAgreement, exponentAgreement, threshold])
        return AnnealingResult(software: .current(threads: options.threads), configuration: c, landscape: land, criticalDepth: dStar,
                               criticalDepthMinimumAction: dAction, depthAgreement: depthAgreement, criticalGamma: 2 * dStar,
                               trapCurvature: curvature(f, land.trap), barrierCurvature: curvature(f, land.barrier), rows: rows,
                               monteCarloMaxZ: maxZ, monteCarloZBound: zBound, monteCarloAgreement: mcAgreement,
                               exponentAgreement: exponentAgreement, threshold: threshold, verdict: verdict,
                               wallSeconds: Date().timeIntervalSince(started))
    }

    /// A Monte Carlo frequency's standard error, floored at that of one event in N (a frequency
    /// of exactly 0 or 1 has a sample spread of 0, which would make any difference infinitely
    /// significant), combined with the Fokker–Planck error bound.
    static func effectiveError(_ e: Estimate, extra: Double) -> Double {
        let n = Double(e.count)
        let p = min(max(e.mean, 1 / n), 1 - 1 / n)
        return (p * (1 - p) / n + extra * extra).squareRoot()
    }
}

/// The Fokker–Planck grids of one study: nodes aligned so that the edge of A^ε on the trap's
/// side is a node (the absorbing one), in coordinates u = ±x oriented so the trap lies at larger u.
struct FokkerPlanckSolves<O: Objective>: Sendable where O.State == Double {
    let f: O
    let land: AnnealingLandscape
    let c: AnnealingConfiguration
    let times: [Double]

    init(_ f: O, _ land: AnnealingLandscape, _ c: AnnealingConfiguration, times: [Double]) {
        (self.f, self.land, self.c, self.times) = (f, land, c, times)
    }

    func solve(gamma: Double, absorbing: Bool, refined: Bool) -> [AnnealingFokkerPlanck.Sample] {
        let sign: Double = land.globalMinimisers[0] < land.trap ? 1 : -1
        let lo = sign > 0 ? c.domain[0] : -c.domain[1], hi = sign > 0 ? c.domain[1] : -c.domain[0]
        let globals = land.globalMinimisers.map { sign * $0 }
        let edge = globals.max()! + c.neighbourhood
        let points = refined ? 2 * c.gridPoints : c.gridPoints
        let dx = (hi - lo) / Double(points)
        let below = Int(((edge - lo) / dx).rounded(.down)), above = Int(((hi - edge) / dx).rounded(.down))
        let all = (-below...above).map { edge + Double($0) * dx }
        let nodes = absorbing ? Array(all[below...]) : all
        let values = nodes.map { f.value(at: sign * $0) }
        let weights = nodes.map { u -> Double in
            var w = 0.0
            for a in globals { w += max(0, min(u + dx / 2, a + c.neighbourhood) - max(u - dx / 2, a - c.neighbourhood)) }
            return min(1, w / dx)
        }
        let trap = sign * land.trap
        let start = nodes.indices.min { abs(nodes[$0] - trap) < abs(nodes[$1] - trap) }!
        let solver = AnnealingFokkerPlanck(dx: dx, nodes: nodes, values: values, gamma: gamma, absorbing: absorbing,
                                           timeRatio: refined ? c.timeRatio / 2 : c.timeRatio, minimumStep: refined ? 5e-4 : 1e-3)
        return solver.solve(start: start, times: times, weights: weights)
    }
}
