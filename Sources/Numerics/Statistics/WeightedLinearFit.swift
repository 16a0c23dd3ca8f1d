/// Weighted least-squares fit of y = intercept + slope x with known standard errors σ_i.
///
/// Used to fit log e(η) against log η: σ_i is the delta-method error of log e_i, i.e.
/// se(e_i) / e_i. The slope's standard error is sqrt(1 / S_xx) with S_xx = Σ w_i (x_i - x̄_w)²,
/// w_i = 1/σ_i². If the points scatter more than their error bars allow (χ²/ν > 1) the error
/// is inflated by sqrt(χ²/ν) (the Birge ratio) and the interval uses Student's t with ν = n - 2
/// degrees of freedom; otherwise the errors are taken as known and the normal quantile is used.
public struct WeightedLinearFit: Sendable, Equatable, Codable {
    public var slope: Double
    public var intercept: Double
    public var slopeStandardError: Double
    public var interceptStandardError: Double
    public var chiSquared: Double
    public var degreesOfFreedom: Int
    /// sqrt(χ²/ν) when > 1, else 1.
    public var birgeRatio: Double
    public var slopeInterval: ClosedRange<Double>
    public var level: Double

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case tooFewPoints(Int)
        case nonPositiveError(index: Int)
        case degenerateAbscissae
        case nonFinite(index: Int)

        public var description: String {
            switch self {
            case .tooFewPoints(let n): return "a line fit needs at least 2 points, got \(n)"
            case .nonPositiveError(let i): return "point \(i) has a non-positive standard error"
            case .degenerateAbscissae: return "all abscissae are equal; the slope is undefined"
            case .nonFinite(let i): return "point \(i) is not finite"
            }
        }
    }

    public init(x: [Double], y: [Double], standardErrors sigma: [Double], level: Double = 0.95) throws {
        precondition(x.count == y.count && y.count == sigma.count, "x, y and σ must have equal length")
        let n = x.count
        guard n >= 2 else { throw Failure.tooFewPoints(n) }
        for i in 0..<n {
            guard x[i].isFinite, y[i].isFinite else { throw Failure.nonFinite(index: i) }
            guard sigma[i] > 0, sigma[i].isFinite else { throw Failure.nonPositiveError(index: i) }
        }
        let w = sigma.map { 1 / ($0 * $0) }
        let sw = w.reduce(0, +)
        let xm = zip(w, x).map(*).reduce(0, +) / sw
        let ym = zip(w, y).map(*).reduce(0, +) / sw
        var sxx = 0.0, sxy = 0.0
        for i in 0..<n {
            sxx += w[i] * (x[i] - xm) * (x[i] - xm)
            sxy += w[i] * (x[i] - xm) * (y[i] - ym)
        }
        guard sxx > 0 else { throw Failure.degenerateAbscissae }
        slope = sxy / sxx
        intercept = ym - slope * xm
        var chi2 = 0.0
        for i in 0..<n {
            let r = y[i] - intercept - slope * x[i]
            chi2 += w[i] * r * r
        }
        chiSquared = chi2
        degreesOfFreedom = n - 2
        let ratio = degreesOfFreedom > 0 ? (chi2 / Double(degreesOfFreedom)).squareRoot() : 1
        birgeRatio = max(1, ratio)
        slopeStandardError = (1 / sxx).squareRoot() * birgeRatio
        interceptStandardError = (1 / sw + xm * xm / sxx).squareRoot() * birgeRatio
        let quantile = birgeRatio > 1
            ? Distributions.studentTQuantile(0.5 + level / 2, degreesOfFreedom: Double(degreesOfFreedom))
            : Distributions.normalQuantile(0.5 + level / 2)
        slopeInterval = boundedInterval(slope - quantile * slopeStandardError, slope + quantile * slopeStandardError)
        self.level = level
    }

    /// Probability of a χ² at least this large if the line and the error bars were right.
    public var goodnessOfFitPValue: Double {
        degreesOfFreedom > 0 ? 1 - Distributions.chiSquaredCDF(chiSquared, degreesOfFreedom: Double(degreesOfFreedom)) : 1
    }
}
