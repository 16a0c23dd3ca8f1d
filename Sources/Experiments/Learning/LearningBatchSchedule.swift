import FiniteSums
import Foundation
import Problems

/// A batch-size schedule in the SDE's time s = kη, so that one schedule means the same process at
/// every η of a weak-error grid (a schedule in iterations would put its changes at different times
/// for each η). `schedule(eta:)` turns it into the iteration schedule SGD and the engine run.
public enum LearningBatchSchedule: Codable, Equatable, Sendable {
    /// m(s) = sizes[i] for starts[i] ≤ s < starts[i + 1]; starts[0] = 0, ascending.
    case piecewise(starts: [Double], sizes: [Int])
    /// The paper's rule after Proposition 2: m(s) = min(C log(s + 2)/η, m*), at least `minimum`.
    case logarithmic(c: Double, maximum: Int, minimum: Int)

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case malformed(String, why: String)
        case notWhole(start: Double, eta: Double)
        public var description: String {
            switch self {
            case .malformed(let text, let why): return "--batch-schedule '\(text)': \(why)"
            case .notWhole(let s, let eta):
                return "--batch-schedule: the change at s = \(s) is not a whole number of SGD steps at η = \(eta) (s/η = \(s / eta))"
            }
        }
    }

    /// "16,64@2.5,256@10" (sizes, each after the first with the time s it starts at) or
    /// "log:C,m*[,minimum]" (minimum 1).
    public init(parsing text: String) throws {
        let spec = text.trimmingCharacters(in: .whitespaces)
        func fail(_ why: String) -> Failure { .malformed(text, why: why) }
        func size(_ s: Substring) throws -> Int {
            guard let m = Int(s.trimmingCharacters(in: .whitespaces)), m >= 1 else { throw fail("'\(s)' is not a batch size ≥ 1") }
            return m
        }
        if spec.hasPrefix("log:") {
            let parts = spec.dropFirst(4).split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count == 2 || parts.count == 3 else { throw fail("expected log:C,m*[,minimum]") }
            guard let c = Double(parts[0].trimmingCharacters(in: .whitespaces)), c > 0, c.isFinite else {
                throw fail("C must be a positive number, got '\(parts[0])'")
            }
            let maximum = try size(parts[1]), minimum = parts.count == 3 ? try size(parts[2]) : 1
            guard minimum <= maximum else { throw fail("the minimum \(minimum) exceeds m* = \(maximum)") }
            self = .logarithmic(c: c, maximum: maximum, minimum: minimum)
            return
        }
        let pieces = spec.split(separator: ",", omittingEmptySubsequences: false)
        guard !spec.isEmpty else { throw fail("empty; give sizes such as 16,64@2.5 or log:C,m*") }
        var starts: [Double] = [0], sizes: [Int] = []
        for (index, piece) in pieces.enumerated() {
            let halves = piece.split(separator: "@", omittingEmptySubsequences: false)
            if index == 0 {
                guard halves.count == 1 else { throw fail("the first size holds from s = 0 and takes no @time") }
                sizes.append(try size(halves[0]))
                continue
            }
            guard halves.count == 2 else { throw fail("'\(piece)' needs the time it starts at, as m@s") }
            guard let s = Double(halves[1].trimmingCharacters(in: .whitespaces)), s.isFinite, s > starts.last! else {
                throw fail("the start times must be finite and increase from 0, got '\(halves[1])' after \(starts.last!)")
            }
            starts.append(s)
            sizes.append(try size(halves[0]))
        }
        self = .piecewise(starts: starts, sizes: sizes)
    }

    /// The iteration schedule at learning rate η.
    public func schedule(eta: Double) throws -> BatchSchedule {
        switch self {
        case .piecewise(let starts, let sizes):
            guard sizes.count > 1 else { return .constant(sizes[0]) }
            let boundaries = try starts.dropFirst().map { s -> Int in
                let k = (s / eta).rounded()
                guard abs(k * eta - s) <= 1e-9 * max(1, s) else { throw Failure.notWhole(start: s, eta: eta) }
                return Int(k)
            }
            return .piecewise(boundaries: boundaries, sizes: sizes)
        case .logarithmic(let c, let maximum, let minimum):
            return .logarithmic(c: c, eta: eta, maximum: maximum, minimum: minimum)
        }
    }

    /// The largest batch it gives at any η.
    public var largest: Int {
        switch self {
        case .piecewise(_, let sizes): return sizes.max() ?? 1
        case .logarithmic(_, let maximum, let minimum): return max(maximum, minimum)
        }
    }

    /// The smallest batch it gives at any η (the spec's `batch`, for summaries).
    public var smallest: Int {
        switch self {
        case .piecewise(_, let sizes): return sizes.min() ?? 1
        case .logarithmic(_, _, let minimum): return minimum
        }
    }
}

extension LearningBatchSchedule: CustomStringConvertible {
    /// "16 → 64 at s = 2.5", "min(0.2 log(s+2)/η, 512), at least 8".
    public var description: String {
        switch self {
        case .piecewise(let starts, let sizes):
            return zip(starts, sizes).map { $0 == 0 ? "\($1)" : "\($1) at s = \($0.formatted())" }.joined(separator: " → ")
        case .logarithmic(let c, let maximum, let minimum):
            return "min(\(c.formatted()) log(s+2)/η, \(maximum))" + (minimum > 1 ? ", at least \(minimum)" : "")
        }
    }
}

extension Double {
    fileprivate func formatted() -> String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : "\(self)" }
}

extension LearningProblemSpec {
    /// `problem` with this spec's schedule at η, or unchanged when the spec has none (a constant
    /// batch, or a problem the Swift API built with its own schedule).
    public func scheduled(_ problem: FiniteSumProblem<LearningModel>, eta: Double) throws -> FiniteSumProblem<LearningModel> {
        guard let schedule else { return problem }
        do { return try problem.with(batchSchedule: try schedule.schedule(eta: eta)) } catch let f as FiniteSumProblem<LearningModel>.Failure {
            throw Failure.invalid("--batch-schedule: \(f.description) (the training set's size)")
        }
    }
}
