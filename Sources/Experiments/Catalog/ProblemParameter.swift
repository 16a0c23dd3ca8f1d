/// One parameter of a built-in problem family: its key, default and the values it accepts.
///
/// Families declare their parameters as static constants and read them back through
/// `ProblemParameters[_:]` with the same constant, so a misspelt key is a compile error rather
/// than a NaN at run time, and every value a user gives is checked against its domain before any
/// problem is built.
public struct ProblemParameter: Sendable, Hashable {
    /// The values a parameter accepts.
    public enum Domain: Sendable, Hashable {
        /// Any finite real.
        case real
        /// A finite real > 0.
        case positive
        /// A whole number in the range (converted to `Int` only after the check).
        case integer(ClosedRange<Int>)
    }

    public let key: String
    public let defaultValue: Double
    public let domain: Domain
    public let summary: String

    public init(_ key: String, default defaultValue: Double, domain: Domain = .real, summary: String) {
        self.key = key
        self.defaultValue = defaultValue
        self.domain = domain
        self.summary = summary
    }

    /// Throws a one-line error naming the parameter when `value` is outside the domain.
    public func check(_ value: Double) throws {
        guard value.isFinite else { throw ProblemError.invalidValue(key, "\(value) (must be a finite number)") }
        switch domain {
        case .real:
            return
        case .positive:
            guard value > 0 else { throw ProblemError.invalidValue(key, "\(value) (must be > 0)") }
        case .integer(let range):
            guard value == value.rounded(), value >= Double(range.lowerBound), value <= Double(range.upperBound) else {
                throw ProblemError.invalidValue(key, "\(value) (need an integer in \(range.lowerBound)...\(range.upperBound))")
            }
        }
    }

    /// How `sgdiff problems` shows the accepted values.
    public var domainDescription: String {
        switch domain {
        case .real: return "real"
        case .positive: return "> 0"
        case .integer(let r): return "integer \(r.lowerBound)...\(r.upperBound)"
        }
    }
}

/// Checked parameter values of one problem, read by the family's own `ProblemParameter` constants.
public struct ProblemParameters: Sendable {
    let values: [String: Double]

    init(_ values: [String: Double]) { self.values = values }

    public subscript(parameter: ProblemParameter) -> Double {
        guard let v = values[parameter.key] else { preconditionFailure("parameter '\(parameter.key)' is not declared by this problem family") }
        return v
    }

    /// An integer parameter; its domain check has already ruled out values an `Int` cannot hold.
    public func integer(_ parameter: ProblemParameter) -> Int { Int(self[parameter]) }
}
