import Ensembles
import Foundation
import Numerics

/// What an exit ensemble accumulates per exited path.
public enum ExitObservable: Int, TallyObservable {
    /// Exit time (steps × time step).
    case time
    /// Steps to exit.
    case steps
    /// |cos| of the angle between x_exit − center and the reference direction.
    case alignment

    public var name: String {
        switch self {
        case .time: "T"
        case .steps: "N"
        case .alignment: "alignment"
        }
    }

    public var shift: Double { self == .alignment ? 1 : 0 }
}

/// How one path of an exit ensemble ended; an exited path also counts its direction.
public enum ExitOutcome: TallyEvent, Hashable {
    case exited
    /// Still inside at `maxSteps`.
    case censored
    /// The side of an interval it left by (1-D).
    case side(ExitSide)
    /// Its bin of the exit angle (d ≥ 2), 0..<`ExitStatistics.angleBins`.
    case angle(Int)

    public var key: String {
        switch self {
        case .exited: "exited"
        case .censored: "censored"
        case .side(let s): "side-\(s.rawValue)"
        case .angle(let k): "angle-\(k)"
        }
    }
}

public enum ExitSide: String, Sendable, Hashable {
    case lower, upper
}

/// An exit ensemble's tally read back as what it means.
public struct ExitStatistics: Sendable {
    public static let angleBins = 36
    public let exited: Int
    public let censored: Int
    /// Over exited paths.
    public let time: MomentAccumulator
    public let steps: MomentAccumulator
    public let alignment: MomentAccumulator
    /// Counts per side, [lower, upper] (1-D).
    public let sides: [Int]
    /// Counts per bin of the exit angle over (−π, π] (d ≥ 2).
    public let angles: [Int]

    public init(_ tally: Tally) {
        exited = tally.count(of: ExitOutcome.exited)
        censored = tally.count(of: ExitOutcome.censored)
        time = tally[ExitObservable.time]
        steps = tally[ExitObservable.steps]
        alignment = tally[ExitObservable.alignment]
        sides = [tally.count(of: ExitOutcome.side(.lower)), tally.count(of: ExitOutcome.side(.upper))]
        angles = (0..<Self.angleBins).map { tally.count(of: ExitOutcome.angle($0)) }
    }

    /// The exit-direction histogram of a `dimension`-dimensional ensemble.
    public func histogram(dimension: Int) -> [Int] { dimension == 1 ? sides : angles }
}

/// The Brownian-bridge exit test (Gobet, "Weak approximation of killed diffusion using Euler
/// schemes", SPA 87, 2000): with both grid points inside at distances d₀, d₁ from the nearest
/// boundary, the path crossed it in between with probability exp(−2 d₀ d₁ / (σ_n² h)),
/// σ_n² = nᵀ a(x) n. Without it, E T is biased upwards by O(√h); with it, by O(h).
public enum BrownianBridge {
    @inlinable
    public static func crossingProbability(inside d0: Double, _ d1: Double, normalVariance: Double, step: Double) -> Double {
        exp(-2 * d0 * d1 / (normalVariance * step))
    }
}
