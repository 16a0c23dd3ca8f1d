import Foundation
import Problems
import Randomness
import Testing
import TestSupport
@testable import Dynamics
import Numerics

@Suite struct SGDDiffusionTests {
    /// SME-2's drift is -∇F - (η/4)∇|∇F|² (paper (3.6)); check our -∇F - (η/2)∇²F∇F against
    /// central differences of |∇F|².
    @Test func secondOrderDriftMatchesThePaper() {
        let problem = NoisyObjective(DoubleWell2D(stiffness: 1.7), noise: AdditiveNoise<Point2>(sigma: 1))
        let eta = 0.1
        let sme2 = SGDDiffusionProcess(problem, eta: eta, order: .second)
        for x in [Point2(0.3, -0.4), Point2(1.4, 0.9)] {
            let normSquared = { (p: Point2) in problem.gradient(at: p).squaredNorm }
            var gradNorm = Point2.zero
            for j in 0..<2 {
                var xp = x, xm = x
                xp.setComponent(j, to: x.component(j) + 1e-6)
                xm.setComponent(j, to: x.component(j) - 1e-6)
                gradNorm.setComponent(j, to: (normSquared(xp) - normSquared(xm)) / 2e-6)
            }
            let paper = -(problem.gradient(at: x) + (eta / 4) * gradNorm)
            let ours = sme2.drift(at: x, time: 0)
            #expect(isClose(ours.x, paper.x, relative: 1e-7, absolute: 1e-9) && isClose(ours.y, paper.y, relative: 1e-7, absolute: 1e-9))
        }
    }

    @Test func diffusionIsRootEtaTimesSigmaRoot() {
        let problem = NoisyObjective(DoubleWell(), noise: MultiplicativeNoise<Double>(scale: 0.6))
        let sme = SGDDiffusionProcess(problem, eta: 0.04, order: .first)
        #expect(isClose(sme.diffusion(at: 1.5, time: 0)[0, 0], 0.2 * 0.6 * 1.5, relative: 1e-15))
        #expect(isClose(sme.applyDiffusion(at: -1.5, time: 0, 2), 0.2 * 0.6 * 1.5 * 2, relative: 1e-15))
    }

    /// With Gaussian noise, SGD is Euler–Maruyama for SME-1 with dt = η and dW = √η ξ: the
    /// coupling the weak-error laboratory relies on.
    @Test func gaussianSGDIsEulerMaruyamaOfSME1() {
        let problem = NoisyObjective(DoubleWell(), noise: AdditiveNoise<Double>(sigma: 0.8))
        let eta = 0.05
        let sme1 = SGDDiffusionProcess(problem, eta: eta, order: .first)
        var x = 0.3, y = 0.3
        var velocity = 0.0
        var generator = PhiloxGenerator(seed: 1, stream: .sampling, path: 0)
        let normals = GaussianStream(seed: 2)
        for k in 0..<100 {
            let xi = normals.normal(path: 0, draw: k)
            x = SGDMethod(eta: eta).step(problem, from: x, velocity: &velocity, step: k, driving: xi, injected: 0, generator: &generator)
            y = EulerMaruyama().step(sme1, from: y, time: Double(k) * eta, dt: eta, dW: eta.squareRoot() * xi, auxiliaryBits: 0)
        }
        #expect(isClose(x, y, relative: 1e-12))
    }

    @Test func momentumAndInjectedNoise() throws {
        let problem = NoisyObjective(Quadratic(curvature: 2), noise: AdditiveNoise<Double>(sigma: 0))
        var generator = PhiloxGenerator(seed: 1, stream: .sampling, path: 0)
        var v = 0.0
        let method = SGDMethod(eta: 0.1, momentum: 0.9, injectedNoise: 0.5)
        var x = 1.0
        x = method.step(problem, from: x, velocity: &v, step: 0, driving: 0, injected: 1, generator: &generator)
        // g = 2 * 1 + 0.5 * 1 = 2.5, v = 2.5, x = 1 - 0.25
        #expect(isClose(v, 2.5, relative: 1e-15) && isClose(x, 0.75, relative: 1e-15))
        x = method.step(problem, from: x, velocity: &v, step: 1, driving: 0, injected: 0, generator: &generator)
        #expect(isClose(v, 0.9 * 2.5 + 1.5, relative: 1e-15) && isClose(x, 0.75 - 0.1 * 3.75, relative: 1e-15))
        #expect(throws: SGDMethod.Failure.nonPositiveEta(0)) { try SGDMethod(eta: 0).validate() }
        #expect(throws: SGDMethod.Failure.momentumOutOfRange(1)) { try SGDMethod(eta: 0.1, momentum: 1).validate() }
        #expect(throws: SGDMethod.Failure.negativeInjectedNoise(-1)) { try SGDMethod(eta: 0.1, injectedNoise: -1).validate() }
    }
}
