/// Count, mean and variance of a stream of observations, accumulated exactly.
///
/// Sums of (x - shift) and (x - shift)^2 are kept in `ExactSum`s, so merging accumulators from
/// different threads, shards or resumed runs gives bitwise the same estimates as one pass. The
/// fixed `shift` (pick a value near the mean, e.g. the observable at the initial state) keeps the
/// variance formula free of cancellation. Non-finite observations are counted, never averaged.
public struct MomentAccumulator: Sendable, Equatable, Codable {
    public let shift: Double
    public private(set) var count: Int = 0
    @usableFromInline var sum = ExactSum()
    @usableFromInline var sumOfSquares = ExactSum()
    public private(set) var nonFinite: Int = 0

    public init(shift: Double = 0) { self.shift = shift }

    public mutating func add(_ x: Double) {
        guard x.isFinite else {
            nonFinite += 1
            return
        }
        let y = x - shift
        guard y.isFinite else {
            nonFinite += 1
            return
        }
        count += 1
        sum.add(y)
        sumOfSquares.add(y * y)
    }

    public mutating func merge(_ other: MomentAccumulator) {
        precondition(other.shift == shift, "cannot merge accumulators with different shifts")
        count += other.count
        nonFinite += other.nonFinite
        sum.merge(other.sum)
        sumOfSquares.merge(other.sumOfSquares)
    }

    /// What a decoded accumulator must satisfy before it is merged or read (files can be damaged).
    public var isWellFormed: Bool {
        shift.isFinite && count >= 0 && nonFinite >= 0 && sum.isWellFormed && sumOfSquares.isWellFormed
    }

    public var mean: Double { count > 0 ? shift + sum.value / Double(count) : .nan }

    /// Unbiased sample variance; +∞ when the spread overflows a double (a square beyond
    /// 1.8e308 is not added to the exact sum, and an infinite sum minus an infinite square is
    /// NaN, which `max(0, _)` would turn into a variance of 0).
    public var variance: Double {
        guard count > 1 else { return .nan }
        guard sumOfSquares.nonFinite == 0 else { return .infinity }
        let n = Double(count)
        let s = sum.value
        let v = (sumOfSquares.value - s * s / n) / (n - 1)
        if v.isFinite { return max(0, v) }
        // s * s alone may overflow where s²/n does not
        let rescaled = (sumOfSquares.value - s * (s / n)) / (n - 1)
        return rescaled.isFinite ? max(0, rescaled) : .infinity
    }

    public var standardDeviation: Double { variance.squareRoot() }
    /// Monte Carlo standard error of the mean, sqrt(variance / n).
    public var standardError: Double { count > 1 ? (variance / Double(count)).squareRoot() : .nan }

    public var estimate: Estimate { Estimate(mean: mean, standardError: standardError, count: count) }
}

/// A Monte Carlo estimate: mean and its standard error from `count` samples.
public struct Estimate: Sendable, Equatable, Codable {
    public var mean: Double
    public var standardError: Double
    public var count: Int

    public init(mean: Double, standardError: Double, count: Int) {
        self.mean = mean
        self.standardError = standardError
        self.count = count
    }

    /// Mean and standard error of a small finished sample (seeds, probe draws), by two passes so
    /// that a spread far below the mean keeps its digits; needs at least two values.
    public init(sample values: [Double]) {
        precondition(values.count > 1, "a standard error needs at least two values")
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        self.init(mean: mean, standardError: (variance / Double(values.count)).squareRoot(), count: values.count)
    }

    /// Two-sided confidence interval at `level` (normal approximation, valid for the large
    /// counts used here; Student-t for fewer than 30 samples).
    public func confidenceInterval(level: Double = 0.95) -> ClosedRange<Double> {
        let z = count >= 30 ? Distributions.normalQuantile(0.5 + level / 2)
                            : Distributions.studentTQuantile(0.5 + level / 2, degreesOfFreedom: Double(max(count - 1, 1)))
        let half = z * standardError
        return boundedInterval(mean - half, mean + half)
    }

    /// (mean - reference) / standardError.
    public func zScore(against reference: Double) -> Double { (mean - reference) / standardError }
}

/// lower...upper, or the whole line when a bound is NaN (an estimate that is not a number has
/// no interval, and a ClosedRange with a NaN bound traps).
@inlinable
public func boundedInterval(_ lower: Double, _ upper: Double) -> ClosedRange<Double> {
    lower <= upper ? lower...upper : -Double.infinity...Double.infinity
}
