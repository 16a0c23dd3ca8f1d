import Dynamics
import Ensembles
import Escape
import FiniteSums
import Foundation
import Numerics
import Persistence
import Randomness

/// Theorem 3 on a learning problem of any dimension: escape-saddle past d = 4, on the block
/// engine. SGD and the exact SME-1 (the weighted full-data gradient, Euler–Maruyama) run from the
/// saddle for a block of paths at a time until every path has left the ball |x − x*| < r or
/// reached the time limit; the tallies have the low-dimensional study's names, so the result,
/// its verdicts, artifacts, shards and merge are the same.
///
/// What differs from d ≤ 4, and why: the SDE step is Euler–Maruyama, not Platen's weak order 2
/// (the block engine's step is one weighted gradient; keep `--sde-step` small), exits are seen
/// at grid points only (no Brownian-bridge test: it needs nᵀΣn per lane, a d-vector product with
/// Σ₀ that the engine never forms), and a block runs until its slowest path is done rather than
/// refilling lanes. The exit-angle histogram is in the plane of v₁ and v₂, the Hessian's two
/// lowest eigendirections.
enum EscapeSaddleBlocks {
    static let blockSize = 64

    static func run(_ c: EscapeSaddleConfiguration, learning: LearningProblemSpec, options: RunOptions) throws -> EscapeSaddle.Outcome {
        try c.validate()
        let problem = try learning.build()
        let (analysis, theta) = try analyse(c, problem: problem)
        let started = Date()
        let print = try fingerprint(c)
        let runner = try options.runner(experiment: EscapeSaddle.experiment, fingerprint: print,
                                        otherGenerators: try otherGeneratorFingerprints(c, \.normals))
        let xStar = analysis.point, v1 = analysis.unstableDirection
        let v2 = analysis.eigenvectors.count > 1 ? analysis.eigenvectors[1] : v1
        let off = zip(xStar, v1).map { $0 + c.offManifoldDistance * $1 }
        var tasks: [String: TaskProgress] = [:]
        var seedIndex: UInt64 = 0
        func nextSeed() -> UInt64 { seedIndex += 1; return c.seed &+ seedIndex &* 0x9E37_79B9_7F4A_7C15 }
        func run(_ name: String, sde: Bool, eta: Double, start: [Double], paths: Int) throws {
            let kernel = BlockExitKernel(problem: problem, center: xStar, radius: c.radius, start: start, reference: v1, second: v2,
                                         eta: eta, sde: sde, step: sde ? c.sdeStep : eta,
                                         maxSteps: max(1, Int((c.maxTime / (sde ? c.sdeStep : eta)).rounded(.up))), seed: nextSeed(),
                                         normals: c.normals ?? .standard)
            let plan = try EnsemblePlan(paths: paths, blockSize: blockSize)
            tasks[name] = try runner.run(task: name, plan: plan, blocks: options.shard.blocks(of: plan), emptyTally: Tally(ExitObservable.self),
                                         work: 1, unit: "paths") { kernel.simulate(paths: $0) }
            try ExperimentInterrupted.check(EscapeSaddle.experiment, [tasks[name]!])
        }
        for eta in c.sdeEtas {
            try run("sde/on/\(eta)", sde: true, eta: eta, start: xStar, paths: c.paths)
            if c.offManifoldDistance > 0 { try run("sde/off/\(eta)", sde: true, eta: eta, start: off, paths: c.paths) }
        }
        for eta in c.sgdEtas { try run("sgd/\(eta)", sde: false, eta: eta, start: xStar, paths: c.sgdPaths) }
        if options.shard.count > 1 {
            return .partial(PartialResult(experiment: EscapeSaddle.experiment, fingerprint: print, configuration: try canonicalJSON(c),
                                          shard: options.shard, tasks: tasks))
        }
        return .complete(EscapeSaddle.finalize(c, analysis: analysis, tasks: tasks, theta: theta, facts: ProblemFacts(learning: problem),
                                               threads: options.threads, wallSeconds: Date().timeIntervalSince(started)))
    }

    static func finalizeMerged(_ c: EscapeSaddleConfiguration, learning: LearningProblemSpec, tasks: [String: TaskProgress]) throws -> EscapeSaddleResult {
        let problem = try learning.build()
        let (analysis, theta) = try analyse(c, problem: problem)
        return EscapeSaddle.finalize(c, analysis: analysis, tasks: tasks, theta: theta, facts: ProblemFacts(learning: problem), threads: 1, wallSeconds: 0)
    }

    /// The saddle's Hessian analysis and θ, the gradient flow's exit time from x* + δ v₁ (RK4).
    static func analyse(_ c: EscapeSaddleConfiguration, problem: FiniteSumProblem<LearningModel>) throws -> (StationaryPoint, Double?) {
        let x = c.point!
        let g = problem.gradient(at: x).reduce(0) { $0 + $1 * $1 }.squareRoot()
        let analysis = try StationaryPoint(point: x, gradientNorm: g, value: problem.value(at: x), hessian: problem.hessian(at: x))
        try analysis.require(.saddle, .maximum)
        guard c.offManifoldDistance > 0 else { return (analysis, nil) }
        let start = zip(x, analysis.unstableDirection).map { $0 + c.offManifoldDistance * $1 }
        guard let theta = gradientFlowExitTime(problem, center: x, radius: c.radius, from: start) else {
            throw EscapeError.invalid("domain", "the gradient flow from x* + δv₁ never leaves the ball of radius \(c.radius): D must not reach another stationary point (use a smaller --radius)")
        }
        return (analysis, theta)
    }

    /// `EscapeTheory.gradientFlowExitTime` for a d-vector: RK4 with dt = 1e-3, the crossing
    /// interpolated linearly within the last step.
    static func gradientFlowExitTime(_ problem: FiniteSumProblem<LearningModel>, center: [Double], radius: Double, from x0: [Double],
                                     dt: Double = 1e-3, horizon: Double = 200) -> Double? {
        func distance(_ x: [Double]) -> Double { zip(x, center).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() - radius }
        func f(_ x: [Double]) -> [Double] { problem.gradient(at: x).map { -$0 } }
        func plus(_ x: [Double], _ s: Double, _ k: [Double]) -> [Double] { zip(x, k).map { $0 + s * $1 } }
        var x = x0, t = 0.0
        while t < horizon {
            let k1 = f(x), k2 = f(plus(x, dt / 2, k1)), k3 = f(plus(x, dt / 2, k2)), k4 = f(plus(x, dt, k3))
            let y = (0..<x.count).map { x[$0] + (dt / 6) * (k1[$0] + 2 * k2[$0] + 2 * k3[$0] + k4[$0]) }
            let a = distance(x), b = distance(y)
            if b >= 0 { return t + dt * (-a) / max(b - a, .leastNonzeroMagnitude) }
            (x, t) = (y, t + dt)
        }
        return nil
    }
}

/// One block of exit paths of a finite-sum problem on the block engine (SGD or exact SME-1).
struct BlockExitKernel: Sendable {
    let problem: FiniteSumProblem<LearningModel>
    let center: [Double], radius: Double, start: [Double], reference: [Double], second: [Double]
    let eta: Double, sde: Bool, step: Double, maxSteps: Int, seed: UInt64, normals: NormalMethod

    func simulate(paths: Range<Int>) -> Tally {
        let lanes = paths.count, ld = GaussianStream.paddedLanes(lanes), M = problem.count, d = problem.dimension
        let engine = BlockEngine(problem: problem, ld: ld, maximumBatch: problem.batchSchedule.largestBatch)
        let x = ParameterBlock(initial: start, ld: ld)
        let z = UnsafeMutablePointer<Double>.allocate(capacity: M * ld)
        defer { z.deallocate() }
        let driving = GaussianStream(seed: seed, stream: .driving, method: normals)
        let method = SGDMethod(eta: eta)
        var alive = [Bool](repeating: true, count: lanes)
        var remaining = lanes
        var tally = Tally(ExitObservable.self)
        var n = 0
        while remaining > 0 && n < maxSteps {
            if sde {
                driving.fill(firstPath: paths.lowerBound, lanes: lanes, firstDraw: n * M, draws: M, stride: ld, into: z)
                engine.diffusionStep(x, order: 1, eta: eta, dt: step, sgdStep: Int((Double(n) * step / eta).rounded(.down)), normals: z)
            } else {
                engine.sgdStep(x, method: method, step: n, firstPath: paths.lowerBound, lanes: lanes, seed: seed)
            }
            n += 1
            for b in 0..<lanes where alive[b] {
                var r2 = 0.0, u = 0.0, v = 0.0
                for j in 0..<d {
                    let delta = x.values[j * ld + b] - center[j]
                    r2 += delta * delta
                    u += delta * reference[j]
                    v += delta * second[j]
                }
                guard r2 >= radius * radius || !r2.isFinite else { continue }
                alive[b] = false
                remaining -= 1
                tally.count(ExitOutcome.exited)
                tally.add(ExitObservable.time, Double(n) * step)
                tally.add(ExitObservable.steps, Double(n))
                tally.add(ExitObservable.alignment, r2 > 0 && r2.isFinite ? abs(u) / r2.squareRoot() : 1)
                if r2.isFinite {
                    // a path that blew up in one step has no exit direction
                    let bin = Int(((atan2(v, u) + Double.pi) / (2 * Double.pi) * Double(ExitStatistics.angleBins)).rounded(.down))
                    tally.count(ExitOutcome.angle(min(max(bin, 0), ExitStatistics.angleBins - 1)))
                }
                // keep a finished lane tame (it is never read again; the others do not see it)
                for j in 0..<d { x.values[j * ld + b] = center[j] }
            }
        }
        if remaining > 0 { tally.count(ExitOutcome.censored, by: remaining) }
        return tally
    }
}

extension ProblemFacts {
    /// A finite sum's facts: mini-batch noise is never isotropic, and only least squares has a
    /// constant Hessian (which, without isotropic noise, gives no closed-form law either).
    init(learning problem: FiniteSumProblem<LearningModel>) {
        isotropicNoiseScale = nil
        hasConstantHessian = false
        isAxiallySymmetric = false
    }
}
