import Foundation
import Numerics
import Randomness
import Testing
import TestSupport
@testable import Problems

@Suite struct MiniBatchTests {
    static func problem(count: Int, batch: Int) throws -> LeastSquares<Point2> {
        try LeastSquares<Point2>.synthetic(count: count, truth: Point2(1, -0.5), noise: 0.4, seed: 11, batchSchedule: .constant(batch))
    }

    static func subsets(_ n: Int, _ k: Int) -> [[Int]] {
        if k == 0 { return [[]] }
        if n < k { return [] }
        return subsets(n - 1, k) + subsets(n - 1, k - 1).map { $0 + [n - 1] }
    }

    /// Proposition 1 by exact enumeration of all C(M, m) batches: the batch gradient is unbiased
    /// and its covariance is (1/m - 1/M) Σ₀, to rounding.
    @Test(arguments: [(7, 1), (7, 3), (8, 5), (6, 6)])
    func propositionOneByEnumeration(count: Int, batch: Int) throws {
        let p = try Self.problem(count: count, batch: batch)
        let x = Point2(0.3, 0.8)
        let all = Self.subsets(count, batch)
        var mean = Point2.zero
        var second = SquareMatrix<Point2>()
        for subset in all {
            var g = Point2.zero
            for i in subset { g = g + p.sampleGradient(i, at: x) }
            g = (1 / Double(batch)) * g
            mean = mean + g
            second = second + SquareMatrix.outer(g, g)
        }
        mean = (1 / Double(all.count)) * mean
        let covariance = (1 / Double(all.count)) * second - SquareMatrix.outer(mean, mean)
        let gradient = p.gradient(at: x)
        #expect(isClose(mean.x, gradient.x, relative: 1e-13, absolute: 1e-14) && isClose(mean.y, gradient.y, relative: 1e-13, absolute: 1e-14))
        let sigma = p.noiseCovariance(at: x, step: 0)
        for i in 0..<2 { for j in 0..<2 { #expect(isClose(covariance[i, j], sigma[i, j], relative: 1e-11, absolute: 1e-13)) } }
        if batch == count { #expect(abs(sigma[0, 0]) < 1e-15) }
    }

    /// Floyd's sampler: every one of the C(6, 3) = 20 subsets equally likely (χ² with 19 degrees
    /// of freedom over 100 000 draws; the 99.99% point is 47.0).
    @Test func batchesAreUniformOverSubsets() throws {
        let p = try Self.problem(count: 6, batch: 3)
        var counts: [Int: Int] = [:]
        var g = PhiloxGenerator(seed: 5, stream: .sampling, path: 0)
        for _ in 0..<100_000 {
            var mask = 0
            var distinct = true
            p.forEachBatchIndex(size: 3, generator: &g) { i in
                if mask & (1 << i) != 0 { distinct = false }
                mask |= 1 << i
            }
            #expect(distinct)
            counts[mask, default: 0] += 1
        }
        #expect(counts.count == 20)
        let expected = 100_000.0 / 20
        let chi2 = counts.values.reduce(0.0) { $0 + pow(Double($1) - expected, 2) / expected }
        #expect(chi2 < 47.0, "χ² = \(chi2)")
    }

    @Test func stochasticGradientIsTheBatchMean() throws {
        let p = try Self.problem(count: 10, batch: 4)
        var g1 = PhiloxGenerator(seed: 9, stream: .sampling, path: 3, offset: 7)
        var g2 = g1
        let x = Point2(-0.2, 0.5)
        var indices: [Int] = []
        p.forEachBatchIndex(size: 4, generator: &g2) { indices.append($0) }
        let expected = (1.0 / 4) * indices.reduce(Point2.zero) { $0 + p.sampleGradient($1, at: x) }
        let sample = p.stochasticGradient(at: x, step: 0, driving: .zero, generator: &g1)
        #expect(sample == expected)
    }

    @Test func badDatasetsAndBatchesAreRejected() {
        #expect(throws: LeastSquares<Point2>.Failure.batch(.batchTooLarge(11, datasetSize: 10))) {
            try Self.problem(count: 10, batch: 11)
        }
        #expect(throws: LeastSquares<Point2>.Failure.batch(.batchTooSmall(0))) { try Self.problem(count: 10, batch: 0) }
        #expect(throws: LeastSquares<Point2>.Failure.emptyDataset) {
            try LeastSquares<Point2>(inputs: [Point2(1, 1)], targets: [1], batchSchedule: .constant(1))
        }
        #expect(throws: LeastSquares<Point2>.Failure.nonFiniteData(row: 1)) {
            try LeastSquares<Point2>(inputs: [Point2(1, 1), Point2(.nan, 0)], targets: [1, 2], batchSchedule: .constant(1))
        }
        #expect(throws: LeastSquares<Point2>.Failure.mismatchedCounts(inputs: 2, targets: 1)) {
            try LeastSquares<Point2>(inputs: [Point2(1, 1), Point2(0, 0)], targets: [1], batchSchedule: .constant(1))
        }
    }

    @Test func schedules() throws {
        #expect(BatchSchedule.constant(8).batchSize(atStep: 1000) == 8)
        let piecewise = BatchSchedule.piecewise(boundaries: [10, 20], sizes: [4, 8, 16])
        #expect([0, 9, 10, 19, 20, 99].map(piecewise.batchSize(atStep:)) == [4, 4, 8, 8, 16, 16])
        let log = BatchSchedule.logarithmic(c: 1, eta: 0.1, maximum: 64, minimum: 2)
        #expect(log.batchSize(atStep: 0) == Int((1 * Foundation.log(2.0) / 0.1).rounded(.down)))
        #expect(log.batchSize(atStep: 1_000_000) == 64)
        #expect(throws: BatchSchedule.Failure.malformed("boundaries must increase")) {
            try BatchSchedule.piecewise(boundaries: [5, 5], sizes: [1, 2, 3]).validate(datasetSize: 10)
        }
    }
}
