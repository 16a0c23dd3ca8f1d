/// Theory beside measurement: did the measurement agree?
public enum Verdict: String, Sendable, Codable {
    /// Agrees within the stated tolerance, uncertainty included.
    case pass
    /// Consistent, but the uncertainty is too large to confirm the tolerance: run more paths.
    case inconclusive
    /// Disagrees beyond the uncertainty.
    case fail
}

extension Verdict {
    /// The verdict over several checks: fail if any fails, pass if all pass (or there are
    /// none), else inconclusive.
    public init(combining verdicts: [Verdict]) {
        self = verdicts.contains(.fail) ? .fail : (verdicts.allSatisfy { $0 == .pass } ? .pass : .inconclusive)
    }
}
