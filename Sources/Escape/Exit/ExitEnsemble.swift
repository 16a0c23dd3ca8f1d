import Ensembles
import Foundation
import Numerics
import Problems
import Randomness

/// First exit times of many paths from a domain, for an SDE or for SGD.
///
/// A block of paths runs through `lanes` slots of `StoppedPathLanes` (the engine's scheduler for
/// paths with random stopping times); each path's noise is named by (path, step), so results do
/// not depend on which slot ran it.
///
/// For an SDE, exits between grid points are detected by `BrownianBridge`'s test, which makes
/// the bias of E T O(h) instead of O(√h).
///
/// Recorded in the tally: `ExitObservable`s per exited path and an `ExitOutcome` per path (exited
/// or censored, and the exit direction); `ExitStatistics` reads it back.
public struct ExitEnsemble<Dynamics: ExitDynamics, D: Domain>: Sendable where D.State == Dynamics.State {
    public typealias State = Dynamics.State
    public let dynamics: Dynamics
    public let domain: D
    public let start: State
    public let center: State
    /// Unit vector the exit direction is measured against (the unstable eigenvector at a saddle).
    public let reference: State
    public let maxSteps: Int
    public let seed: UInt64
    /// How the driving normals are made (the bridge and auxiliary streams are raw bits either way).
    public let normals: NormalMethod
    public let lanes: Int
    public let chunk: Int
    public static var angleBins: Int { ExitStatistics.angleBins }

    public init(dynamics: Dynamics, domain: D, start: State, center: State, reference: State, maxSteps: Int, seed: UInt64,
                lanes: Int = 64, chunk: Int = 16, normals: NormalMethod = .standard) {
        precondition(chunk % 2 == 0 && lanes % 8 == 0, "chunk must be even and lanes a multiple of 8")
        self.dynamics = dynamics
        self.domain = domain
        self.start = start
        self.center = center
        self.reference = reference
        self.maxSteps = maxSteps
        self.seed = seed
        self.normals = normals
        self.lanes = lanes
        self.chunk = chunk
    }

    public var emptyTally: Tally { Tally(ExitObservable.self) }

    /// The exit angle bin of a displacement, in the plane of `reference` and its rotation.
    @inlinable
    func angleBin(_ delta: State) -> Int {
        let u = delta.dot(reference)
        var v = 0.0
        if State.dimension >= 2 {
            // orthogonal direction: rotate reference by 90° in the first two coordinates
            var w = State.zero
            w.setComponent(0, to: -reference.component(1))
            w.setComponent(1, to: reference.component(0))
            v = delta.dot(w)
        }
        let angle = atan2(v, u)  // (-π, π]
        let bin = Int(((angle + Double.pi) / (2 * Double.pi) * Double(Self.angleBins)).rounded(.down))
        return min(max(bin, 0), Self.angleBins - 1)
    }

    /// Simulates the given paths and returns their tally.
    @inlinable
    public func simulate(paths: Range<Int>) -> Tally {
        let d = State.dimension
        let stride = lanes
        let states = LaneStorage<State>(lanes: stride, initial: start)
        var slots = StoppedPathLanes(count: stride, paths: paths)
        let z = LaneScratch<Double>(lanes: stride, rows: chunk * d)
        let drawsNormals = dynamics.usesDrivingNormals
        if !drawsNormals { z.base.initialize(repeating: 0, count: chunk * d * z.stride) }
        let bridgeBits = LaneScratch<UInt64>(lanes: stride, rows: chunk)
        let auxBits = LaneScratch<UInt64>(lanes: stride, rows: chunk)
        let driving = GaussianStream(seed: seed, stream: .driving, method: normals)
        let bridgeStream = GaussianStream(seed: seed, stream: .independent(2))
        let auxStream = GaussianStream(seed: seed, stream: .auxiliary)
        let usesBridge = dynamics.normalVariance(at: start, direction: domain.outwardNormal(start)) != nil
        var tally = emptyTally
        var firstDraws = [UInt64](repeating: 0, count: stride)
        while slots.hasWork {
            for lane in 0..<stride { firstDraws[lane] = UInt64(slots.firstStep(lane) * d) }
            slots.paths.withUnsafeBufferPointer { p in
                if drawsNormals {
                    firstDraws.withUnsafeBufferPointer { f in
                        driving.fill(paths: p.baseAddress!, firstDraws: f.baseAddress!, draws: chunk * d, stride: stride, into: z.base)
                    }
                }
                slots.firstSteps.withUnsafeBufferPointer { f in
                    if usesBridge { bridgeStream.fillBits(paths: p.baseAddress!, firstDraws: f.baseAddress!, draws: chunk, stride: stride, into: bridgeBits.base) }
                    if dynamics.usesAuxiliaryBits { auxStream.fillBits(paths: p.baseAddress!, firstDraws: f.baseAddress!, draws: chunk, stride: stride, into: auxBits.base) }
                }
            }
            for s in 0..<chunk {
                for lane in 0..<stride where slots.isRunning(lane) {
                    let x = states[lane]
                    let k = slots.firstStep(lane) + s
                    var normals = State.zero
                    for c in 0..<d { normals.setComponent(c, to: z.base[(s * d + c) * stride + lane]) }
                    let y = dynamics.advance(x, path: slots.path(lane), step: k, normals: normals, auxiliary: auxBits.base[s * stride + lane])
                    var exited = !domain.contains(y) || !y.isFinite
                    if !exited && usesBridge {
                        let d0 = -domain.signedDistance(x), d1 = -domain.signedDistance(y)
                        if let variance = dynamics.normalVariance(at: x, direction: domain.outwardNormal(x)), variance > 0 {
                            let p = BrownianBridge.crossingProbability(inside: d0, d1, normalVariance: variance, step: dynamics.timeStep)
                            let u = (Double(bridgeBits.base[s * stride + lane] >> 11) + 0.5) * 0x1p-53
                            exited = u < p
                        }
                    }
                    states[lane] = y
                    if exited {
                        record(exitAt: k + 1, location: y, into: &tally)
                        slots.stop(lane)
                    } else if k + 1 >= maxSteps {
                        tally.count(ExitOutcome.censored)
                        slots.stop(lane)
                    }
                }
            }
            slots.endChunk(steps: chunk) { states[$0] = start }
        }
        return tally
    }

    @inlinable
    public func record(exitAt steps: Int, location y: State, into tally: inout Tally) {
        tally.add(ExitObservable.time, Double(steps) * dynamics.timeStep)
        tally.add(ExitObservable.steps, Double(steps))
        let delta = y - center
        let norm = delta.squaredNorm.squareRoot()
        tally.add(ExitObservable.alignment, norm > 0 ? abs(delta.dot(reference)) / norm : 1)
        tally.count(ExitOutcome.exited)
        if State.dimension == 1 {
            tally.count(ExitOutcome.side(delta.component(0) >= 0 ? .upper : .lower))
        } else if y.isFinite {
            // a path that blew up in one step has no exit direction
            tally.count(ExitOutcome.angle(angleBin(delta)))
        }
    }
}
