import Foundation
import Numerics
import Testing
import Ensembles
import Persistence
import Problems
@testable import Experiments

@Suite struct NormalDeviationsTests {
    static func small(paths: Int = 4096) throws -> NormalDeviationsConfiguration {
        var c = try NormalDeviationsConfiguration.standard2D()
        (c.etas, c.horizon, c.times, c.paths) = ([0.1, 0.05], 1, 2, paths)
        return c
    }

    /// The Lyapunov ODE against the exact covariance of an Ornstein–Uhlenbeck process, the
    /// linearisation of a quadratic F = a x²/2: additive noise σ gives P = σ²(1 − e^{−2as})/(2a)
    /// and (A.7)'s ∫Σ = σ² s; multiplicative noise Σ(Y) = σ²Y² with Y = x₀e^{−as} gives
    /// P = σ² x₀² s e^{−2as}. On the 2-D saddle the unstable direction grows: P_xx = σ²(e^{2γ₁s} − 1)/(2γ₁).
    @Test func lyapunovMatchesClosedForms() throws {
        let a = 1.5, sigma = 0.7, x0 = 0.8
        let times = [0.25, 0.5, 1, 2]
        let additive = NoisyObjective(Quadratic<Double>(curvature: .scalar(a)), noise: AdditiveNoise<Double>(sigma: sigma))
        for (s, p) in zip(times, NormalDeviationsTheory.lyapunov(additive, from: x0, times: times)) {
            #expect(abs(p.covariance[0, 0] - sigma * sigma * (1 - exp(-2 * a * s)) / (2 * a)) <= 1e-12, "s = \(s)")
            #expect(abs(p.driftless[0, 0] - sigma * sigma * s) <= 1e-12)
            #expect(abs(p.y - x0 * exp(-a * s)) <= 1e-12)
        }
        let multiplicative = NoisyObjective(Quadratic<Double>(curvature: .scalar(a)), noise: MultiplicativeNoise<Double>(scale: sigma))
        for (s, p) in zip(times, NormalDeviationsTheory.lyapunov(multiplicative, from: x0, times: times)) {
            #expect(abs(p.covariance[0, 0] - sigma * sigma * x0 * x0 * s * exp(-2 * a * s)) <= 1e-11, "s = \(s)")
        }
        let g1 = 1.3, lambda = 0.6
        let saddle = NoisyObjective(Quadratic<Point2>(curvature: .diagonal(Point2(-g1, lambda))), noise: AdditiveNoise<Point2>(sigma: sigma))
        for (s, p) in zip(times, NormalDeviationsTheory.lyapunov(saddle, from: Point2(0.1, 0.5), times: times)) {
            #expect(abs(p.covariance[0, 0] - sigma * sigma * (exp(2 * g1 * s) - 1) / (2 * g1)) <= 1e-10 * exp(2 * g1 * s))
            #expect(abs(p.covariance[1, 1] - sigma * sigma * (1 - exp(-2 * lambda * s)) / (2 * lambda)) <= 1e-12)
            #expect(abs(p.covariance[0, 1]) <= 1e-15)
        }
        // the Euler twin's covariance: η σ² Σ_{i<k} (1 − ηa)^{2i}
        let eta = 0.05
        let flow = NormalDeviationsTheory.flow(additive, from: x0, eta: eta, steps: 20)
        let discrete = NormalDeviationsTheory.discreteLyapunov(additive, flow: flow, eta: eta)
        let q = (1 - eta * a) * (1 - eta * a)
        #expect(abs(discrete[20][0, 0] - eta * sigma * sigma * (1 - pow(q, 20)) / (1 - q)) <= 1e-14)
        #expect(abs(flow[20] - x0 * exp(-a * 1)) <= 1e-12)
    }

    /// Gaussian expectations in closed form against a fine quadrature of the 1-D law.
    @Test func gaussianExpectationsMatchQuadrature() {
        let m = 0.4, v = 0.3
        for phi in TestFunction.allCases {
            var sum = 0.0
            let n = 40_000, width = 24 * v.squareRoot()  // ±12 sd: the truncated tail is below 1e-30
            for i in 0..<n {
                let x = m - width / 2 + width * (Double(i) + 0.5) / Double(n)
                sum += phi(x) * exp(-(x - m) * (x - m) / (2 * v)) / (2 * Double.pi * v).squareRoot() * width / Double(n)
            }
            let exact = NormalDeviationsTheory.gaussianExpectation(phi, mean: m, covariance: .scalar(v))
            #expect(abs(exact - sum) <= 1e-9, "\(phi.rawValue): \(exact) vs \(sum)")
        }
    }

    /// On a quadratic with additive Gaussian noise SGD is exactly linear, so Cov Z^η_k is the twin's
    /// P^η_k exactly: the plain Monte Carlo covariance must be within 4 of its standard errors at
    /// every time and entry (12 comparisons, a false alarm below 1e-3), and so must the control
    /// variate (whose spread here is only from the deterministic offset E x_k − Y(kη)).
    @Test func monteCarloCovarianceWithinStandardError() throws {
        var c = NormalDeviationsConfiguration(problem: try ProblemSpec(name: "saddle", noise: NoiseSpec(kind: .additive, scale: 0.5), initial: [0.2, 0.5]),
                                              etas: [0.1, 0.05], horizon: 1, times: 2, paths: 20_000)
        c.testFunctions = [.x]
        let r = try NormalDeviationsStudy.run(c, options: RunOptions(threads: 2, quiet: true))
        for row in r.rows {
            for p in row.points {
                for e in p.entries {
                    for estimate in [e.monteCarlo, e.controlVariate] {
                        #expect(abs(estimate.mean - e.discreteLyapunov) <= 4 * estimate.standardError + 1e-12,
                                "η = \(row.eta), s = \(p.time), (\(e.row), \(e.column)): \(estimate.mean) ± \(estimate.standardError) vs \(e.discreteLyapunov)")
                    }
                }
            }
            #expect(row.diverged == 0)
        }
    }

    @Test func badInputsAreOneLineErrors() throws {
        func refused(_ change: (inout NormalDeviationsConfiguration) throws -> Void, _ fragment: String) throws {
            var c = try Self.small()
            try change(&c)
            do { try c.validate(); Issue.record("accepted: \(fragment)") } catch {
                let text = String(describing: error)
                #expect(text.contains(fragment) && !text.contains("\n"), "\(text)")
            }
        }
        try refused({ $0.etas = [] }, "at least one learning rate")
        try refused({ $0.etas = [0.1, 0] }, "need η > 0")
        try refused({ $0.etas = [-0.05] }, "need η > 0")
        try refused({ $0.etas = [.nan] }, "need η > 0")
        try refused({ $0.etas = [0.1, 0.1] }, "repeats")
        try refused({ $0.etas = [0.3] }, "not a whole number of SGD steps")
        try refused({ $0.etas = [2] }, "need η ≤ 1")
        try refused({ ($0.etas, $0.times) = ([0.25], 8) }, "not on the grid")
        try refused({ $0.horizon = 0 }, "horizon T")
        try refused({ $0.times = 0 }, "times")
        try refused({ $0.testFunctions = [] }, "at least one")
        try refused({ $0.testFunctions = [.x, .x] }, "repeats")
        try refused({ $0.paths = 1 }, "paths N")
        try refused({ $0.rateTolerance = 0 }, "rate tolerance")
        try refused({ $0.problem = try ProblemSpec(name: "least-squares") }, "mini-batch")
        #expect(throws: NormalDeviationsError.self) {
            var options = RunOptions(threads: 1, quiet: true)
            options.shard = try Shard(parsing: "1/2")
            _ = try NormalDeviationsStudy.run(try Self.small(), options: options)
        }
    }

    /// A rate fails only when its whole 95% interval lies below theory × (1 − tolerance): slower
    /// fails, faster passes, and an error bar that reaches the floor is inconclusive.
    @Test func ratesFailOnlyWhenSlower() {
        let etas = [0.1, 0.05, 0.025, 0.0125]
        func errors(_ r: Double, relative se: Double) -> [Estimate] {
            etas.map { Estimate(mean: pow($0, r), standardError: se * pow($0, r), count: 1000) }
        }
        #expect(NormalDeviationsStudy.rate("slow", etas: etas, errors: errors(0.5, relative: 0.01), theory: 1, tolerance: 0.25).verdict == .fail)
        #expect(NormalDeviationsStudy.rate("as theory", etas: etas, errors: errors(1, relative: 0.01), theory: 1, tolerance: 0.25).verdict == .pass)
        #expect(NormalDeviationsStudy.rate("fast", etas: etas, errors: errors(1.6, relative: 0.01), theory: 1, tolerance: 0.25).verdict == .pass)
        #expect(NormalDeviationsStudy.rate("noisy", etas: etas, errors: errors(0.7, relative: 0.4), theory: 1, tolerance: 0.25).verdict == .inconclusive)
        // errors not resolved from 0 are left out, and fewer than three points decide nothing
        var unresolved = errors(1, relative: 0.01)
        unresolved[3] = Estimate(mean: 1e-4, standardError: 1e-3, count: 1000)
        unresolved[2] = Estimate(mean: 0, standardError: 1e-3, count: 1000)
        let fit = NormalDeviationsStudy.rate("two left", etas: etas, errors: unresolved, theory: 1, tolerance: 0.25)
        #expect(fit.etas == [0.1, 0.05] && fit.verdict == .inconclusive)
    }

    /// Both fidelities of the reproduce section are valid configurations.
    @Test func reproductionConfigurationsValidate() throws {
        for fidelity in Reproduction.Fidelity.allCases {
            let cases = try NormalDeviationsReproduction.configurations(fidelity, seed: 7)
            #expect(cases.map(\.0) == ["2d", "1d"])
            for (_, c) in cases { try c.validate() }
        }
    }

    @Test func resultsDoNotDependOnThreads() throws {
        let c = try Self.small(paths: 1500)
        let one = try NormalDeviationsStudy.run(c, options: RunOptions(threads: 1, quiet: true))
        let two = try NormalDeviationsStudy.run(c, options: RunOptions(threads: 2, quiet: true))
        #expect(try JSONOutput.string(one.rows) == JSONOutput.string(two.rows))
        #expect(try JSONOutput.string([one.supRate, one.covarianceRate]) == JSONOutput.string([two.supRate, two.covarianceRate]))
    }

    /// The artifacts: result.json decodes, the CSVs and one figure per covariance entry exist.
    @Test func artifactsAreWritten() throws {
        let r = try NormalDeviationsStudy.run(try Self.small(paths: 512), options: RunOptions(threads: 2, quiet: true))
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let files = try NormalDeviationsArtifacts.write(r, to: directory).map(\.lastPathComponent)
        #expect(Set(files) == ["result.json", "covariance.csv", "rates.csv", "covariance-11.svg", "covariance-12.svg", "covariance-22.svg", "errors.svg"])
        let decoded = try JSONOutput.decoder().decode(NormalDeviationsResult.self, from: Data(contentsOf: directory.appendingPathComponent("result.json")))
        #expect(decoded.schema == "sgdiff.normal-deviations/1" && decoded.rows.count == 2)
    }
}
