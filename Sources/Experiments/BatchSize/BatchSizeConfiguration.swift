import FiniteSums
import Foundation
import Randomness

/// Why a batch-size study cannot run, in one line.
public enum BatchSizeError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)
    case landscape(String)

    public var description: String {
        switch self {
        case .invalid(let what, let why): return "\(what): \(why)"
        case .landscape(let why): return why
        }
    }
}

/// §5: the escape time from a sharp and from a flat minimum of a 1-D finite sum against the
/// batch size m, SGD and its SDE dX = −F′ ds + √(η(1/m − 1/M) Σ₀) dB side by side, against the
/// quasi-potential, the Kramers law and the exact mean exit time.
public struct BatchSizeConfiguration: Sendable, Equatable, Codable {
    /// A 1-D learning problem (one feature, no intercept); its `batch` is replaced by each m.
    public var problem: LearningProblemSpec
    public var eta: Double
    public var batches: [Int]
    /// Where F′ is scanned for minima and maxima, and tabulated for the SDE.
    public var scan: [Double]
    public var tableNodes: Int
    /// The SDE's step h (weak order-2 Platen scheme with the Brownian-bridge exit test).
    public var sdeStep: Double
    public var sdePaths: Int
    public var sgdPaths: Int
    /// Direct simulation where the exact E T is at most this many steps (SGD iterations of η,
    /// SDE steps of h); beyond, the SDE's E T comes from splitting and SGD is not simulated.
    public var directBudget: Double
    /// Paths are censored at `censorFactor` × the exact E T.
    public var censorFactor: Double
    /// Splitting (SDE) for the m beyond the direct budget: runs, replicas and cycles per run.
    public var splittingRuns: Int
    public var splittingReplicas: Int
    /// A → Σ → A cycles simulated directly for the renewal formula's cycle times.
    public var splittingCycles: Int
    /// The training time S of P(SGD has left the basin by time S) (iterations S/η).
    public var horizon: Double
    public var horizonPaths: Int
    /// §5's basin choice: from the sharp minimum, P(X in the flat basin at time S) over the grid
    /// η ∈ `choiceEtas` × m ∈ `batches`, SGD and its SDE against the exact Fokker–Planck law.
    public var choiceEtas: [Double]
    /// S, the same physical time s = kη at every η (S/η SGD iterations).
    public var choiceHorizon: Double
    public var choicePaths: Int
    public var choiceSDEPaths: Int
    public var seed: UInt64
    public var normals: NormalMethod?

    public init(problem: LearningProblemSpec, eta: Double, batches: [Int], scan: [Double] = [-3, 3], tableNodes: Int = 4097,
                sdeStep: Double = 0.02, sdePaths: Int = 2048, sgdPaths: Int = 2048, directBudget: Double = 2e5, censorFactor: Double = 40,
                splittingRuns: Int = 8, splittingReplicas: Int = 200, splittingCycles: Int = 2000, horizon: Double = 100, horizonPaths: Int = 4096,
                choiceEtas: [Double] = [0.1, 0.2, 0.4], choiceHorizon: Double = 200, choicePaths: Int = 4096, choiceSDEPaths: Int = 1024, seed: UInt64 = 1) {
        (self.problem, self.eta, self.batches, self.scan, self.tableNodes) = (problem, eta, batches, scan, tableNodes)
        (self.sdeStep, self.sdePaths, self.sgdPaths, self.directBudget, self.censorFactor) = (sdeStep, sdePaths, sgdPaths, directBudget, censorFactor)
        (self.splittingRuns, self.splittingReplicas, self.splittingCycles, self.horizon, self.horizonPaths, self.seed) = (splittingRuns, splittingReplicas, splittingCycles, horizon, horizonPaths, seed)
        (self.choiceEtas, self.choiceHorizon, self.choicePaths, self.choiceSDEPaths) = (choiceEtas, choiceHorizon, choicePaths, choiceSDEPaths)
    }

    /// The two-regime Welsch regression (`TwoRegimes`, M = 4096, one feature, no intercept):
    /// the sharp minimum is the global one and deeper, yet its quasi-potential is about half
    /// the flat one's, because the mini-batch noise is about ten times larger there.
    public static func standardProblem(samples: Int = 4096, seed: UInt64 = 1) -> LearningProblemSpec {
        LearningProblemSpec(source: .synthetic(samples: samples, features: 1, testSamples: 0, seed: seed), model: .welsch, batch: 1, intercept: false)
    }

    public static func standard(seed: UInt64 = 1) -> BatchSizeConfiguration {
        BatchSizeConfiguration(problem: standardProblem(), eta: 0.2, batches: [1, 2, 3, 4, 6, 8], seed: seed)
    }

    public func validate() throws {
        guard eta.isFinite, eta > 0, eta <= 10 else { throw BatchSizeError.invalid("η", "\(eta) (need 0 < η ≤ 10)") }
        guard !batches.isEmpty else { throw BatchSizeError.invalid("batch sizes", "give at least one m") }
        guard Set(batches).count == batches.count else { throw BatchSizeError.invalid("batch sizes", "\(batches) repeats a value") }
        for m in batches where m < 1 { throw BatchSizeError.invalid("batch size", "\(m) (need 1 ≤ m < M)") }
        guard scan.count == 2, scan.allSatisfy(\.isFinite), scan[0] < scan[1], scan.allSatisfy({ abs($0) <= 1e4 }) else {
            throw BatchSizeError.invalid("scan", "\(scan) (need lo < hi, both within ±10⁴)")
        }
        guard (101...1_000_001).contains(tableNodes) else { throw BatchSizeError.invalid("table nodes", "\(tableNodes) (need 101…1000001)") }
        guard sdeStep.isFinite, sdeStep > 0, sdeStep <= 1 else { throw BatchSizeError.invalid("SDE step h", "\(sdeStep) (need 0 < h ≤ 1)") }
        for (name, n) in [("SDE paths", sdePaths), ("SGD paths", sgdPaths), ("horizon paths", horizonPaths)] where !(0...(1 << 32)).contains(n) {
            throw BatchSizeError.invalid(name, "\(n) (need 0 ≤ N ≤ 2^32)")
        }
        guard directBudget.isFinite, directBudget >= 1 else { throw BatchSizeError.invalid("direct budget", "\(directBudget) (need ≥ 1 SGD iteration)") }
        guard censorFactor.isFinite, censorFactor >= 5 else { throw BatchSizeError.invalid("censor factor", "\(censorFactor) (need ≥ 5 × E T)") }
        guard (0...1000).contains(splittingRuns), (10...100_000).contains(splittingReplicas) else {
            throw BatchSizeError.invalid("splitting", "\(splittingRuns) runs of \(splittingReplicas) replicas (need 0…1000 runs of 10…100000)")
        }
        guard (10...10_000_000).contains(splittingCycles) else { throw BatchSizeError.invalid("splitting cycles", "\(splittingCycles) (need 10…10⁷)") }
        guard horizon.isFinite, horizon >= eta, (horizon / eta) <= 1e9 else {
            throw BatchSizeError.invalid("horizon S", "\(horizon) (need η ≤ S and S/η ≤ 10⁹ iterations)")
        }
        try validateChoice()
        if case .synthetic(let n, let p, _, _) = problem.source, p != 1 || problem.intercept {
            throw BatchSizeError.invalid("problem", "synthetic data with \(p) feature(s)\(problem.intercept ? " and an intercept" : "") has d = \(p + (problem.intercept ? 1 : 0)) parameters; batch-size takes a 1-D finite sum (1 feature, --no-intercept; M = \(n))")
        }
    }
}

extension BatchSizeConfiguration {
    /// The basin-choice grid's checks; an empty η list turns the grid off.
    func validateChoice() throws {
        guard Set(choiceEtas).count == choiceEtas.count else { throw BatchSizeError.invalid("choice η", "\(choiceEtas) repeats a value") }
        guard !choiceEtas.isEmpty else { return }
        for e in choiceEtas where !(e.isFinite && e > 0 && e <= 10) { throw BatchSizeError.invalid("choice η", "\(e) (need 0 < η ≤ 10)") }
        guard choiceHorizon.isFinite, choiceHorizon > 0 else { throw BatchSizeError.invalid("choice horizon S", "\(choiceHorizon) (need S > 0)") }
        for e in choiceEtas {
            let iterations = choiceHorizon / e, substeps = e / sdeStep
            guard abs(iterations - iterations.rounded()) <= 1e-9 * iterations, iterations >= 1, iterations <= 1e8 else {
                throw BatchSizeError.invalid("choice horizon S", "\(choiceHorizon) is not a whole number of SGD iterations of η = \(e) (1 ≤ S/η ≤ 10⁸)")
            }
            guard abs(substeps - substeps.rounded()) <= 1e-9 * substeps, substeps >= 1 else {
                throw BatchSizeError.invalid("SDE step h", "\(sdeStep) does not divide η = \(e) into a whole number of SDE steps")
            }
        }
        for (name, n) in [("choice SGD paths", choicePaths), ("choice SDE paths", choiceSDEPaths)] where !(0...(1 << 32)).contains(n) {
            throw BatchSizeError.invalid(name, "\(n) (need 0 ≤ N ≤ 2^32)")
        }
    }
}
