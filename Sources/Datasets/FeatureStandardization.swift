/// x ↦ (x − mean) / scale per feature, with mean and population standard deviation of the data set
/// it was fitted to. A column that is constant there gets scale 1: it is centred (to 0) but not
/// divided, since dividing by a zero, or by the rounding noise of a nominal zero, would blow it up.
public struct FeatureStandardization: Sendable, Equatable {
    public let means: [Double]
    public let scales: [Double]

    public init(fittedTo data: Dataset) {
        let p = data.featureCount, m = data.rowCount
        var means = [Double](repeating: 0, count: p)
        var lows = Array(data.features[0..<p]), highs = lows
        data.features.withUnsafeBufferPointer { x in
            for i in 0..<m {
                for j in 0..<p {
                    let v = x[i * p + j]
                    means[j] += v
                    lows[j] = min(lows[j], v)
                    highs[j] = max(highs[j], v)
                }
            }
        }
        for j in 0..<p { means[j] /= Double(m) }
        // Two passes: the one-pass sum of squares loses everything to cancellation when |mean| ≫ spread.
        var squares = [Double](repeating: 0, count: p)
        data.features.withUnsafeBufferPointer { x in
            for i in 0..<m {
                for j in 0..<p {
                    let d = x[i * p + j] - means[j]
                    squares[j] += d * d
                }
            }
        }
        self.means = means
        scales = (0..<p).map { j in lows[j] == highs[j] ? 1 : (squares[j] / Double(m)).squareRoot() }
    }

    /// `data` with every feature standardised; labels, names and locations unchanged.
    public func apply(_ data: Dataset) -> Dataset {
        let p = means.count
        precondition(data.featureCount == p, "fitted to \(p) features, applied to \(data.featureCount)")
        var out = data.features
        for k in out.indices {
            let j = k % p
            out[k] = (out[k] - means[j]) / scales[j]
        }
        return Dataset(unchecked: out, rowCount: data.rowCount, featureCount: p, labels: data.labels,
                       featureNames: data.featureNames, labelName: data.labelName, source: data.source, locator: data.locator)
    }
}
