import Foundation
import Randomness

/// Why a momentum study cannot run, in one line.
public enum MomentumError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)
    public var description: String {
        switch self { case .invalid(let what, let why): return "\(what): \(why)" }
    }
}

/// Heavy-ball SGD against plain SGD at the matched effective step η_eff = η/(1 − β), with the
/// underdamped SDE beside it (the remark after Theorem 2 leaves momentum "for future research"):
///
/// - saddle: F = (−γ₁x² + λy²)/2, S = σI, from the saddle out of the ball of radius R, over a grid
///   of η and β (Theorem 3's log(1/η) law, and heavy ball's own linear law);
/// - minimum: the double well F = x⁴/4 − x²/2 (barrier ¼), S = σI, from x = −1 to the other
///   minimum x = +1 over a grid of η_eff and β (Kramers' inertial factor).
public struct MomentumConfiguration: Sendable, Equatable, Codable {
    public var gamma1: Double
    public var lambda: Double
    public var radius: Double
    public var sigma: Double
    /// Heavy-ball η at the saddle (plain SGD runs at η/(1 − β)).
    public var saddleEtas: [Double]
    /// Effective steps η_eff at the minimum (heavy ball runs at η = η_eff(1 − β)).
    public var minimumEtas: [Double]
    /// Momenta β > 0 beside β = 0 (plain SGD); the saddle also runs β = 0 itself.
    public var betas: [Double]
    /// Where the minimum's paths stop: the first time x ≥ target (the other minimum: past the
    /// barrier, so recrossings of the top are part of the time, as in Kramers' rate).
    public var target: Double
    public var saddlePaths: Int
    public var minimumPaths: Int
    /// The SDE step as a fraction of the velocity relaxation time m/(1 − β).
    public var stepFraction: Double
    /// Censoring limit in effective time.
    public var maxTime: Double
    public var seed: UInt64
    public var normals: NormalMethod?

    public init(gamma1: Double = 1, lambda: Double = 1, radius: Double = 1, sigma: Double = 1, saddleEtas: [Double] = [1e-2, 3e-3, 1e-3, 3e-4],
                minimumEtas: [Double] = [0.25, 0.2, 0.15], betas: [Double] = [0.5, 0.9], target: Double = 1, saddlePaths: Int = 2000,
                minimumPaths: Int = 2000, stepFraction: Double = 0.2, maxTime: Double = 1e5, seed: UInt64 = 1) {
        (self.gamma1, self.lambda, self.radius, self.sigma) = (gamma1, lambda, radius, sigma)
        (self.saddleEtas, self.minimumEtas, self.betas, self.target) = (saddleEtas, minimumEtas, betas, target)
        (self.saddlePaths, self.minimumPaths, self.stepFraction, self.maxTime, self.seed) = (saddlePaths, minimumPaths, stepFraction, maxTime, seed)
    }

    /// β = 0 first, then the momenta.
    public var allBetas: [Double] { [0] + betas }

    public func validate() throws {
        for (name, value) in [("γ₁", gamma1), ("λ", lambda), ("radius R", radius), ("σ", sigma)] where !(value > 0 && value.isFinite) {
            throw MomentumError.invalid(name, "\(value) (must be positive and finite)")
        }
        guard !saddleEtas.isEmpty || !minimumEtas.isEmpty else { throw MomentumError.invalid("η", "both grids are empty (give --saddle-etas or --minimum-etas)") }
        guard !betas.isEmpty else { throw MomentumError.invalid("β", "the list is empty (give at least one momentum)") }
        for beta in betas where !(beta > 0 && beta < 1) {
            throw MomentumError.invalid("β", "\(beta) (need 0 < β < 1; β = 0, plain SGD, is always run)")
        }
        for (name, grid) in [("saddle η", saddleEtas), ("minimum η_eff", minimumEtas), ("β", betas)] where Set(grid).count != grid.count {
            throw MomentumError.invalid(name, "\(grid) repeats a value")
        }
        for eta in saddleEtas where !(eta > 0 && eta < 0.5) { throw MomentumError.invalid("saddle η", "\(eta) (need 0 < η < 0.5)") }
        for eta in minimumEtas where !(eta > 0 && eta <= 0.5) {
            throw MomentumError.invalid("minimum η_eff", "\(eta) (need 0 < η_eff ≤ 0.5; beyond it SGD on the well's walls is unstable)")
        }
        guard saddleEtas.count != 1 else { throw MomentumError.invalid("saddle η", "\(saddleEtas) (need at least two values to fit a slope, or none)") }
        guard target > 0, target.isFinite else { throw MomentumError.invalid("target", "\(target) (need a point past the barrier x = 0)") }
        for (name, n) in [("saddle paths", saddlePaths), ("minimum paths", minimumPaths)] where !(2...(1 << 32)).contains(n) {
            throw MomentumError.invalid(name, "\(n) (need 2 ≤ N ≤ 2^32)")
        }
        guard stepFraction > 0, stepFraction <= 1 else { throw MomentumError.invalid("SDE step fraction", "\(stepFraction) (need 0 < f ≤ 1 of m/(1 − β))") }
        guard maxTime > 0, maxTime.isFinite else { throw MomentumError.invalid("time limit", "\(maxTime) (must be positive and finite)") }
        // the finest step of any row bounds the steps per path
        let smallest = (saddleEtas + minimumEtas.flatMap { e in allBetas.map { e * (1 - $0) } }).min() ?? 1
        let finest = stepFraction * smallest / 2
        guard maxTime / finest <= Double(1 << 40) else {
            throw MomentumError.invalid("time limit", "\(maxTime): up to \(maxTime / finest) SDE steps per path (at most 2^40); lower --max-time")
        }
    }

    /// The SDE step for heavy ball at (η, β): a fraction of the relaxation time η(1 + β)/(2(1 − β)).
    public func sdeStep(eta: Double, beta: Double) -> Double { stepFraction * eta * (1 + beta) / (2 * (1 - beta)) }
}
