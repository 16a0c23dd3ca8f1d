import Dynamics
import Ensembles
import Escape
import Foundation
import Numerics
import Persistence
import Problems

/// Heavy ball against SGD at η_eff = η/(1 − β) and against its underdamped SDE, at a saddle and at
/// a minimum (see `MomentumConfiguration`). Every ensemble is an `ExitEnsemble` on phase space
/// (`HeavyBallExitDynamics`, `UnderdampedProcess` under Platen's weak order-2 scheme) with noise
/// named by (seed, path, step), so the tallies do not depend on the thread count.
public enum MomentumStudy {
    public static let experiment = "momentum"

    public static func run(_ c: MomentumConfiguration, options: RunOptions) throws -> MomentumResult {
        try c.validate()
        guard options.shard == .whole else { throw MomentumError.invalid("--shard", "momentum runs whole") }
        let started = Date()
        let runner = try options.runner(experiment: experiment, fingerprint: try fingerprint(c))
        var seedIndex: UInt64 = 0
        func nextSeed() -> UInt64 { seedIndex += 1; return c.seed &+ seedIndex &* 0x9E37_79B9_7F4A_7C15 }

        /// E τ of one ensemble: recorded times are s = (steps) × (time step), τ = s/(1 − β).
        func measure<Dyn: ExitDynamics, D: Domain>(_ name: String, _ dynamics: Dyn, domain: D, start: Dyn.State, beta: Double,
                                                  paths: Int) throws -> MomentumExitTimes where D.State == Dyn.State {
            let maxSteps = max(1, Int(min(c.maxTime * (1 - beta) / dynamics.timeStep, Double(1 << 40)).rounded(.up)))
            let ensemble = ExitEnsemble(dynamics: dynamics, domain: domain, start: start, center: start, reference: .basis(0),
                                        maxSteps: maxSteps, seed: nextSeed(), normals: c.normals ?? .standard)
            let progress = try runner.run(task: name, plan: try EnsemblePlan(paths: paths, blockSize: 128), emptyTally: ensemble.emptyTally,
                                          work: 1, unit: "paths") { ensemble.simulate(paths: $0) }
            try ExperimentInterrupted.check(experiment, [progress])
            let statistics = ExitStatistics(progress.tally)
            let t = statistics.time.estimate, scale = 1 / (1 - beta)
            return MomentumExitTimes(step: dynamics.timeStep, paths: paths, exited: statistics.exited, censored: statistics.censored,
                                     meanTime: Estimate(mean: t.mean * scale, standardError: t.standardError * scale, count: t.count))
        }

        // the saddle: F = (−γ₁x² + λy²)/2, S = σI, the ball of radius R
        let saddle = NoisyObjective(Quadratic(curvature: .diagonal(Point2(-c.gamma1, c.lambda)), name: "saddle"),
                                    noise: AdditiveNoise<Point2>(sigma: c.sigma))
        let ball = PositionDomain(Ball(center: Point2.zero, radius: c.radius))
        let rest2 = PhasePoint<Point2>.zero
        var saddleRows: [MomentumSaddleRow] = []
        for eta in c.saddleEtas {
            for beta in c.allBetas {
                let effective = eta / (1 - beta)
                let hb = try measure("saddle/hb/\(eta)/\(beta)", HeavyBallExitDynamics(problem: saddle, eta: eta, beta: beta, seed: c.seed),
                                     domain: ball, start: rest2, beta: beta, paths: c.saddlePaths)
                let sgd = beta == 0 ? hb : try measure("saddle/sgd/\(effective)", HeavyBallExitDynamics(problem: saddle, eta: effective, beta: 0, seed: c.seed),
                                                       domain: ball, start: rest2, beta: 0, paths: c.saddlePaths)
                let h = c.sdeStep(eta: eta, beta: beta)
                let sde = try measure("saddle/sde/\(eta)/\(beta)", SDEExitDynamics(process: UnderdampedProcess(saddle, eta: eta, beta: beta), stepper: PlatenWeak2(),
                                                                                  step: h, bridge: false),
                                      domain: ball, start: rest2, beta: beta, paths: c.saddlePaths)
                saddleRows.append(MomentumAnalysis.saddleRow(c, eta: eta, beta: beta, heavyBall: hb, sgd: sgd, sde: sde))
            }
        }

        // the minimum: the double well from x = −1 until x ≥ target (reflection far to the left is never met)
        let well = NoisyObjective(DoubleWell(), noise: AdditiveNoise<Double>(sigma: c.sigma))
        let line = PositionDomain(Interval(-.infinity, c.target))
        let bottom = PhasePoint<Double>(position: -1, velocity: 0)
        var minimumRows: [MomentumMinimumRow] = []
        for effective in c.minimumEtas {
            let sgd = try measure("minimum/sgd/\(effective)", HeavyBallExitDynamics(problem: well, eta: effective, beta: 0, seed: c.seed),
                                  domain: line, start: bottom, beta: 0, paths: c.minimumPaths)
            let overdamped = MomentumTheory.overdampedFirstPassage(etaEffective: effective, sigma: c.sigma, from: -1, to: c.target, reflecting: -3,
                                                                   gradient: { $0 * $0 * $0 - $0 })
            for beta in c.betas {
                let eta = effective * (1 - beta)
                let hb = try measure("minimum/hb/\(effective)/\(beta)", HeavyBallExitDynamics(problem: well, eta: eta, beta: beta, seed: c.seed),
                                     domain: line, start: bottom, beta: beta, paths: c.minimumPaths)
                let sde = try measure("minimum/sde/\(effective)/\(beta)",
                                      SDEExitDynamics(process: UnderdampedProcess(well, eta: eta, beta: beta), stepper: PlatenWeak2(),
                                                      step: c.sdeStep(eta: eta, beta: beta), bridge: false),
                                      domain: line, start: bottom, beta: beta, paths: c.minimumPaths)
                minimumRows.append(MomentumAnalysis.minimumRow(c, effective: effective, beta: beta, heavyBall: hb, sgd: sgd, sde: sde, overdamped: overdamped))
            }
        }
        return MomentumAnalysis.result(c, saddle: saddleRows, minimum: minimumRows, threads: options.threads, wallSeconds: Date().timeIntervalSince(started))
    }
}
