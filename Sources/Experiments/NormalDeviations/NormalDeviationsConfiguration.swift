import Foundation
import Problems
import Randomness

/// Why a normal-deviations study cannot run, in one line.
public enum NormalDeviationsError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)

    public var description: String {
        switch self {
        case .invalid(let what, let why): return "\(what): \(why)"
        }
    }
}

/// Appendix A on [0, T]: SGD x^η_k against the gradient flow Y(kη) (A.4), the normal deviations
/// Z^η = (x^η − Y)/√η against dZ = M(s) Z ds + S(Y) dW (Theorem 5, (A.6)), and the weak error of
/// the linear-noise approximation x ≈ Y + √η Z, for several η on one built-in landscape.
public struct NormalDeviationsConfiguration: Sendable, Equatable, Codable {
    /// A built-in landscape with its gradient-noise model and x₀ (any dimension the catalog has).
    public var problem: ProblemSpec
    public var etas: [Double]
    /// T; T/η must be a whole number of SGD steps for every η.
    public var horizon: Double
    /// Covariances are recorded at s_j = j T / times, j = 1…times (each must be on every η's grid).
    public var times: Int
    public var testFunctions: [TestFunction]
    public var paths: Int
    /// Relative tolerance of the fitted rates against theory (they fail only when slower).
    public var rateTolerance: Double
    public var seed: UInt64
    public var normals: NormalMethod?

    public init(problem: ProblemSpec, etas: [Double] = [0.1, 0.05, 0.025, 0.0125], horizon: Double = 4, times: Int = 8,
                testFunctions: [TestFunction] = [.x, .square, .cos], paths: Int = 1 << 18, rateTolerance: Double = 0.25, seed: UInt64 = 1) {
        self.problem = problem
        self.etas = etas
        self.horizon = horizon
        self.times = times
        self.testFunctions = testFunctions
        self.paths = paths
        self.rateTolerance = rateTolerance
        self.seed = seed
    }

    /// The 2-D double well F = (x² − 1)²/4 + y²/2 from (0.3, 1) with S(x) = 0.3 diag(1 + ½ sin x, 1 + 0.3 sin y):
    /// the flow leaves the saddle region (∂²F/∂x² = 3x² − 1 < 0 there) for the minimum (1, 0), so
    /// M(s) = −∇²F(Y(s)) changes sign along it, and the noise depends on the state. σ = 0.3 keeps
    /// ησ² well below the barrier 1/4 at η = 0.1 (with σ = 1 SGD there crosses to the other well).
    public static func standard2D(seed: UInt64 = 1) throws -> NormalDeviationsConfiguration {
        NormalDeviationsConfiguration(problem: try ProblemSpec(name: "double-well-2d", noise: NoiseSpec(kind: .modulated, scale: 0.3, amplitudes: [0.5, 0.3]),
                                                               initial: [0.3, 1]), seed: seed)
    }

    /// The tilted 1-D double well F = x⁴/4 − x²/2 + 0.1x from 0.3, past the barrier (F″ = −0.73
    /// there), into the shallow well at 0.946, with multiplicative noise S(x) = 0.3|x|: a landscape
    /// and a noise model other than the 2-D preset's (whose x-marginal is the untilted well).
    public static func standard1D(seed: UInt64 = 1) throws -> NormalDeviationsConfiguration {
        NormalDeviationsConfiguration(problem: try ProblemSpec(name: "double-well", noise: NoiseSpec(kind: .multiplicative, scale: 0.3),
                                                               initial: [0.3], parameters: ["tilt": 0.1]), seed: seed)
    }

    /// SGD steps T/η of each η.
    public var steps: [Int] { etas.map { Int(($0 == 0 ? 0 : horizon / $0).rounded()) } }

    /// s_j = j T / times.
    public var observationTimes: [Double] { (1...max(1, times)).map { horizon * Double($0) / Double(times) } }

    static func isWhole(_ x: Double) -> Bool { abs(x - x.rounded()) <= 1e-9 * max(1, abs(x)) }

    public func validate() throws {
        try problem.validate()
        guard let d = problem.dimension, (1...4).contains(d) else {
            throw NormalDeviationsError.invalid("problem", "\(problem.name) has d = \(problem.dimension ?? 0); normal-deviations takes d = 1…4")
        }
        guard problem.noise.kind != .minibatch else {
            throw NormalDeviationsError.invalid("noise", "mini-batch noise is not supported here (the linearised path needs S(Y) in closed form)")
        }
        guard !etas.isEmpty else { throw NormalDeviationsError.invalid("η", "give at least one learning rate") }
        for eta in etas {
            guard eta.isFinite, eta > 0 else { throw NormalDeviationsError.invalid("η", "\(eta) (need η > 0)") }
            guard eta <= 1 else { throw NormalDeviationsError.invalid("η", "\(eta) (need η ≤ 1: the small-η limit is the point)") }
        }
        guard Set(etas).count == etas.count else { throw NormalDeviationsError.invalid("η", "\(etas) repeats a value") }
        guard horizon.isFinite, horizon > 0, horizon <= 1000 else { throw NormalDeviationsError.invalid("horizon T", "\(horizon) (need 0 < T ≤ 1000)") }
        guard (1...64).contains(times) else { throw NormalDeviationsError.invalid("times", "\(times) (need 1…64 observation times)") }
        for eta in etas {
            guard Self.isWhole(horizon / eta) else {
                throw NormalDeviationsError.invalid("η", "T/η = \(horizon)/\(eta) = \(horizon / eta) is not a whole number of SGD steps")
            }
            guard horizon / eta <= 1e8 else { throw NormalDeviationsError.invalid("η", "\(eta) needs \(horizon / eta) steps per path (at most 1e8)") }
            for s in observationTimes where !Self.isWhole(s / eta) {
                throw NormalDeviationsError.invalid("times", "s = \(s) (= T·j/\(times)) is not on the grid of η = \(eta); choose times so that T/(times·η) is whole")
            }
        }
        guard !testFunctions.isEmpty else { throw NormalDeviationsError.invalid("test functions", "give at least one") }
        guard Set(testFunctions).count == testFunctions.count else { throw NormalDeviationsError.invalid("test functions", "\(testFunctions.map(\.rawValue)) repeats one") }
        guard (16...(1 << 32)).contains(paths) else { throw NormalDeviationsError.invalid("paths N", "\(paths) (need 16 ≤ N ≤ 2^32)") }
        guard rateTolerance.isFinite, rateTolerance > 0, rateTolerance < 1 else {
            throw NormalDeviationsError.invalid("rate tolerance", "\(rateTolerance) (need 0 < tolerance < 1)")
        }
    }
}
