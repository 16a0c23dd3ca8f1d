import FiniteSums
import Foundation
import Problems
import Randomness

/// Why a batch-schedule study cannot run, in one line.
public enum BatchScheduleError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)

    public var description: String {
        switch self { case .invalid(let what, let why): return "\(what): \(why)" }
    }
}

/// One schedule of the study, with the name the tables and figures use.
public struct NamedBatchSchedule: Sendable, Equatable, Codable {
    public var name: String
    public var schedule: BatchSchedule
    public init(_ name: String, _ schedule: BatchSchedule) { (self.name, self.schedule) = (name, schedule) }
}

/// §5's schedules m(s) on the 1-D two-basin finite sum of the batch-size study: from the sharp
/// minimum, a fixed horizon of K SGD iterations, P(in the flat basin) against s, for SGD on the
/// data and for its SDE dX = −F′ ds + √(η(1/m(s) − 1/M) Σ₀) dB driven by the same schedule
/// object, against the two-state master equation with the exact mean transition times at each m.
public struct BatchScheduleConfiguration: Sendable, Equatable, Codable {
    public var problem: LearningProblemSpec
    public var eta: Double
    public var schedules: [NamedBatchSchedule]
    /// K: SGD iterations per path (time S = Kη).
    public var iterations: Int
    /// P(flat) and the first-reach fraction are recorded at this many equally spaced times.
    public var checkpoints: Int
    public var scan: [Double]
    public var tableNodes: Int
    /// The SDE's step h (weak order-2 Platen); η/h must be a whole number, so each SGD
    /// iteration is r = η/h SDE steps and the schedule changes on step boundaries.
    public var sdeStep: Double
    public var sgdPaths: Int
    public var sdePaths: Int
    public var seed: UInt64
    public var normals: NormalMethod?

    public init(problem: LearningProblemSpec, eta: Double, schedules: [NamedBatchSchedule], iterations: Int, checkpoints: Int = 40, scan: [Double] = [-3, 3],
                tableNodes: Int = 4097, sdeStep: Double = 0.02, sgdPaths: Int = 2048, sdePaths: Int = 2048, seed: UInt64 = 1) {
        (self.problem, self.eta, self.schedules, self.iterations, self.checkpoints) = (problem, eta, schedules, iterations, checkpoints)
        (self.scan, self.tableNodes, self.sdeStep, self.sgdPaths, self.sdePaths, self.seed) = (scan, tableNodes, sdeStep, sgdPaths, sdePaths, seed)
    }

    /// Constant small m, constant large m, the paper's m(s) = min(C log(s+2)/η, m*) for each C,
    /// and a decreasing staircase from the large m to the small one in four equal quarters.
    public static func schedules(eta: Double, iterations: Int, small: Int, large: Int, cs: [Double]) -> [NamedBatchSchedule] {
        var list = [NamedBatchSchedule("constant m=\(small)", .constant(small)), NamedBatchSchedule("constant m=\(large)", .constant(large))]
        for c in cs { list.append(NamedBatchSchedule("log C=\(c)", .logarithmic(c: c, eta: eta, maximum: large, minimum: small))) }
        // large → small: the geometric mean steps between them
        let ratio = pow(Double(small) / Double(large), 1.0 / 3)
        let sizes = (0..<4).map { max(small, Int((Double(large) * pow(ratio, Double($0))).rounded())) }
        list.append(NamedBatchSchedule("decreasing", .piecewise(boundaries: (1..<4).map { $0 * iterations / 4 }, sizes: sizes)))
        return list
    }

    public static func standard(seed: UInt64 = 1) -> BatchScheduleConfiguration {
        let eta = 0.2, k = 5000
        return BatchScheduleConfiguration(problem: BatchSizeConfiguration.standardProblem(), eta: eta,
                                          schedules: schedules(eta: eta, iterations: k, small: 2, large: 8, cs: [0.1, 0.2, 0.4]), iterations: k, seed: seed)
    }

    /// The SDE steps per SGD iteration.
    public var substeps: Int { Int((eta / sdeStep).rounded()) }

    public func validate() throws {
        guard eta.isFinite, eta > 0, eta <= 10 else { throw BatchScheduleError.invalid("η", "\(eta) (need 0 < η ≤ 10)") }
        guard !schedules.isEmpty else { throw BatchScheduleError.invalid("schedules", "give at least one schedule") }
        guard Set(schedules.map(\.name)).count == schedules.count else { throw BatchScheduleError.invalid("schedules", "two schedules share a name") }
        for s in schedules { try Self.check(s) }
        guard (1...100_000_000).contains(iterations) else { throw BatchScheduleError.invalid("iterations K", "\(iterations) (need 1…10⁸)") }
        guard (1...1000).contains(checkpoints), checkpoints <= iterations else {
            throw BatchScheduleError.invalid("checkpoints", "\(checkpoints) (need 1…1000 and at most K = \(iterations))")
        }
        guard scan.count == 2, scan.allSatisfy(\.isFinite), scan[0] < scan[1], scan.allSatisfy({ abs($0) <= 1e4 }) else {
            throw BatchScheduleError.invalid("scan", "\(scan) (need lo < hi, both within ±10⁴)")
        }
        guard (101...1_000_001).contains(tableNodes) else { throw BatchScheduleError.invalid("table nodes", "\(tableNodes) (need 101…1000001)") }
        guard sdeStep.isFinite, sdeStep > 0, sdeStep <= eta, abs(eta / sdeStep - (eta / sdeStep).rounded()) <= 1e-9 * (eta / sdeStep) else {
            throw BatchScheduleError.invalid("SDE step h", "\(sdeStep) (need 0 < h ≤ η with η/h a whole number, so the SDE's m(s) changes where SGD's does)")
        }
        for (name, n) in [("SGD paths", sgdPaths), ("SDE paths", sdePaths)] where !(0...(1 << 32)).contains(n) {
            throw BatchScheduleError.invalid(name, "\(n) (need 0 ≤ N ≤ 2^32)")
        }
        if case .synthetic(let n, let p, _, _) = problem.source, p != 1 || problem.intercept {
            throw BatchScheduleError.invalid("problem", "synthetic data with \(p) feature(s)\(problem.intercept ? " and an intercept" : "") has d = \(p + (problem.intercept ? 1 : 0)) parameters; batch-schedule takes a 1-D finite sum (1 feature, --no-intercept; M = \(n))")
        }
    }

    /// The checks that need no data: every size positive, the log rule's C, η and bounds.
    static func check(_ s: NamedBatchSchedule) throws {
        let what = "schedule '\(s.name)'"
        switch s.schedule {
        case .constant(let m):
            guard m >= 1 else { throw BatchScheduleError.invalid(what, "batch size \(m) (need 1 ≤ m < M)") }
        case .piecewise(let boundaries, let sizes):
            guard sizes.count == boundaries.count + 1 else { throw BatchScheduleError.invalid(what, "needs one more size than boundaries") }
            guard boundaries.allSatisfy({ $0 > 0 }), zip(boundaries, boundaries.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw BatchScheduleError.invalid(what, "boundaries \(boundaries) must be positive and increase")
            }
            for m in sizes where m < 1 { throw BatchScheduleError.invalid(what, "batch size \(m) (need 1 ≤ m < M)") }
        case .logarithmic(let c, let eta, let maximum, let minimum):
            guard c.isFinite, c > 0 else { throw BatchScheduleError.invalid(what, "C = \(c) (need C > 0)") }
            guard eta.isFinite, eta > 0 else { throw BatchScheduleError.invalid(what, "η = \(eta) (need η > 0)") }
            guard minimum >= 1, minimum <= maximum else { throw BatchScheduleError.invalid(what, "m between \(minimum) and m* = \(maximum) (need 1 ≤ minimum ≤ m* < M)") }
        }
    }

    /// Every size against M: 1 ≤ m ≤ M − 1 (at m = M there is no noise and no SDE).
    static func check(_ s: NamedBatchSchedule, samples total: Int) throws {
        let largest: Int
        switch s.schedule {
        case .constant(let m): largest = m
        case .piecewise(_, let sizes): largest = sizes.max() ?? 0
        case .logarithmic(_, _, let maximum, _): largest = maximum
        }
        guard largest < total else {
            throw BatchScheduleError.invalid("schedule '\(s.name)'", "batch size \(largest) (need m < M = \(total): at m = M there is no noise)")
        }
    }
}
