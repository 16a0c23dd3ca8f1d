import Numerics

/// One η and one test function.
public struct WeakErrorRow: Sendable, Codable, Equatable {
    public var testFunction: TestFunction
    public var eta: Double
    public var steps: Int
    public var paths: Int
    /// The SDE step of the estimate, η/(2r).
    public var sdeStep: Double
    /// E φ(x_{T/η}), E φ(X₁(T)), E φ(X₂(T)).
    public var sgd: Estimate
    public var sme1: Estimate
    public var sme2: Estimate
    /// E φ(x_{T/η}) - E φ(X_p(T)) (signed; e_p is its absolute value).
    public var error1: Estimate
    public var error2: Estimate
    /// Estimated discretisation bias left in the fine SDE solutions, (E_2h - E_h)/(2^q - 1)
    /// for a weak order-q stepper.
    public var sdeBias1: Estimate
    public var sdeBias2: Estimate
    public var divergedSGD: Int
    public var divergedSDE: Int
    /// Closed-form values where the problem has them.
    public var exact: ExactValues?

    public struct ExactValues: Sendable, Codable, Equatable {
        public var sgd: Double
        public var sme1: Double
        public var sme2: Double
        public var error1: Double { sgd - sme1 }
        public var error2: Double { sgd - sme2 }
    }
}

/// The fitted order of one approximation for one test function.
public struct OrderFit: Sendable, Codable, Equatable {
    public var testFunction: TestFunction
    /// 1 for SME-1, 2 for SME-2.
    public var approximation: Int
    /// Theorem 1's order.
    public var theory: Double
    public var slope: Double?
    public var standardError: Double?
    /// 95% interval for the slope.
    public var interval: [Double]?
    public var chiSquared: Double?
    public var degreesOfFreedom: Int?
    /// η values used in the fit.
    public var etas: [Double]
    /// Why some η were left out.
    public var excluded: [String]
    /// Allowed |slope - theory|.
    public var tolerance: Double
    public var verdict: Verdict
}

/// A comparison of a Monte Carlo estimate with a closed-form value.
public struct ClosedFormCheck: Sendable, Codable, Equatable {
    public var testFunction: TestFunction
    public var eta: Double
    public var quantity: String
    public var estimate: Double
    public var standardError: Double
    public var exact: Double
    /// (estimate - exact) / standard error.
    public var z: Double
    public var verdict: Verdict
}

public struct WeakErrorResult: Sendable, Codable {
    public var schema = "sgdiff.weak-error/1"
    public var software: SoftwareInfo
    public var configuration: WeakErrorConfiguration
    public var rows: [WeakErrorRow]
    public var fits: [OrderFit]
    public var closedFormChecks: [ClosedFormCheck]
    /// Largest (|bias| + 2 se) / |e_p| over all rows: how much of each measured weak error the
    /// SDE's own discretisation could account for.
    public var sdeBiasRatio: Double
    public var sdeAccuracy: Verdict
    public var verdict: Verdict
    public var wallSeconds: Double
}
