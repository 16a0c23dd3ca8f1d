import Dynamics
import Foundation
import Numerics
import Randomness
import Problems

/// A weak-error study (Theorem 1): for each η, estimate
///
///     e_p(η) = |E φ(x_{T/η}) - E φ(X_p(T))|,   p = 1 (SME-1), 2 (SME-2),
///
/// with SGD and both SDEs driven by the same Gaussian variates, and fit log e_p against log η.
public struct WeakErrorConfiguration: Sendable, Equatable, Codable {
    public var problem: ProblemSpec
    public var testFunctions: [TestFunction]
    /// T.
    public var horizon: Double
    /// The grid of step sizes η.
    public var etas: [Double]
    /// Paths at the smallest η (see `pathScaling`).
    public var paths: Int
    public var pathScaling: PathScaling
    /// r: the SDE runs with steps η/r and η/(2r); the finer one is the estimate, their difference
    /// measures what discretisation error is left.
    public var substeps: Int
    /// If set, the largest SDE step h: r is raised at each η until η/(2r) <= h, so the SDE's
    /// step is chosen independently of η.
    public var maxSDEStep: Double?
    public var stepper: StepperKind
    public var seed: UInt64
    /// The normal generator; nil means Box–Muller, the default, and is left out of the JSON so
    /// that default runs keep their fingerprints and result files.
    public var normals: NormalMethod?
    /// Pair path 2i with path 2i + 1 driven by the negated variates, and average each pair
    /// (antithetic variates): the leading, odd-in-the-noise part of φ(x) - φ(X) cancels. Measured
    /// on the double well with Rademacher noise at η = 0.025: 3.4x smaller standard error per
    /// simulated path. N is rounded up to an even number.
    public var antithetic: Bool

    /// How the path count grows as η shrinks.
    public enum PathScaling: String, Sendable, Codable, CaseIterable {
        /// N paths at every η.
        case constant
        /// N (η_min/η)³ (at least 4096): the coupled difference has variance O(η) while the
        /// order-2 error is O(η²), so this keeps the relative error of e₂ roughly constant.
        case cubic
    }

    public init(problem: ProblemSpec, testFunctions: [TestFunction], horizon: Double, etas: [Double], paths: Int,
                pathScaling: PathScaling = .cubic, substeps: Int = 4, stepper: StepperKind = .weak2, seed: UInt64 = 1,
                antithetic: Bool = true) {
        self.problem = problem
        self.testFunctions = testFunctions
        self.horizon = horizon
        self.etas = etas
        self.paths = paths
        self.pathScaling = pathScaling
        self.substeps = substeps
        self.stepper = stepper
        self.seed = seed
        self.antithetic = antithetic
        maxSDEStep = nil
    }

    /// r at this η: `substeps`, raised if needed so the fine step η/(2r) is at most `maxSDEStep`.
    public func substeps(at eta: Double) -> Int {
        guard let h = maxSDEStep else { return substeps }
        return max(substeps, Int((eta / (2 * h)).rounded(.up)))
    }

    public func paths(at eta: Double) -> Int {
        var n: Int
        switch pathScaling {
        case .constant: n = paths
        case .cubic:
            let smallest = etas.min() ?? eta
            let scaled = Double(paths) * pow(smallest / eta, 3)
            n = max(min(paths, 4096), Int(scaled.rounded()))
        }
        if antithetic && n % 2 == 1 { n += 1 }
        return n
    }

    /// The seed of the η-th task: every η gets independent noise, so the points of the order fit
    /// have independent errors.
    public func seed(forEtaIndex i: Int) -> UInt64 { seed &+ UInt64(i) &* 0x9E37_79B9_7F4A_7C15 }

    public func steps(at eta: Double) -> Int { Int((horizon / eta).rounded()) }

    /// The largest T/η `validate` accepts (2^31 SGD steps): beyond any run that finishes, and
    /// checked before T/η becomes an integer.
    public static let maximumSteps = Double(1 << 31)

    public func validate() throws {
        try problem.validate()
        guard !testFunctions.isEmpty else { throw WeakErrorError.noTestFunction }
        guard horizon > 0, horizon.isFinite else { throw WeakErrorError.invalid("horizon T", "\(horizon) (must be positive)") }
        guard etas.count >= 2 else { throw WeakErrorError.invalid("η grid", "\(etas) (need at least two values to fit an order)") }
        guard Set(etas).count == etas.count else { throw WeakErrorError.invalid("η grid", "\(etas) has repeated values") }
        for eta in etas {
            guard eta > 0, eta.isFinite else { throw WeakErrorError.invalid("η", "\(eta) (must be positive)") }
            let k = horizon / eta
            // checked as a double before any conversion to a count: T/η can be any size
            guard k <= Self.maximumSteps else {
                throw WeakErrorError.invalid("η", "\(eta): T/η = \(k) SGD steps (at most \(Int(Self.maximumSteps)))")
            }
            guard abs(k - k.rounded()) <= 1e-9 * k, k.rounded() >= 1 else {
                throw WeakErrorError.invalid("η", "\(eta): T/η = \(k) is not a whole number of SGD steps")
            }
        }
        // a standard error needs two samples: two paths, or two antithetic pairs
        let fewest = antithetic ? 4 : 2
        guard paths >= fewest else { throw WeakErrorError.invalid("paths N", "\(paths) (need at least \(fewest) for a standard error\(antithetic ? ", two antithetic pairs" : ""))") }
        guard paths <= 1 << 32, etas.allSatisfy({ self.paths(at: $0) <= 1 << 32 }) else {
            throw WeakErrorError.invalid("paths N", "\(paths) (at most 2^32 paths per η)")
        }
        guard substeps >= 1, substeps <= 4096 else { throw WeakErrorError.invalid("substeps r", "\(substeps) (need 1...4096)") }
        if let h = maxSDEStep {
            guard h > 0, h.isFinite else { throw WeakErrorError.invalid("SDE step h", "\(h) (must be positive)") }
            guard etas.allSatisfy({ ($0 / (2 * h)).rounded(.up) <= 4096 }) else { throw WeakErrorError.invalid("SDE step h", "\(h) needs more than 4096 substeps per SGD step") }
        }
    }
}

public enum WeakErrorError: Error, CustomStringConvertible, Equatable {
    case noTestFunction
    case invalid(String, String)
    case diverged(String)
    public var description: String {
        switch self {
        case .noTestFunction: return "give at least one test function φ"
        case .invalid(let what, let why): return "invalid \(what): \(why)"
        case .diverged(let detail): return "paths diverged (non-finite state), so E φ is undefined there: \(detail); results were written with these η marked and left out of the fits"
        }
    }
}
