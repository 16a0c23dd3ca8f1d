import Dynamics
import Ensembles
import Foundation
import Numerics
import Problems
import Randomness

/// Simulates, for one η and one block of paths, SGD and four SDE solutions that all share the
/// same Gaussian variates, and records test functions of all five at chosen iterations:
///
/// * fine grid h = η/(2r): SME-1 and SME-2, the estimates of E φ(X(kη));
/// * coarse grid 2h: SME-1 and SME-2 again, driven by the sums of pairs of fine increments, to
///   measure the SDE's own discretisation error (Richardson: bias_h ≈ (E_2h - E_h)/(2^q - 1));
/// * SGD, whose k-th noise is ζ_k = Q(Φ(ξ_k)) with ξ_k the normalised sum of the 2r fine
///   increments of [kη, (k+1)η] (an exact coupling for Gaussian ζ, a monotone one otherwise).
///
/// Random numbers: variate (path, (k 2r + j) d + c) of the driving stream is the j-th fine
/// increment of step k, component c. The weak-2 scheme's two-point variables use the auxiliary
/// stream (fine) and an independent stream (coarse). With antithetic pairs, odd lanes reuse
/// the even lane's variates negated, and each pair contributes its average as one sample.
///
/// Inlinable, like the studies' `run(problem:…)` entry points that use it, so that a problem type
/// defined outside the library is specialised into straight-line lane loops in the caller's
/// module instead of running through generic witness tables (measured 30x slower).
@usableFromInline
struct CoupledPathsKernel: ProblemVisitor, Sendable {
    @usableFromInline typealias Output = TaskProgress

    @usableFromInline var task: String
    @usableFromInline var eta: Double
    @usableFromInline var steps: Int
    /// Iterations k (1...steps) at which to record; must be ascending.
    @usableFromInline var observationSteps: [Int]
    @usableFromInline var substeps: Int
    @usableFromInline var stepper: StepperKind
    @usableFromInline var testFunctions: [TestFunction]
    @usableFromInline var antithetic: Bool
    @usableFromInline var seed: UInt64
    @usableFromInline var paths: Int
    @usableFromInline var runner: EnsembleRunner
    @usableFromInline var blocks: @Sendable (EnsemblePlan) -> Range<Int>
    /// How the driving normals shared by SGD and the SDEs are made.
    @usableFromInline var normals: NormalMethod

    @usableFromInline
    init(task: String, eta: Double, steps: Int, observationSteps: [Int], substeps: Int, stepper: StepperKind, testFunctions: [TestFunction],
         antithetic: Bool, seed: UInt64, paths: Int, runner: EnsembleRunner, blocks: @escaping @Sendable (EnsemblePlan) -> Range<Int>,
         normals: NormalMethod = .standard) {
        (self.task, self.eta, self.steps, self.observationSteps, self.substeps, self.stepper) = (task, eta, steps, observationSteps, substeps, stepper)
        (self.testFunctions, self.antithetic, self.seed, self.paths, self.runner, self.blocks) = (testFunctions, antithetic, seed, paths, runner, blocks)
        self.normals = normals
    }

    /// Quantities recorded per observation time and test function.
    @usableFromInline static let quantities = ["sgd", "sme1", "sme2", "d1", "d2", "r1", "r2"]

    @usableFromInline static func name(observation: Int, phi: TestFunction, quantity: String) -> String { "\(observation)/\(phi.rawValue)/\(quantity)" }

    @inlinable
    func visit<P: StochasticGradientProblem>(_ problem: P, initial x0: P.State) throws -> TaskProgress {
        switch stepper {
        case .eulerMaruyama: return try run(problem, x0, EulerMaruyama())
        case .weak2: return try run(problem, x0, PlatenWeak2())
        }
    }

    @inlinable
    func run<P: StochasticGradientProblem, S: SDEStepper>(_ problem: P, _ x0: P.State, _ stepper: S) throws -> TaskProgress {
        let plan = try EnsemblePlan(paths: paths)
        let r = substeps, fineCount = 2 * substeps
        let hFine = eta / Double(fineCount), hCoarse = eta / Double(r)
        let d = P.State.dimension
        var observables: [(String, Double)] = []
        for o in observationSteps.indices {
            for phi in testFunctions {
                for q in Self.quantities {
                    let isLevel = q == "sgd" || q == "sme1" || q == "sme2"
                    observables.append((Self.name(observation: o, phi: phi, quantity: q), isLevel ? phi(x0) : 0))
                }
            }
        }
        let empty = Tally(observables: observables)
        let sme1 = SGDDiffusionProcess(problem, eta: eta, order: .first)
        let sme2 = SGDDiffusionProcess(problem, eta: eta, order: .second)
        let method = SGDMethod(eta: eta)
        let seed = self.seed, antithetic = self.antithetic, steps = self.steps
        let observationSteps = self.observationSteps, phis = testFunctions
        let driving = GaussianStream(seed: seed, stream: .driving, method: normals)
        let auxFine = GaussianStream(seed: seed, stream: .auxiliary)
        let auxCoarse = GaussianStream(seed: seed, stream: .independent(1))
        let needsAux = S.weakOrder >= 2 && d > 1 && problem.noiseStructure == .general
        return try runner.run(task: task, plan: plan, blocks: blocks(plan), emptyTally: empty,
                              work: Double(steps), unit: "SGD steps") { range in
            let lanes = range.count
            let sgd = LaneStorage<P.State>(lanes: lanes, initial: x0)
            let fine1 = LaneStorage<P.State>(lanes: lanes, initial: x0), fine2 = LaneStorage<P.State>(lanes: lanes, initial: x0)
            let coarse1 = LaneStorage<P.State>(lanes: lanes, initial: x0), coarse2 = LaneStorage<P.State>(lanes: lanes, initial: x0)
            let stride = sgd.stride
            let z = LaneScratch<Double>(lanes: lanes, rows: fineCount * d)
            let zc = LaneScratch<Double>(lanes: lanes, rows: r * d)
            let xi = LaneScratch<Double>(lanes: lanes, rows: d)
            let bitsFine = LaneScratch<UInt64>(lanes: lanes, rows: fineCount)
            let bitsCoarse = LaneScratch<UInt64>(lanes: lanes, rows: r)
            var tally = empty
            var nextObservation = 0
            var diverged = (sgd: 0, sme: 0)
            for k in 0..<steps {
                driving.fill(firstPath: range.lowerBound, lanes: lanes, firstDraw: k * fineCount * d, draws: fineCount * d,
                             stride: stride, into: z.base)
                if antithetic { Self.negateOddLanes(z.base, rows: fineCount * d, stride: stride) }
                if needsAux {
                    auxFine.fillBits(firstPath: range.lowerBound, lanes: lanes, firstDraw: k * fineCount, draws: fineCount, stride: stride, into: bitsFine.base)
                    auxCoarse.fillBits(firstPath: range.lowerBound, lanes: lanes, firstDraw: k * r, draws: r, stride: stride, into: bitsCoarse.base)
                }
                for j in 0..<fineCount {
                    let t = Double(k * fineCount + j) * hFine
                    let rows = UnsafePointer(z.base + j * d * stride)
                    let aux = needsAux ? UnsafePointer(bitsFine.base + j * stride) : nil
                    LaneKernels.step(sme1, stepper, states: fine1, time: t, dt: hFine, noise: rows, noiseScale: hFine.squareRoot(), auxiliary: aux)
                    LaneKernels.step(sme2, stepper, states: fine2, time: t, dt: hFine, noise: rows, noiseScale: hFine.squareRoot(), auxiliary: aux)
                }
                Self.coarseIncrements(fine: z.base, pairs: r, dimension: d, stride: stride, coarse: zc.base, sum: xi.base)
                for j in 0..<r {
                    let t = Double(k * r + j) * hCoarse
                    let rows = UnsafePointer(zc.base + j * d * stride)
                    let aux = needsAux ? UnsafePointer(bitsCoarse.base + j * stride) : nil
                    LaneKernels.step(sme1, stepper, states: coarse1, time: t, dt: hCoarse, noise: rows, noiseScale: hCoarse.squareRoot(), auxiliary: aux)
                    LaneKernels.step(sme2, stepper, states: coarse2, time: t, dt: hCoarse, noise: rows, noiseScale: hCoarse.squareRoot(), auxiliary: aux)
                }
                LaneKernels.sgd(problem, method, states: sgd, velocities: nil, step: k, firstPath: range.lowerBound, seed: seed,
                                driving: UnsafePointer(xi.base), injected: nil)
                guard nextObservation < observationSteps.count, observationSteps[nextObservation] == k + 1 else { continue }
                record(observation: nextObservation, lanes: lanes, into: &tally, diverged: &diverged,
                       isLast: nextObservation == observationSteps.count - 1,
                       sgd, fine1, fine2, coarse1, coarse2)
                nextObservation += 1
            }
            if diverged.sgd > 0 { tally.count(Divergence.sgd, by: diverged.sgd) }
            if diverged.sme > 0 { tally.count(Divergence.sde, by: diverged.sme) }
            return tally
        }

        /// Adds one sample per path (or per antithetic pair: the pair's average) of every
        /// quantity; divergence is counted at the last observation.
        @Sendable func record(observation o: Int, lanes: Int, into tally: inout Tally, diverged: inout (sgd: Int, sme: Int), isLast: Bool,
                    _ sgd: LaneStorage<P.State>, _ fine1: LaneStorage<P.State>, _ fine2: LaneStorage<P.State>,
                    _ coarse1: LaneStorage<P.State>, _ coarse2: LaneStorage<P.State>) {
            let group = antithetic ? 2 : 1
            let base = o * phis.count * Self.quantities.count
            var values = [Double](repeating: 0, count: phis.count * Self.quantities.count)
            for first in Swift.stride(from: 0, to: lanes, by: group) {
                for i in values.indices { values[i] = 0 }
                for lane in first..<min(first + group, lanes) {
                    let x = sgd[lane], a1 = fine1[lane], a2 = fine2[lane], c1 = coarse1[lane], c2 = coarse2[lane]
                    if isLast {
                        if !x.isFinite { diverged.sgd += 1 }
                        if !(a1.isFinite && a2.isFinite && c1.isFinite && c2.isFinite) { diverged.sme += 1 }
                    }
                    var index = 0
                    for phi in phis {
                        let s = phi(x), f1 = phi(a1), f2 = phi(a2), g1 = phi(c1), g2 = phi(c2)
                        for v in [s, f1, f2, s - f1, s - f2, g1 - f1, g2 - f2] {
                            values[index] += v / Double(group)
                            index += 1
                        }
                    }
                }
                for (index, v) in values.enumerated() { tally.add(base + index, v) }
            }
        }
    }

    /// Antithetic pairs: each odd lane's variates are the even lane's negated.
    @inlinable
    static func negateOddLanes(_ z: UnsafeMutablePointer<Double>, rows: Int, stride: Int) {
        for row in 0..<rows {
            let p = z + row * stride
            var lane = 0
            while lane < stride {
                p[lane + 1] = -p[lane]
                lane += 2
            }
        }
    }

    /// From the 2r fine standard normals of one SGD step (rows (j d + c)): the coarse grid's r
    /// increments, normalised sums of consecutive fine pairs, and SGD's ξ, the normalised sum of all.
    @inlinable
    static func coarseIncrements(fine z: UnsafeMutablePointer<Double>, pairs r: Int, dimension d: Int, stride: Int,
                                 coarse zc: UnsafeMutablePointer<Double>, sum xi: UnsafeMutablePointer<Double>) {
        let pairScale = 0.5.squareRoot(), sumScale = 1 / Double(2 * r).squareRoot()
        for i in 0..<(d * stride) { xi[i] = 0 }
        for j in 0..<r {
            for c in 0..<d {
                let a = z + ((2 * j) * d + c) * stride, b = z + ((2 * j + 1) * d + c) * stride
                let out = zc + (j * d + c) * stride, acc = xi + c * stride
                for lane in 0..<stride {
                    out[lane] = (a[lane] + b[lane]) * pairScale
                    acc[lane] += a[lane] + b[lane]
                }
            }
        }
        for i in 0..<(d * stride) { xi[i] *= sumScale }
    }
}
