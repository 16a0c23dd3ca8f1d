/// The critical points of a 1-D function on [lo, hi]: sign changes of F′ on a uniform scan,
/// each refined by bisection to machine precision.
public enum CriticalPoints1D {
    public struct Point: Sendable, Equatable {
        public var x: Double
        /// F′ goes from negative to positive: a minimum (else a maximum).
        public var isMinimum: Bool
    }

    public static func scan(gradient: (Double) -> Double, lo: Double, hi: Double, points: Int) -> [Point] {
        var found: [Point] = []
        let h = (hi - lo) / Double(points)
        var xPrev = lo, gPrev = gradient(lo)
        for i in 1...points {
            let x = lo + Double(i) * h, g = gradient(x)
            if (gPrev < 0) != (g < 0) || g == 0 {
                var a = xPrev, b = x
                let rising = gPrev < 0
                for _ in 0..<200 {
                    let m = 0.5 * (a + b)
                    guard m > a && m < b else { break }
                    if (gradient(m) < 0) == rising { a = m } else { b = m }
                }
                let root = 0.5 * (a + b)
                if found.last.map({ abs($0.x - root) > 1e-9 }) ?? true { found.append(Point(x: root, isMinimum: rising)) }
            }
            (xPrev, gPrev) = (x, g)
        }
        return found
    }
}
