import Numerics
import Problems

/// One step of a numerical method for a `DiffusionProcess`, from x at time t to t + dt.
///
/// A stepper is a small stateless value; noise is handed in (a Gaussian increment dW ~ N(0, dt I)
/// and one word of auxiliary random bits), so the ensemble engine decides which random numbers a
/// path sees and steppers never touch a generator.
public protocol SDEStepper: Sendable {
    /// Order of weak convergence in dt for smooth test functions.
    static var weakOrder: Int { get }
    static var name: String { get }
    func step<P: DiffusionProcess>(_ process: P, from x: P.State, time t: Double, dt: P.State.Scalar,
                                   dW: P.State, auxiliaryBits: UInt64) -> P.State
}

public enum StepperKind: String, Sendable, Codable, CaseIterable {
    case eulerMaruyama = "euler-maruyama"
    case weak2 = "platen-weak2"
}
