import Foundation
import Numerics
import Testing
import TestSupport
@testable import Dynamics
import Persistence
import Problems
@testable import Experiments

@Suite struct AnnealingTests {
    static func small(gammas: [Double] = [0.3], paths: Int = 2048) throws -> AnnealingConfiguration {
        var c = try AnnealingConfiguration.standard()
        (c.gammas, c.paths, c.monteCarloHorizon, c.fokkerPlanckHorizon, c.gridPoints, c.step) = (gammas, paths, 20, 1e6, 400, 0.01)
        return c
    }

    /// ε(s) = γ/log(2 + s), and the process applies exactly √ε(s).
    @Test func schedule() throws {
        let p = AnnealingProcess(DoubleWell(tilt: 0.1), gamma: 0.5)
        for s in [0.0, 1, 10, 1e6, 1e40] {
            #expect(p.variance(at: s) == 0.5 / log(2 + s))
            #expect(abs(p.applyDiffusion(at: 0.3, time: s, 1.0) - (0.5 / log(2 + s)).squareRoot()) <= 1e-15)
        }
        #expect(p.drift(at: 2, time: 5) == -(8 - 2 + 0.1))
        let times = try Self.small().times
        #expect(times.first == 0.1 && times.last! >= 1e6 * (1 - 1e-12))
        #expect(zip(times, times.dropFirst()).allSatisfy { $0 < $1 })
    }

    /// d* against the closed-form roots of F′ = x³ − x + τ (trigonometric solution of the cubic).
    @Test func criticalDepthMatchesClosedForm() throws {
        for tau in [0.05, 0.1, 0.2] {
            let theta = acos(-(3 * 3.0.squareRoot() / 2) * tau) / 3
            let roots = (0..<3).map { 2 / 3.0.squareRoot() * cos(theta - 2 * Double.pi * Double($0) / 3) }.sorted()
            let f = DoubleWell(tilt: tau)
            let exact = f.value(at: roots[1]) - f.value(at: roots[2])
            let land = try AnnealingLandscape.analyse(value: { f.value(at: $0) }, gradient: { f.gradient(at: $0) }, lo: -3, hi: 3)
            #expect(abs(land.criticalDepth - exact) <= 1e-12, "τ = \(tau)")
            #expect(abs(land.trap - roots[2]) <= 1e-9 && abs(land.globalMinimisers[0] - roots[0]) <= 1e-9)
            let action = AnnealingLandscape.minimumActionDepth(gradient: { f.gradient(at: $0) }, from: land.trap, to: land.barrier)
            #expect(abs(action - exact) <= 1e-3 * exact)
        }
    }

    @Test func badInputsAreOneLineErrors() throws {
        func refused(_ change: (inout AnnealingConfiguration) throws -> Void, _ fragment: String) throws {
            var c = try Self.small()
            try change(&c)
            do { try c.validate(); Issue.record("accepted: \(fragment)") } catch {
                let text = String(describing: error)
                #expect(text.contains(fragment) && !text.contains("\n"), "\(text)")
            }
        }
        try refused({ $0.gammas = [0.3, -1] }, "need γ > 0")
        try refused({ $0.gammas = [0] }, "need γ > 0")
        try refused({ $0.neighbourhood = 0 }, "need ε > 0")
        try refused({ $0.neighbourhood = 1.5 }, "contains the maximum")
        try refused({ $0.monteCarloHorizon = 0 }, "Monte Carlo horizon")
        try refused({ $0.fokkerPlanckHorizon = 5 }, "Fokker–Planck horizon")
        try refused({ $0.fokkerPlanckHorizon = .infinity }, "Fokker–Planck horizon")
        try refused({ $0.problem = try ProblemSpec(name: "quadratic") }, "only one minimum found")
        try refused({ $0.problem = try ProblemSpec(name: "double-well") }, "all global")
        try refused({ $0.domain = [-0.5, 3] }, "growth condition")
        try refused({ $0.problem = try ProblemSpec(name: "double-well-2d") }, "1-D landscape")
    }

    /// Monte Carlo against the Fokker–Planck solution of the same SDE at every time to s = 20:
    /// each difference within 4 standard errors (about 40 correlated comparisons: a false alarm
    /// below 1e-3 even uncorrelated), plus the solver's own error bound and the Euler–Maruyama
    /// weak bias, O(h) with a constant of order one (h = 0.01).
    @Test func monteCarloMatchesFokkerPlanck() throws {
        let c = try Self.small(gammas: [0.3, 0.6])
        let r = try AnnealingStudy.run(c, options: RunOptions(threads: 2, quiet: true))
        for row in r.rows {
            for p in row.points {
                guard let mc = p.monteCarlo, let hit = p.monteCarloHit else { continue }
                for (e, exact) in [(mc, p.probability), (hit, 1 - p.survival)] {
                    #expect(abs(e.mean - exact) <= 4 * AnnealingStudy.effectiveError(e, extra: p.fokkerPlanckError) + c.step,
                            "γ = \(row.gamma), s = \(p.time): \(e.mean) vs \(exact)")
                }
            }
        }
    }

    @Test func resultsDoNotDependOnThreads() throws {
        let c = try Self.small(gammas: [0.4], paths: 200)
        let one = try AnnealingStudy.run(c, options: RunOptions(threads: 1, quiet: true))
        let two = try AnnealingStudy.run(c, options: RunOptions(threads: 2, quiet: true))
        #expect(try JSONOutput.string(one.rows) == JSONOutput.string(two.rows))
    }
}
