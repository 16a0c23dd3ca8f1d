import Dynamics
import FiniteSums
import Escape
import Foundation
import Numerics
import Problems
import Randomness

/// SGD on a one-parameter linear model (least squares or Welsch, one feature, no intercept),
/// the iteration of `SGDExitDynamics` over `FiniteSumLandscape` bit for bit (the same draws in
/// the same order, the same arithmetic), at a fraction of its cost: the generic path goes
/// through the model's per-sample interface for d of any size, this reads two arrays.
/// The batch-size study's exit ensembles take ~10¹⁰ iterations.
/// Sendable by hand: the pointers read immutable data that `storage` keeps alive.
public struct OneFeatureSGD: ExitDynamics, @unchecked Sendable {
    public typealias State = Double
    public let eta: Double
    /// m_k, read at every step as the generic `stochasticGradient` does.
    public let schedule: BatchSchedule
    public let seed: UInt64
    /// The data, copied once and read through pointers: an array read per step would retain
    /// and release its buffer atomically on every iteration.
    @usableFromInline let storage: Storage
    @usableFromInline let features: UnsafePointer<Double>
    @usableFromInline let targets: UnsafePointer<Double>
    @usableFromInline let count: Int
    /// The schedule's m when it is constant: reading an enum with array payloads per step costs.
    @usableFromInline let constantBatch: Int?
    @usableFromInline let loss: LinearModel.Loss
    @usableFromInline let l2: Double

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case unsupported(String)
        public var description: String {
            switch self { case .unsupported(let why): return why }
        }
    }

    /// - Throws: unless the problem is a linear least-squares or Welsch model of one parameter.
    public init(_ problem: FiniteSumProblem<LearningModel>, eta: Double, seed: UInt64) throws {
        guard case .linear(let model) = problem.model, model.featureCount == 1, model.loss == .welsch || model.loss == .leastSquares else {
            throw Failure.unsupported("the fast one-feature SGD takes a linear least-squares or Welsch model of one parameter")
        }
        (self.eta, self.schedule, self.seed, self.loss, self.l2) = (eta, problem.batchSchedule, seed, model.loss, problem.l2)
        if case .constant(let m) = problem.batchSchedule { constantBatch = m } else { constantBatch = nil }
        count = problem.data.count
        storage = Storage(problem.data.features + problem.data.targets)
        features = UnsafePointer(storage.pointer)
        targets = features + count
    }

    public var timeStep: Double { eta }
    public var usesAuxiliaryBits: Bool { false }
    public var usesDrivingNormals: Bool { false }

    public func advance(_ x: Double, path: Int, step k: Int, normals z: Double, auxiliary: UInt64) -> Double {
        var generator = PhiloxGenerator(seed: seed, stream: .sampling, path: path, offset: UInt64(k) << 24)
        let batch = constantBatch ?? schedule.batchSize(atStep: k)
        var sum = 0.0
        let welsch = loss == .welsch
        let a = features, y = targets
        BatchSampler.forEachIndex(size: batch, of: count, generator: &generator) { i in
            let u = 0 + a[i] * x
            let r = u - y[i]
            sum = sum + a[i] * (welsch ? r * exp(-r * r) : r)
        }
        let g = (1 / Double(batch)) * sum + l2 * x
        return x - eta * g
    }

    public func normalVariance(at x: Double, direction n: Double) -> Double? { nil }

    /// Owns the copied data for as long as any copy of the dynamics lives.
    @usableFromInline final class Storage: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<Double>
        init(_ values: [Double]) {
            pointer = .allocate(capacity: values.count)
            pointer.initialize(from: values, count: values.count)
        }
        deinit { pointer.deallocate() }
    }
}
