import Dynamics
import Numerics
import Problems
import Randomness

/// Per-step sweeps over the lanes of a block. Each is one vectorisable loop whose body is a
/// single stepper or SGD call; experiments compose them (several processes sharing noise) by
/// calling them in sequence for every step.
public enum LaneKernels {
    /// x_i <- stepper(x_i, t, dt, dW_i) for every lane, with dW_i = scale * (row_0[i], ..., row_{d-1}[i]).
    @inlinable
    public static func step<P: DiffusionProcess, S: SDEStepper>(
        _ process: P, _ stepper: S, states: LaneStorage<P.State>, time t: Double, dt: P.State.Scalar,
        noise: UnsafePointer<P.State.Scalar>, noiseScale: P.State.Scalar, auxiliary: UnsafePointer<UInt64>?
    ) {
        let stride = states.stride
        let x = states.base
        let noiseRows = UnsafeMutablePointer(mutating: noise)
        if let auxiliary {
            for lane in 0..<stride {
                let xi = LaneStorage<P.State>.load(x, lane: lane, stride: stride)
                let w = LaneStorage<P.State>.load(noiseRows, lane: lane, stride: stride)
                let next = stepper.step(process, from: xi, time: t, dt: dt, dW: noiseScale * w, auxiliaryBits: auxiliary[lane])
                LaneStorage<P.State>.store(next, x, lane: lane, stride: stride)
            }
        } else {
            for lane in 0..<stride {
                let xi = LaneStorage<P.State>.load(x, lane: lane, stride: stride)
                let w = LaneStorage<P.State>.load(noiseRows, lane: lane, stride: stride)
                let next = stepper.step(process, from: xi, time: t, dt: dt, dW: noiseScale * w, auxiliaryBits: 0)
                LaneStorage<P.State>.store(next, x, lane: lane, stride: stride)
            }
        }
    }

    /// One SGD iteration for every lane. `driving` holds d rows of standard normals (the
    /// coupled noise), `injected` d rows for noise injection (ignored if the method injects none).
    /// Problems that sample discretely get a `PhiloxGenerator` per lane at block offset `step << 24`.
    @inlinable
    public static func sgd<P: StochasticGradientProblem>(
        _ problem: P, _ method: SGDMethod, states: LaneStorage<P.State>, velocities: LaneStorage<P.State>?,
        step k: Int, firstPath: Int, seed: UInt64, driving: UnsafePointer<Double>, injected: UnsafePointer<Double>?
    ) {
        let stride = states.stride
        let x = states.base
        let drivingRows = UnsafeMutablePointer(mutating: driving)
        let injectedRows = injected.map { UnsafeMutablePointer(mutating: $0) }
        let v = velocities?.base
        let usesGenerator = problem.usesGenerator
        for lane in 0..<stride {
            let xi = LaneStorage<P.State>.load(x, lane: lane, stride: stride)
            let z = LaneStorage<P.State>.load(drivingRows, lane: lane, stride: stride)
            let inj = injectedRows.map { LaneStorage<P.State>.load($0, lane: lane, stride: stride) } ?? .zero
            var velocity = v.map { LaneStorage<P.State>.load($0, lane: lane, stride: stride) } ?? .zero
            var generator = PhiloxGenerator(seed: seed, stream: .sampling, path: usesGenerator ? firstPath + lane : 0,
                                            offset: UInt64(k) << 24)
            let next = method.step(problem, from: xi, velocity: &velocity, step: k, driving: z, injected: inj, generator: &generator)
            LaneStorage<P.State>.store(next, x, lane: lane, stride: stride)
            if let v { LaneStorage<P.State>.store(velocity, v, lane: lane, stride: stride) }
        }
    }
}
