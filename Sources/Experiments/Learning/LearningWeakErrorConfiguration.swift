import FiniteSums
import Foundation
import Numerics
import Randomness

/// Theorem 1 on a learning problem: E φ(x_k) of SGD against E φ(X(kη)) of SME-1 and SME-2,
/// simulated exactly (weighted-gradient noise), and SVAG beside them.
public struct LearningWeakErrorConfiguration: Codable, Equatable, Sendable {
    public var problem: LearningProblemSpec
    public var etas: [Double]
    /// T: every run stops at SGD iteration T/η.
    public var horizon: Double
    public var paths: Int
    /// r: the SDE takes 2r Euler–Maruyama steps per SGD step (h = η/(2r)), and r steps of 2h
    /// for the Richardson extrapolation 2E_h − E_2h that removes its O(h) bias.
    public var substeps: Int
    /// SVAG levels l ≥ 2 (l = 1 is SGD itself); each must divide 2r so that SVAG's steps fall on
    /// the SDE's grid and its first batch can be coupled to the SDE's normals.
    public var svagLevels: [Int]
    public var seed: UInt64
    public var normals: NormalMethod?

    public init(problem: LearningProblemSpec, etas: [Double], horizon: Double = 1, paths: Int, substeps: Int = 2, svagLevels: [Int] = [2, 4],
                seed: UInt64 = 1, normals: NormalMethod? = nil) {
        (self.problem, self.etas, self.horizon, self.paths, self.substeps, self.svagLevels, self.seed, self.normals) =
            (problem, etas, horizon, paths, substeps, svagLevels, seed, normals)
    }

    public static let observables = ["train-loss", "test-loss", "distance"]
    public static func formula(_ observable: String) -> String {
        switch observable {
        case "train-loss": return "F(x) (training loss)"
        case "test-loss": return "test loss"
        default: return "|x − x₀|²"
        }
    }

    public func steps(at eta: Double) -> Int { max(1, Int((horizon / eta).rounded())) }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case invalid(String)
        public var description: String { if case .invalid(let s) = self { return s }; return "" }
    }

    public func validate() throws {
        guard !etas.isEmpty else { throw Failure.invalid("--etas needs at least one step size") }
        guard etas.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw Failure.invalid("every η must be positive and finite, got \(etas)") }
        guard Set(etas).count == etas.count else { throw Failure.invalid("--etas has duplicate entries: \(etas)") }
        guard horizon > 0, horizon.isFinite else { throw Failure.invalid("the horizon T must be positive and finite, got \(horizon)") }
        for eta in etas where horizon / eta > 1e6 {
            throw Failure.invalid("η = \(eta) needs \(horizon / eta) SGD steps to reach T = \(horizon); the limit is 10⁶")
        }
        for eta in etas {
            let k = horizon / eta
            guard k >= 1, abs(k - k.rounded()) <= 1e-9 * k else {
                throw Failure.invalid("T/η must be a whole number of SGD steps, got T/η = \(k) for η = \(eta) (T = \(horizon))")
            }
        }
        for eta in etas {
            do { _ = try problem.schedule?.schedule(eta: eta) } catch { throw Failure.invalid("\(error)") }
        }
        guard paths >= 2 else { throw Failure.invalid("--paths must be at least 2 (a standard error needs two samples), got \(paths)") }
        guard paths <= 1 << 28 else { throw Failure.invalid("--paths \(paths) is above the limit 2^28") }
        guard (1...64).contains(substeps) else { throw Failure.invalid("--substeps must lie in 1…64, got \(substeps)") }
        for l in svagLevels {
            guard l >= 2, (2 * substeps) % l == 0 else {
                throw Failure.invalid("SVAG level \(l) must be at least 2 and divide 2r = \(2 * substeps) (raise --substeps)")
            }
        }
        guard Set(svagLevels).count == svagLevels.count else { throw Failure.invalid("--svag has duplicate levels: \(svagLevels)") }
    }
}

/// One η and one observable.
public struct LearningWeakErrorRow: Sendable, Codable, Equatable {
    public var observable: String
    public var eta: Double
    public var steps: Int
    public var paths: Int
    public var sgd: Estimate
    /// Richardson-extrapolated SDE values 2E_h − E_2h.
    public var sme1: Estimate
    public var sme2: Estimate
    /// E φ(SGD) − E φ(SME-p), p = 1, 2 (signed).
    public var error1: Estimate
    public var error2: Estimate
    /// E_2h − E_h: the O(h) bias the extrapolation removed from the fine SDE solution.
    public var correction1: Estimate
    public var correction2: Estimate
    /// SVAG at each level l (1 is SGD): E φ and its gap to SME-1.
    public var svag: [SVAGPoint]
    public var divergedSGD: Int
    public var divergedSDE: Int

    public struct SVAGPoint: Sendable, Codable, Equatable {
        public var level: Int
        public var value: Estimate
        public var gap: Estimate
    }
}

/// The fitted order of SME-p's weak error for one observable.
public struct LearningOrderFit: Sendable, Codable, Equatable {
    public var observable: String
    public var approximation: Int
    public var theory: Double
    public var slope: Double?
    public var standardError: Double?
    public var interval: [Double]?
    public var etas: [Double]
    public var excluded: [String]
    public var tolerance: Double
    public var verdict: Verdict
}

/// log |gap| against log l at one η: Li, Malladi & Arora predict slope −1.
public struct SVAGFit: Sendable, Codable, Equatable {
    public var observable: String
    public var eta: Double
    public var slope: Double?
    public var interval: [Double]?
    public var levels: [Int]
    public var excluded: [String]
    public var verdict: Verdict
}

public struct LearningWeakErrorResult: Sendable, Codable {
    public var schema = "sgdiff.learning-weak-error/1"
    public var software: SoftwareInfo
    public var configuration: LearningWeakErrorConfiguration
    /// M, d and where the data came from, as built.
    public var samples: Int
    public var dimension: Int
    public var testSamples: Int
    public var dataSource: String
    public var rows: [LearningWeakErrorRow]
    public var fits: [LearningOrderFit]
    public var svagFits: [SVAGFit]
    public var verdict: Verdict
    public var wallSeconds: Double
}
