import Dynamics
import Ensembles
import Foundation
import Numerics
import Randomness

/// One SGD iteration of a path, for the fixed-horizon loop: the new state, and whether the path
/// entered the flat basin during it (for the SDE, at any of its substeps). `normals` points at
/// the iteration's first driving normal of this path, the next ones `stride` apart.
protocol HorizonIteration: Sendable {
    /// Driving normals per iteration (0 for SGD, whose randomness is the batch draw).
    var drawsPerIteration: Int { get }
    var normals: GaussianStream { get }
    func advance(_ x: Double, path: Int, iteration j: Int, normals z: UnsafePointer<Double>, stride: Int, isFlat: (Double) -> Bool) -> (Double, Bool)
}

/// SGD on the data: one iteration is one step, entry is read at the iterate.
struct SGDIteration: HorizonIteration {
    let sgd: OneFeatureSGD
    var drawsPerIteration: Int { 0 }
    var normals: GaussianStream { GaussianStream(seed: 0) }
    func advance(_ x: Double, path: Int, iteration j: Int, normals z: UnsafePointer<Double>, stride: Int, isFlat: (Double) -> Bool) -> (Double, Bool) {
        let y = sgd.advance(x, path: path, step: j, normals: 0, auxiliary: 0)
        return (y, isFlat(y))
    }
}

/// The SDE: r = η/h Platen steps per SGD iteration, at times s = jη + i h, driven by normal
/// (path, j r + i) of the `.driving` stream. Entry is read at every substep (no bridge test:
/// the first-reach time is biased by O(√h) relative to E T ≥ 4 at the batch sizes used).
struct SDEIteration: HorizonIteration {
    let process: ScheduledDiffusion
    let step: Double
    let substeps: Int
    let normals: GaussianStream
    var drawsPerIteration: Int { substeps }

    func advance(_ x: Double, path: Int, iteration j: Int, normals z: UnsafePointer<Double>, stride: Int, isFlat: (Double) -> Bool) -> (Double, Bool) {
        let sqrtH = step.squareRoot(), stepper = PlatenWeak2(), t0 = Double(j) * process.eta
        var y = x, entered = false
        for i in 0..<substeps {
            y = stepper.step(process, from: y, time: t0 + Double(i) * step, dt: step, dW: sqrtH * z[i * stride], auxiliaryBits: 0)
            if !entered && isFlat(y) { entered = true }
        }
        return (y, entered)
    }
}

/// Fixed-horizon paths from `start`: K iterations, recorded at each checkpoint c (after k_c
/// iterations) "flat-c", the indicator of X in the flat basin, and "reached-c", whether the
/// path has entered it by then; at the end "F" (the loss, on the table), "first-reach"
/// (the time s of the first entry, added only for the paths that entered) and "excess". Each path is a pure
/// function of (seed, path), so the tallies do not depend on blocks or threads.
struct BatchSchedulePaths<Iteration: HorizonIteration>: Sendable {
    let iteration: Iteration
    let start: Double
    let eta: Double
    let checkpoints: [Int]
    /// The maximum between the basins, and +1 if the flat basin lies above it.
    let barrier: Double
    let flatSide: Double
    let loss: @Sendable (Double) -> Double
    /// F at the sharp and at the flat minimum: "excess" is F(X) − F(x*) of the basin X ends in.
    let sharpValue: Double
    let flatValue: Double

    var emptyTally: Tally {
        Tally(observables: checkpoints.indices.map { ("flat-\($0)", 0.0) } + checkpoints.indices.map { ("reached-\($0)", 0.0) }
              + [("F", 0.0), ("first-reach", 0.0), ("excess", 0.0)])
    }

    /// Iterations whose normals are drawn at once per block.
    static var chunk: Int { 32 }

    func simulate(paths: Range<Int>) -> Tally {
        var tally = emptyTally
        let n = checkpoints.count, barrier = barrier, flatSide = flatSide
        let isFlat = { (x: Double) in (x - barrier) * flatSide > 0 }
        let lanes = paths.count, stride = GaussianStream.paddedLanes(lanes), r = iteration.drawsPerIteration
        var x = [Double](repeating: start, count: lanes), reachedAt = [Double](repeating: -1, count: lanes)
        var z = [Double](repeating: 0, count: max(1, Self.chunk * r * stride))
        var k = 0
        for (c, target) in checkpoints.enumerated() {
            while k < target {
                let count = min(Self.chunk, target - k)
                z.withUnsafeMutableBufferPointer { buffer in
                    if r > 0 {
                        iteration.normals.fill(firstPath: paths.lowerBound, lanes: lanes, firstDraw: k * r, draws: count * r, stride: stride, into: buffer.baseAddress!)
                    }
                    for j in 0..<count {
                        for lane in 0..<lanes {
                            let (y, entered) = iteration.advance(x[lane], path: paths.lowerBound + lane, iteration: k + j,
                                                                 normals: UnsafePointer(buffer.baseAddress! + j * r * stride + lane), stride: stride, isFlat: isFlat)
                            x[lane] = y
                            if entered && reachedAt[lane] < 0 { reachedAt[lane] = Double(k + j + 1) * eta }
                        }
                    }
                }
                k += count
            }
            for lane in 0..<lanes {
                tally.add(c, isFlat(x[lane]) ? 1 : 0)
                tally.add(n + c, reachedAt[lane] >= 0 ? 1 : 0)
            }
        }
        for lane in 0..<lanes {
            let f = loss(x[lane])
            tally.add(2 * n, f)
            if reachedAt[lane] >= 0 { tally.add(2 * n + 1, reachedAt[lane]) }
            tally.add(2 * n + 2, f - (isFlat(x[lane]) ? flatValue : sharpValue))
        }
        return tally
    }
}
