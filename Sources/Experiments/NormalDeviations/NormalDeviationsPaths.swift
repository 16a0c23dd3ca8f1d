import Dynamics
import Ensembles
import Numerics
import Problems
import Randomness

/// One η's block of SGD paths, each with its linearised twin, recording the normal deviations.
///
/// Per path, on the grid s = kη:
///
///     SGD (A.1):        x_{k+1} = x_k − η ∇f(x_k; ζ_k)          (`LaneKernels.sgd`, ζ_k from ξ_k)
///     linearised twin:  z_{k+1} = (I − η∇²F(Y_k)) z_k + √η S(Y_k) ξ_k,   z_0 = 0
///
/// with Y_k = Y(kη) the gradient flow and ξ_k the same standard normals (variates (p, k d + c)
/// of the driving stream). z is the Euler scheme of (A.6), Gaussian with the exact covariance
/// P^η_k of `NormalDeviationsTheory.discreteLyapunov`; Z^η = (x − Y)/√η stays close to it path
/// by path, so Z^η − z has a small spread and Cov(Z^η) = P^η + [Cov(Z^η) − Cov(z)] is estimated
/// with a far smaller standard error than Cov(Z^η) alone (a control variate).
///
/// Recorded at each observation j ("j/…"): Z_c, Z_aZ_b (a ≤ b), Z_c − z_c and Z_aZ_b − z_az_b;
/// at T also max_k |x_k − Y_k| ("sup"), φ(x) and φ(x) − φ(Y + √η z) for each test function.
struct NormalDeviationsPaths<P: StochasticGradientProblem>: Sendable {
    let problem: P
    let eta: Double
    /// Y_k, A_k = I − η∇²F(Y_k) and √η S(Y_k) for k = 0…steps.
    let flow: [P.State]
    let propagators: [SquareMatrix<P.State>]
    let noiseFactors: [SquareMatrix<P.State>]
    /// Steps after which observation j is recorded (ascending, the last = steps).
    let observationSteps: [Int]
    let testFunctions: [TestFunction]
    let seed: UInt64
    let normals: NormalMethod
    static var chunk: Int { 16 }

    init(problem: P, eta: Double, flow: [P.State], observationSteps: [Int], testFunctions: [TestFunction], seed: UInt64, normals: NormalMethod) {
        (self.problem, self.eta, self.flow, self.observationSteps) = (problem, eta, flow, observationSteps)
        (self.testFunctions, self.seed, self.normals) = (testFunctions, seed, normals)
        propagators = flow.map { SquareMatrix<P.State>.identity - eta * problem.hessian(at: $0) }
        noiseFactors = flow.map { eta.squareRoot() * problem.noiseFactor(at: $0, step: 0) }
    }

    var steps: Int { flow.count - 1 }

    /// Index pairs (a, b), a ≤ b, of the covariance entries.
    static var pairs: [(Int, Int)] {
        let d = P.State.dimension
        return (0..<d).flatMap { a in (a..<d).map { (a, $0) } }
    }

    static func observableNames(observations: Int, testFunctions: [TestFunction]) -> [String] {
        let d = P.State.dimension
        var names: [String] = []
        for j in 0..<observations {
            names += (0..<d).map { "\(j)/Z\($0)" } + pairs.map { "\(j)/ZZ\($0.0)\($0.1)" }
            names += (0..<d).map { "\(j)/D\($0)" } + pairs.map { "\(j)/W\($0.0)\($0.1)" }
        }
        names.append("sup")
        for phi in testFunctions { names += ["phi/\(phi.rawValue)", "dphi/\(phi.rawValue)"] }
        return names
    }

    var emptyTally: Tally {
        let names = Self.observableNames(observations: observationSteps.count, testFunctions: testFunctions)
        let end = flow[steps]
        var shifts = [Double](repeating: 0, count: names.count)
        for (i, phi) in testFunctions.enumerated() { shifts[names.count - 2 * testFunctions.count + 2 * i] = phi(end) }
        return Tally(observables: Array(zip(names, shifts)))
    }

    func simulate(paths: Range<Int>) -> Tally {
        let d = P.State.dimension, chunk = Self.chunk
        let x0 = flow[0]
        let sgd = LaneStorage<P.State>(lanes: paths.count, initial: x0)
        let twin = LaneStorage<P.State>(lanes: paths.count, initial: .zero)
        let stride = sgd.stride
        let xi = LaneScratch<Double>(lanes: paths.count, rows: chunk * d)
        var worst = [Double](repeating: 0, count: stride)
        let driving = GaussianStream(seed: seed, stream: .driving, method: normals)
        let method = SGDMethod(eta: eta)
        let rootEta = eta.squareRoot()
        var tally = emptyTally
        var next = 0
        var k = 0
        while k < steps {
            let n = min(chunk, steps - k)
            driving.fill(firstPath: paths.lowerBound, lanes: paths.count, firstDraw: k * d, draws: n * d, stride: stride, into: xi.base)
            for r in 0..<n {
                let rows = xi.base + r * d * stride
                LaneKernels.sgd(problem, method, states: sgd, velocities: nil, step: k, firstPath: paths.lowerBound, seed: seed,
                                driving: UnsafePointer(rows), injected: nil)
                let a = propagators[k], s = noiseFactors[k], y = flow[k + 1]
                for lane in 0..<stride {
                    let z = LaneStorage<P.State>.load(twin.base, lane: lane, stride: stride)
                    let w = LaneStorage<P.State>.load(rows, lane: lane, stride: stride)
                    LaneStorage<P.State>.store(a * z + s * w, twin.base, lane: lane, stride: stride)
                    let e = (LaneStorage<P.State>.load(sgd.base, lane: lane, stride: stride) - y).squaredNorm
                    worst[lane] = Swift.max(worst[lane], e)
                }
                k += 1
                while next < observationSteps.count && observationSteps[next] == k {
                    record(observation: next, lanes: paths.count, sgd: sgd, twin: twin, y: y, rootEta: rootEta, into: &tally)
                    next += 1
                }
            }
        }
        let supIndex = observationSteps.count * (2 * d + 2 * Self.pairs.count)
        for lane in 0..<paths.count { tally.add(supIndex, worst[lane].squareRoot()) }
        let end = flow[steps]
        for lane in 0..<paths.count {
            let x = sgd[lane], z = twin[lane]
            for (i, phi) in testFunctions.enumerated() {
                let value = phi(x)
                tally.add(supIndex + 1 + 2 * i, value)
                tally.add(supIndex + 2 + 2 * i, value - phi(end + rootEta * z))
            }
        }
        return tally
    }

    func record(observation j: Int, lanes: Int, sgd: LaneStorage<P.State>, twin: LaneStorage<P.State>, y: P.State, rootEta: Double,
                into tally: inout Tally) {
        let d = P.State.dimension, pairs = Self.pairs
        let width = 2 * d + 2 * pairs.count
        let base = j * width
        for lane in 0..<lanes {
            let big = (1 / rootEta) * (sgd[lane] - y), small = twin[lane]
            for c in 0..<d {
                tally.add(base + c, big.component(c))
                tally.add(base + d + pairs.count + c, big.component(c) - small.component(c))
            }
            for (i, (a, b)) in pairs.enumerated() {
                let zz = big.component(a) * big.component(b)
                tally.add(base + d + i, zz)
                tally.add(base + 2 * d + pairs.count + i, zz - small.component(a) * small.component(b))
            }
        }
    }
}
