import Foundation
import Problems
import Randomness

/// Why an annealing study cannot run, in one line.
public enum AnnealingError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)
    case landscape(String)

    public var description: String {
        switch self {
        case .invalid(let what, let why): return "\(what): \(why)"
        case .landscape(let why): return why
        }
    }
}

/// Proposition 2 (§5): P(X(s) ∈ A^ε) for dX = −∇F ds + √(γ/log(2+s)) dB against s, for several
/// γ around the critical 2d*, by Monte Carlo to `monteCarloHorizon` and by the 1-D
/// Fokker–Planck equation to `fokkerPlanckHorizon`.
public struct AnnealingConfiguration: Sendable, Equatable, Codable {
    /// A 1-D built-in landscape; its noise model is not used (the noise is the schedule's).
    public var problem: ProblemSpec
    public var gammas: [Double]
    /// ε of A^ε = {x : |x − a| < ε, a a global minimiser}.
    public var neighbourhood: Double
    /// Where minima are searched and the Fokker–Planck equation is solved (reflecting ends).
    public var domain: [Double]
    public var monteCarloHorizon: Double
    public var fokkerPlanckHorizon: Double
    /// Euler–Maruyama step of the Monte Carlo paths.
    public var step: Double
    public var paths: Int
    /// Fokker–Planck grid nodes and the ratio dt/s of its geometrically growing implicit steps.
    public var gridPoints: Int
    public var timeRatio: Double
    /// Output times per decade of s.
    public var timesPerDecade: Int
    public var seed: UInt64
    public var normals: NormalMethod?

    public init(problem: ProblemSpec, gammas: [Double], neighbourhood: Double = 0.3, domain: [Double] = [-3, 3],
                monteCarloHorizon: Double = 1000, fokkerPlanckHorizon: Double = 1e40, step: Double = 0.01, paths: Int = 4096,
                gridPoints: Int = 2000, timeRatio: Double = 0.01, timesPerDecade: Int = 4, seed: UInt64 = 1) {
        self.problem = problem
        self.gammas = gammas
        self.neighbourhood = neighbourhood
        self.domain = domain
        self.monteCarloHorizon = monteCarloHorizon
        self.fokkerPlanckHorizon = fokkerPlanckHorizon
        self.step = step
        self.paths = paths
        self.gridPoints = gridPoints
        self.timeRatio = timeRatio
        self.timesPerDecade = timesPerDecade
        self.seed = seed
    }

    /// The tilted double well F = x⁴/4 − x²/2 + 0.1x: global minimum near −1.047, trap near 0.946,
    /// d* ≈ 0.158, so 2d* ≈ 0.316; γ from half to twice that.
    public static func standard(seed: UInt64 = 1) throws -> AnnealingConfiguration {
        AnnealingConfiguration(problem: try ProblemSpec(name: "double-well", parameters: ["tilt": 0.1]),
                               gammas: [0.16, 0.24, 0.3, 0.34, 0.4, 0.48, 0.64], seed: seed)
    }

    /// The output times: `timesPerDecade` per decade from 0.1 up to the Fokker–Planck horizon,
    /// rounded to whole Monte Carlo steps where the paths reach (so both methods report at the
    /// same s).
    public var times: [Double] {
        var out: [Double] = []
        var k = -timesPerDecade
        while true {
            var s = pow(10, Double(k) / Double(timesPerDecade))
            if s > fokkerPlanckHorizon * (1 + 1e-12) { break }
            if s <= monteCarloHorizon { s = max(1, (s / step).rounded()) * step }
            if out.last.map({ s > $0 }) ?? true { out.append(s) }
            k += 1
        }
        return out
    }

    public var monteCarloTimes: [Double] { times.filter { $0 <= monteCarloHorizon * (1 + 1e-12) } }

    public func validate() throws {
        try problem.validate()
        guard problem.dimension == 1 else { throw AnnealingError.invalid("problem", "\(problem.name) has d = \(problem.dimension ?? 0); anneal takes a 1-D landscape") }
        guard !gammas.isEmpty else { throw AnnealingError.invalid("γ", "give at least one value") }
        for g in gammas { guard g.isFinite, g > 0 else { throw AnnealingError.invalid("γ", "\(g) (need γ > 0: the noise is √(γ/log(2+s)))") } }
        guard Set(gammas).count == gammas.count else { throw AnnealingError.invalid("γ", "\(gammas) repeats a value") }
        guard gammas.allSatisfy({ $0 <= 100 }) else { throw AnnealingError.invalid("γ", "\(gammas.max()!) (need γ ≤ 100)") }
        guard neighbourhood.isFinite, neighbourhood > 0 else { throw AnnealingError.invalid("ε", "\(neighbourhood) (need ε > 0 for the neighbourhood A^ε)") }
        guard domain.count == 2, domain.allSatisfy(\.isFinite), domain[0] < domain[1], abs(domain[0]) <= 1e3, abs(domain[1]) <= 1e3 else {
            throw AnnealingError.invalid("domain", "\(domain) (need lo < hi, both within ±1000)")
        }
        guard step.isFinite, step > 0, step <= 0.5 else { throw AnnealingError.invalid("step h", "\(step) (need 0 < h ≤ 0.5)") }
        guard monteCarloHorizon.isFinite, monteCarloHorizon >= 1 else {
            throw AnnealingError.invalid("Monte Carlo horizon", "\(monteCarloHorizon) (need s ≥ 1)")
        }
        guard monteCarloHorizon / step <= 2e9 else {
            throw AnnealingError.invalid("Monte Carlo horizon", "\(monteCarloHorizon) needs \(monteCarloHorizon / step) steps of h = \(step) per path (at most 2e9)")
        }
        guard fokkerPlanckHorizon.isFinite, fokkerPlanckHorizon >= monteCarloHorizon, fokkerPlanckHorizon <= 1e300 else {
            throw AnnealingError.invalid("Fokker–Planck horizon", "\(fokkerPlanckHorizon) (need Monte Carlo horizon ≤ s ≤ 1e300)")
        }
        guard (2...(1 << 32)).contains(paths) else { throw AnnealingError.invalid("paths N", "\(paths) (need 2 ≤ N ≤ 2^32)") }
        guard (100...1_000_000).contains(gridPoints) else { throw AnnealingError.invalid("grid points", "\(gridPoints) (need 100...1000000)") }
        guard timeRatio.isFinite, timeRatio > 0, timeRatio <= 0.5 else { throw AnnealingError.invalid("time ratio dt/s", "\(timeRatio) (need 0 < q ≤ 0.5)") }
        guard (1...20).contains(timesPerDecade) else { throw AnnealingError.invalid("times per decade", "\(timesPerDecade) (need 1...20)") }
        // the checks that need F: two minima, one of them not global, A^ε clear of the others
        _ = try AnnealingStudy.landscape(self)
    }
}
