import Numerics
import Problems
import Dynamics
import Randomness

/// Advances one block of SDE paths over a fixed step grid, the inner loop of every SDE ensemble.
///
/// The Brownian increment of path p over step k, component c, is √dt times the Gaussian variate
/// (p, k d + c) of `noise`; the stepper's auxiliary bits for step k are word k of `auxiliary`.
/// Noise is generated `chunk` steps at a time for the whole block, then the steps sweep the
/// lanes, so the per-lane stepper code runs in a vectorisable loop.
public struct SDEPathBlock<P: DiffusionProcess, S: SDEStepper>: Sendable where P.State.Scalar: GaussianScalar {
    public let process: P
    public let stepper: S
    public let dt: P.State.Scalar
    public let noise: GaussianStream
    public let auxiliary: GaussianStream
    public let chunk: Int

    public init(process: P, stepper: S, dt: P.State.Scalar, noise: GaussianStream,
                auxiliary: GaussianStream? = nil, chunk: Int = 16) {
        self.process = process
        self.stepper = stepper
        self.dt = dt
        self.noise = noise
        self.auxiliary = auxiliary ?? GaussianStream(seed: noise.seed, stream: .auxiliary)
        self.chunk = chunk
    }

    @usableFromInline var needsAuxiliary: Bool { S.weakOrder >= 2 && P.State.dimension > 1 && process.noiseStructure == .general }

    /// Advances `states` (lanes = paths of the block) by steps `firstStep..<firstStep + steps`.
    @inlinable
    public func advance(_ states: LaneStorage<P.State>, firstPath: Int, firstStep: Int, steps: Int) {
        let d = P.State.dimension
        let stride = states.stride
        let z = LaneScratch<P.State.Scalar>(lanes: states.lanes, rows: chunk * d)
        let bits = LaneScratch<UInt64>(lanes: states.lanes, rows: chunk)
        let sqrtDt = dt.squareRoot()
        let useAux = needsAuxiliary
        let process = self.process, stepper = self.stepper, dt = self.dt
        var k = 0
        while k < steps {
            let c = min(chunk, steps - k)
            let step0 = firstStep + k
            P.State.Scalar.fill(noise, firstPath: firstPath, lanes: states.lanes, firstDraw: step0 * d, draws: c * d, stride: stride, into: z.base)
            if useAux {
                auxiliary.fillBits(firstPath: firstPath, lanes: states.lanes, firstDraw: step0, draws: c, stride: stride, into: bits.base)
            }
            for s in 0..<c {
                let t = Double(step0 + s) * Double(dt)
                LaneKernels.step(process, stepper, states: states, time: t, dt: dt, noise: z.base + s * d * stride,
                                 noiseScale: sqrtDt, auxiliary: useAux ? UnsafePointer(bits.base + s * stride) : nil)
            }
            k += c
        }
    }
}
