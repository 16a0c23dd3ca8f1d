import Dynamics
import Ensembles
import Foundation
import Numerics
import Randomness

/// One SGD iteration of a path, for the fixed-horizon loop: the new state, and whether the path
/// entered the flat basin during it (for the SDE, at any of its substeps).
protocol HorizonIteration: Sendable {
    func advance(_ x: Double, path: Int, iteration j: Int, isFlat: (Double) -> Bool) -> (Double, Bool)
}

/// SGD on the data: one iteration is one step, entry is read at the iterate.
struct SGDIteration: HorizonIteration {
    let sgd: OneFeatureSGD
    func advance(_ x: Double, path: Int, iteration j: Int, isFlat: (Double) -> Bool) -> (Double, Bool) {
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

    func advance(_ x: Double, path: Int, iteration j: Int, isFlat: (Double) -> Bool) -> (Double, Bool) {
        let r = substeps, sqrtH = step.squareRoot(), stepper = PlatenWeak2()
        var y = x, entered = false
        withUnsafeTemporaryAllocation(of: Double.self, capacity: r) { z in
            normals.fill(firstPath: path, lanes: 1, firstDraw: j * r, draws: r, stride: 1, into: z.baseAddress!)
            let t0 = Double(j) * process.eta
            for i in 0..<r {
                y = stepper.step(process, from: y, time: t0 + Double(i) * step, dt: step, dW: sqrtH * z[i], auxiliaryBits: 0)
                if !entered && isFlat(y) { entered = true }
            }
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

    func simulate(paths: Range<Int>) -> Tally {
        var tally = emptyTally
        let n = checkpoints.count, barrier = barrier, flatSide = flatSide
        let isFlat = { (x: Double) in (x - barrier) * flatSide > 0 }
        for path in paths {
            var x = start, reachedAt = -1.0, k = 0
            for (c, target) in checkpoints.enumerated() {
                while k < target {
                    let (y, entered) = iteration.advance(x, path: path, iteration: k, isFlat: isFlat)
                    x = y
                    k += 1
                    if entered && reachedAt < 0 { reachedAt = Double(k) * eta }
                }
                tally.add(c, isFlat(x) ? 1 : 0)
                tally.add(n + c, reachedAt >= 0 ? 1 : 0)
            }
            let f = loss(x)
            tally.add(2 * n, f)
            if reachedAt >= 0 { tally.add(2 * n + 1, reachedAt) }
            tally.add(2 * n + 2, f - (isFlat(x) ? flatValue : sharpValue))
        }
        return tally
    }
}
