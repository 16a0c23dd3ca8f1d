import Foundation
import Numerics
import Report
import Testing
import TestSupport
@testable import Experiments
@testable import Ensembles

@Suite struct EscapeStudyTests {
    /// Theorem 3 on the linear saddle: slope within 5% of 1/(2γ₁), E T against the full
    /// small-η law within 5 standard errors plus the O(h) exit-time bias (h/2 ... h), exits along ±v₁,
    /// and θ(x₀) off the manifold.
    @Test func saddleLaw() throws {
        let c = EscapeSaddleConfiguration(problem: try ProblemSpec(name: "saddle", parameters: ["gamma1": 1.5]), sdeEtas: [1e-3, 1e-5, 1e-7],
                                          sgdEtas: [], paths: 4000, seed: 2)
        guard case .complete(let r) = try EscapeSaddle.run(c, options: RunOptions(threads: 2, quiet: true)) else { Issue.record("incomplete"); return }
        #expect(r.sdeFit.verdict == .pass, "\(r.sdeFit)")
        for row in r.onManifold {
            let theory = try #require(row.theory)
            #expect(abs(row.meanTime.mean - theory) <= monteCarloZ * row.meanTime.standardError + c.sdeStep, "\(row.meanTime.mean) vs \(theory)")
        }
        #expect(r.exitAlignment > 0.99)
        let theta = try #require(r.deterministicExitTime)
        let off = try #require(r.offManifold.last)
        #expect(abs(off.meanTime.mean - theta) <= c.sdeStep + monteCarloZ * off.meanTime.standardError)
    }

    @Test func saddleInputsAreChecked() throws {
        let spec = try ProblemSpec(name: "double-well-2d")
        var c = EscapeSaddleConfiguration(problem: spec, stationaryPoint: [0.5, 0], sdeEtas: [1e-2, 1e-3], sgdEtas: [], paths: 100)
        #expect(throws: StationaryPointFailure.self) { try EscapeSaddle.run(c, options: RunOptions(threads: 1, quiet: true)) }
        c.stationaryPoint = [-1, 0]  // a minimum, not a saddle
        #expect(throws: StationaryPointFailure.self) { try EscapeSaddle.run(c, options: RunOptions(threads: 1, quiet: true)) }
        c.stationaryPoint = nil
        // radius 1 puts the minima on the boundary: the gradient flow never leaves
        #expect(throws: EscapeError.self) { try EscapeSaddle.run(c, options: RunOptions(threads: 1, quiet: true)) }
        c.offManifoldDistance = 2
        #expect(throws: EscapeError.self) { try c.validate() }
        c.offManifoldDistance = 0.3
        c.sdeEtas = [0, 1e-3]
        #expect(throws: EscapeError.self) { try c.validate() }
        c.sdeEtas = [1e-2, 1e-3]
        c.sdeStep = -0.1
        #expect(throws: EscapeError.self) { try c.validate() }
    }

    /// Theorem 2 on the 1-D double well at moderate η: Monte Carlo against the PDE, the PDE
    /// against the exact quadrature, Lemma 1, minimum action against the closed form.
    @Test func minimumEscapeAgreesWithThePDE() throws {
        let c = EscapeMinimumConfiguration(problem: try ProblemSpec(name: "double-well"), domainLower: [-2], domainUpper: [0],
                                           etas: [0.3, 0.2], paths: 2000, splittingEtas: [], seed: 3)
        guard case .complete(let r) = try EscapeMinimum.run(c, options: RunOptions(threads: 2, quiet: true)) else { Issue.record("incomplete"); return }
        #expect(r.pdeAgreement == .pass && r.lemmaOne == .pass && r.minimumActionAgreement == .pass)
        for row in r.rows {
            let pde = try #require(row.pde), exact = try #require(row.exact)
            #expect(isClose(pde, exact, relative: 1e-3))
        }
        #expect(isClose(try #require(r.quasiPotentialClosedForm), 0.5, relative: 1e-6))
    }

    /// The escape studies ask the problem whether its noise vanishes, whatever the model: σ = 0
    /// of additive and of multiplicative noise is refused, and the error names σ when there is one.
    @Test func noiseFreeProblemsAreRefused() throws {
        let silent = try ProblemSpec(name: "double-well", noise: NoiseSpec(kind: .multiplicative, scale: 0))
        let minimum = EscapeMinimumConfiguration(problem: silent, domainLower: [-2], domainUpper: [0], etas: [0.2], paths: 100, splittingEtas: [])
        #expect { try EscapeMinimum.run(minimum, options: RunOptions(threads: 1, quiet: true)) } throws: { "\($0)".contains("gradient noise") }
        let saddle = EscapeSaddleConfiguration(problem: try ProblemSpec(name: "saddle", noise: NoiseSpec(kind: .additive, scale: 0)),
                                               sdeEtas: [1e-2, 1e-3], sgdEtas: [], paths: 100)
        #expect { try EscapeSaddle.run(saddle, options: RunOptions(threads: 1, quiet: true)) } throws: { "\($0)".contains("noise scale σ: 0.0") }
    }

    @Test func minimumInputsAreChecked() throws {
        let spec = try ProblemSpec(name: "double-well")
        var c = EscapeMinimumConfiguration(problem: spec, domainLower: [0], domainUpper: [2], etas: [0.2], paths: 100)
        #expect(throws: EscapeError.startOutsideDomain([-1], "box([0.0] to [2.0])")) { try c.validate() }
        c.domainLower = [-2]; c.domainUpper = [0]
        c.pdePoints = [20]
        // an explicit grid too coarse for η = 0.05 is an input error naming the resolution
        c.etas = [0.05]
        do {
            _ = try EscapeMinimum.run(c, options: RunOptions(threads: 1, quiet: true))
            Issue.record("expected a grid error")
        } catch {
            #expect("\(error)".contains("too coarse") && "\(error)".contains("use at least"))
        }
        c.minimum = [-0.5]
        #expect(throws: StationaryPointFailure.self) { try EscapeMinimum.run(c, options: RunOptions(threads: 1, quiet: true)) }
    }
}

typealias StationaryPointFailure = Escape.StationaryPoint.Failure
import Escape
