import Numerics
import Problems

/// Euler–Maruyama: X_{n+1} = X_n + b(X_n) dt + S(X_n) ΔW. Weak order 1, strong order 1/2
/// (Kloeden & Platen 1992, §14.1). With dt = η it *is* SGD with Gaussian noise.
public struct EulerMaruyama: SDEStepper {
    public static var weakOrder: Int { 1 }
    public static var name: String { "euler-maruyama" }
    public init() {}

    @inlinable @inline(__always)
    public func step<P: DiffusionProcess>(_ process: P, from x: P.State, time t: Double, dt: P.State.Scalar,
                                          dW: P.State, auxiliaryBits: UInt64) -> P.State {
        x + dt * process.drift(at: x, time: t) + process.applyDiffusion(at: x, time: t, dW)
    }
}
