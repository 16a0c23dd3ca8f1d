import Dynamics
import Ensembles
import Foundation
import Numerics
import Problems
import Randomness

/// A 1-D problem seen as an objective on `Double`, so the path loop is scalar code whatever
/// state type the catalogue built.
@usableFromInline
struct LineObjective<P: Objective>: Objective {
    @usableFromInline let base: P
    @usableFromInline init(_ base: P) { self.base = base }
    @usableFromInline var name: String { base.name }
    @inlinable func value(at x: Double) -> Double { base.value(at: P.State(repeating: x)) }
    @inlinable func gradient(at x: Double) -> Double { base.gradient(at: P.State(repeating: x)).component(0) }
}

/// Monte Carlo paths of the annealed diffusion from the trap, by Euler–Maruyama on
/// `AnnealingProcess`. Recorded at each checkpoint j: "in-j", the indicator of X(s_j) ∈ A^ε
/// (Proposition 2's probability), and "hit-j", whether the path has entered A^ε by s_j (its
/// first-passage law gives the escape hazard). Entries between grid points are caught by the
/// Brownian-bridge test, as in `ExitEnsemble`, so the hitting time is biased by O(h), not O(√h).
///
/// The driving normal of path p at step k is normal(p, k) of the `.driving` stream and the
/// bridge's uniform is word (p, k) of an independent stream: a path's numbers do not depend on
/// its block, thread or γ (all γ share them: common random numbers).
struct AnnealingPaths<O: Objective>: Sendable where O.State == Double {
    let process: AnnealingProcess<O>
    let start: Double
    let step: Double
    let steps: Int
    /// After how many steps each checkpoint is recorded.
    let checkpoints: [Int]
    let globalMinimisers: [Double]
    let radius: Double
    let seed: UInt64
    let normals: NormalMethod
    static var lanes: Int { 64 }
    static var chunk: Int { 64 }

    var emptyTally: Tally {
        Tally(observables: checkpoints.indices.map { ("in-\($0)", 0.0) } + checkpoints.indices.map { ("hit-\($0)", 0.0) })
    }

    /// Signed distance to A^ε (negative inside).
    @inline(__always)
    func distance(_ x: Double) -> Double {
        var d = Double.infinity
        for a in globalMinimisers { d = min(d, abs(x - a) - radius) }
        return d
    }

    func simulate(paths: Range<Int>) -> Tally {
        let lanes = Self.lanes, chunk = Self.chunk
        precondition(paths.count <= lanes, "a block holds at most \(lanes) paths")
        var tally = emptyTally
        let count = paths.count
        var x = [Double](repeating: start, count: lanes)
        var hit = [Bool](repeating: false, count: lanes)
        var z = [Double](repeating: 0, count: chunk * lanes)
        var bits = [UInt64](repeating: 0, count: chunk * lanes)
        let driving = GaussianStream(seed: seed, stream: .driving, method: normals)
        let bridge = GaussianStream(seed: seed, stream: .independent(2))
        let stepper = EulerMaruyama()
        let sqrtH = step.squareRoot()
        var nextCheckpoint = 0
        var k = 0
        while k < steps {
            let n = min(chunk, steps - k)
            z.withUnsafeMutableBufferPointer { driving.fill(firstPath: paths.lowerBound, lanes: count, firstDraw: k, draws: n, stride: lanes, into: $0.baseAddress!) }
            bits.withUnsafeMutableBufferPointer { bridge.fillBits(firstPath: paths.lowerBound, lanes: count, firstDraw: k, draws: n, stride: lanes, into: $0.baseAddress!) }
            for r in 0..<n {
                let t = Double(k) * step
                let variance = process.variance(at: t)
                for lane in 0..<count {
                    let x0 = x[lane]
                    let x1 = stepper.step(process, from: x0, time: t, dt: step, dW: sqrtH * z[r * lanes + lane], auxiliaryBits: 0)
                    x[lane] = x1
                    guard !hit[lane] else { continue }
                    let d1 = distance(x1)
                    if d1 <= 0 {
                        hit[lane] = true
                    } else {
                        let exponent = 2 * distance(x0) * d1 / (variance * step)
                        if exponent < 40 {
                            let u = (Double(bits[r * lanes + lane] >> 11) + 0.5) * 0x1p-53
                            if u < exp(-exponent) { hit[lane] = true }
                        }
                    }
                }
                k += 1
                while nextCheckpoint < checkpoints.count && checkpoints[nextCheckpoint] == k {
                    let j = nextCheckpoint
                    for lane in 0..<count {
                        tally.add(j, distance(x[lane]) < 0 ? 1 : 0)
                        tally.add(checkpoints.count + j, hit[lane] ? 1 : 0)
                    }
                    nextCheckpoint += 1
                }
            }
        }
        return tally
    }
}
