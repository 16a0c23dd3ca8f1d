import Escape
import Foundation
import Numerics

/// The minima and barriers of a 1-D landscape on [lo, hi], and the critical depth d* of
/// Hajek's theorem, found from F and F′ alone.
public struct AnnealingLandscape: Sendable, Codable, Equatable {
    public struct Critical: Sendable, Codable, Equatable {
        public var x: Double
        public var value: Double
        /// "minimum" or "maximum".
        public var kind: String
        /// For a minimum that is not global: the height to climb to reach lower ground (Hajek's
        /// depth); nil for a global one.
        public var depth: Double?
        /// For such a minimum, the maximum that sets its depth.
        public var barrierAt: Double?
    }

    public var critical: [Critical]
    /// F at the global minimisers (within `globalTolerance` of the lowest value).
    public var globalValue: Double
    public var globalMinimisers: [Double]
    /// The non-global minimum of largest depth: the trap paths start in.
    public var trap: Double
    /// d* = max depth of a non-global basin, from the critical values (exact in 1-D).
    public var criticalDepth: Double
    /// The maximum that sets d*.
    public var barrier: Double

    /// Two minima whose values differ by less than this are both global.
    public static let globalTolerance = 1e-9

    public var minima: [Double] { critical.filter { $0.kind == "minimum" }.map(\.x) }

    /// - Throws: `AnnealingError` when there are not two minima, or no minimum above the lowest.
    public static func analyse(value: (Double) -> Double, gradient: (Double) -> Double, lo: Double, hi: Double,
                               scanPoints: Int = 20_000) throws -> AnnealingLandscape {
        // sign changes of F′ on a fine scan, refined by bisection to machine precision
        var critical = CriticalPoints1D.scan(gradient: gradient, lo: lo, hi: hi, points: scanPoints).map {
            Critical(x: $0.x, value: value($0.x), kind: $0.isMinimum ? "minimum" : "maximum")
        }
        let minima = critical.indices.filter { critical[$0].kind == "minimum" }
        let found = minima.map { String(format: "%.6g", critical[$0].x) }.joined(separator: ", ")
        guard minima.count >= 2 else {
            throw AnnealingError.landscape(minima.isEmpty ? "no minimum found on [\(lo), \(hi)]"
                : "only one minimum found on [\(lo), \(hi)], at x = \(found): annealing needs a non-global minimum to escape from")
        }
        let lowest = minima.map { critical[$0].value }.min()!
        let global = minima.filter { critical[$0].value <= lowest + globalTolerance }
        guard global.count < minima.count else {
            throw AnnealingError.landscape("minima at x = \(found) all have F = \(String(format: "%.6g", lowest)) (all global): there is no trap; tilt the landscape (e.g. --param tilt=0.1)")
        }
        // Hajek's depth: the least height over F(x_i) of a path to a strictly lower point; in 1-D
        // walk each way, keeping the highest maximum passed, until a lower minimum appears
        for i in minima where !global.contains(i) {
            var best = Double.infinity, at: Double?
            for direction in [-1, 1] {
                var j = i + direction, highest = -Double.infinity, highestAt = 0.0
                while j >= 0 && j < critical.count {
                    let c = critical[j]
                    if c.kind == "maximum", c.value > highest { (highest, highestAt) = (c.value, c.x) }
                    if c.kind == "minimum", c.value < critical[i].value { break }
                    j += direction
                }
                if j >= 0 && j < critical.count, highest - critical[i].value < best { (best, at) = (highest - critical[i].value, highestAt) }
            }
            critical[i].depth = best
            critical[i].barrierAt = at
        }
        let deepest = minima.filter { !global.contains($0) }.max { critical[$0].depth! < critical[$1].depth! }!
        return AnnealingLandscape(critical: critical, globalValue: lowest, globalMinimisers: global.map { critical[$0].x },
                                  trap: critical[deepest].x, criticalDepth: critical[deepest].depth!, barrier: critical[deepest].barrierAt!)
    }

    /// d* again, by the geometric minimum action method: the Freidlin–Wentzell quasi-potential
    /// from the trap to its barrier is V = 2(F(barrier) − F(trap)) for unit diffusion, so
    /// d* = V/2. Independent of `analyse` except for the two end points.
    public static func minimumActionDepth(gradient: @escaping (Double) -> Double, from trap: Double, to barrier: Double) -> Double {
        let path = MinimumAction.minimize(from: trap, to: barrier, drift: { -gradient($0) }, diffusion: { _ in .scalar(1) }, segments: 200)
        return path.action / 2
    }
}
