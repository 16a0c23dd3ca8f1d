import Dynamics
import FiniteSums
import Foundation
import Numerics
import Problems

/// The SDE of SGD under a batch schedule, on the Hermite table of F′ and Σ₀:
///
///     dX = −F′(X) ds + √(η c(s) Σ₀(X)) dB,   c(s) = 1/m(⌊s/η⌋) − 1/M,
///
/// the time-dependent covariance factor of Proposition 1 read from the same `BatchSchedule`
/// that drives SGD (the β(s) of §5). c is tabulated per SGD iteration once (the log rule costs
/// a log per call otherwise); beyond the table the last value holds.
public struct ScheduledDiffusion: DiffusionProcess {
    public typealias State = Double
    public let table: TabulatedLandscape1D
    public let eta: Double
    @usableFromInline let factors: [Double]

    public init(table: TabulatedLandscape1D, eta: Double, schedule: BatchSchedule, samples total: Int, iterations: Int) {
        (self.table, self.eta) = (table, eta)
        factors = (0..<max(1, iterations)).map { 1 / Double(schedule.batchSize(atStep: $0)) - 1 / Double(total) }
    }

    /// ⌊s/η⌋. The path loop calls at s = jη + i h (0 ≤ i < η/h): the 1e-9 guards against
    /// jη/η rounding to just below j, and is far below h/η, so no step is read from the next
    /// iteration.
    @inlinable func iteration(at time: Double) -> Int {
        let q = (time / eta + 1e-9).rounded(.down)
        return q <= 0 ? 0 : min(Int(q), factors.count - 1)
    }

    @inlinable public func covarianceFactor(at time: Double) -> Double { factors[iteration(at: time)] }

    @inlinable public func drift(at x: Double, time: Double) -> Double { -table.gradient(at: x) }

    @inlinable public func diffusion(at x: Double, time: Double) -> SquareMatrix<Double> {
        .scalar((eta * covarianceFactor(at: time) * table.sampleCovariance(at: x)).squareRoot())
    }

    @inlinable public func applyDiffusion(at x: Double, time: Double, _ dW: Double) -> Double {
        (eta * covarianceFactor(at: time) * table.sampleCovariance(at: x)).squareRoot() * dW
    }

    public var noiseStructure: NoiseStructure { .diagonal }
}
