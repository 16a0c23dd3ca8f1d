extension BlockEngine {
    /// One SGD iteration (plain, step η) whose batch is the m samples with the largest scores:
    /// with scores ξ_i iid N(0, 1) per path, the batch is a uniformly random m-subset (the ξ are
    /// exchangeable), exactly the law of sampling without replacement, and it is a monotone
    /// function of the very normals that drive the SDE over the same step. That couples SGD to
    /// its diffusion (common random numbers) the way a quantile coupling does for the toy
    /// problems, so E φ(SGD) − E φ(SDE) is estimated with a far smaller variance.
    ///
    /// - Parameter scores: M × ld, row i holds sample i's score for every lane.
    public func sgdStep(_ x: ParameterBlock, eta: Double, step k: Int, lanes: Int, scores: UnsafePointer<Double>) {
        let m = problem.batchSchedule.batchSize(atStep: k), d = problem.dimension
        for b in 0..<lanes {
            let rows = gatherTop(m, scores: scores, lane: b, weight: 1 / Double(m), startingAt: 0)
            laneGradient(x, lane: b, rows: rows)
            for j in 0..<d { x.values[j * ld + b] -= eta * laneGradient[j] }
        }
    }

    /// Copies the m samples of lane b with the largest scores into the batch buffer from row
    /// `start` on, each with `weight`; returns the next free row.
    func gatherTop(_ m: Int, scores: UnsafePointer<Double>, lane b: Int, weight: Double, startingAt start: Int) -> Int {
        let M = problem.count, p = problem.model.featureCount
        return withUnsafeTemporaryAllocation(of: Double.self, capacity: M) { column in
            for i in 0..<M { column[i] = scores[i * ld + b] }
            let threshold = Self.largest(m, of: column)
            var row = start
            problem.data.features.withUnsafeBufferPointer { f in
                for i in 0..<M where row - start < m && scores[i * ld + b] >= threshold {
                    (batchFeatures + row * p).update(from: f.baseAddress! + i * p, count: p)
                    batchTargets[row] = problem.data.targets[i]
                    batchWeights[row] = weight
                    row += 1
                }
            }
            return row
        }
    }

    /// The m-th largest value of `values` (reordered), by quickselect with a median-of-three
    /// pivot: expected O(M).
    public static func largest(_ m: Int, of values: UnsafeMutableBufferPointer<Double>) -> Double {
        var lo = 0, hi = values.count - 1
        let target = m - 1 // index in descending order
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            let a = values[lo], b = values[mid], c = values[hi]
            let pivot = max(min(a, b), min(max(a, b), c))
            var i = lo, j = hi
            while i <= j {
                while values[i] > pivot { i += 1 }
                while values[j] < pivot { j -= 1 }
                if i <= j {
                    values.swapAt(i, j)
                    i += 1
                    j -= 1
                }
            }
            if target <= j { hi = j } else if target >= i { lo = i } else { return values[target] }
        }
        return values[target]
    }
}
