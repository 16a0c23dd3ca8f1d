/// Samples (a_i, y_i), i < M, of a finite-sum problem F(x) = (1/M) Σ_i f_i(x): a row-major
/// design matrix (M × p) and one target per row (a real value, or a class index stored as Double).
///
/// Kept as plain arrays so that one copy serves every path: B simulated paths share the data
/// and differ only in their d × B parameter block (memory O(M p + d B)).
public struct TrainingSet: Sendable, Equatable {
    public let count: Int
    public let featureCount: Int
    public let features: [Double]
    public let targets: [Double]
    /// Where the samples came from, for reports ("synthetic logistic, seed 1", a file path).
    public let source: String

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case tooFewSamples(Int)
        case shape(expected: Int, got: Int)
        case nonFinite(row: Int)
        public var description: String {
            switch self {
            case .tooFewSamples(let n): return "a finite sum needs at least 2 samples, got \(n)"
            case .shape(let e, let g): return "expected \(e) feature values (rows × features), got \(g)"
            case .nonFinite(let r): return "row \(r) has a value that is not finite"
            }
        }
    }

    public init(features: [Double], count: Int, featureCount: Int, targets: [Double], source: String) throws {
        guard count >= 2 else { throw Failure.tooFewSamples(count) }
        let (size, overflow) = count.multipliedReportingOverflow(by: featureCount)
        guard !overflow, featureCount >= 1, features.count == size else { throw Failure.shape(expected: overflow ? Int.max : size, got: features.count) }
        guard targets.count == count else { throw Failure.shape(expected: count, got: targets.count) }
        for i in 0..<count {
            guard targets[i].isFinite else { throw Failure.nonFinite(row: i) }
            for j in 0..<featureCount where !features[i * featureCount + j].isFinite { throw Failure.nonFinite(row: i) }
        }
        self.count = count
        self.featureCount = featureCount
        self.features = features
        self.targets = targets
        self.source = source
    }

    /// For data already validated (a derived copy of a valid set).
    init(checked features: [Double], count: Int, featureCount: Int, targets: [Double], source: String) {
        (self.features, self.count, self.featureCount, self.targets, self.source) = (features, count, featureCount, targets, source)
    }

    /// The same samples with a constant feature 1 appended, so a linear model gets an intercept.
    public func withIntercept() -> TrainingSet {
        var f: [Double] = []
        f.reserveCapacity(count * (featureCount + 1))
        for i in 0..<count {
            f.append(contentsOf: features[(i * featureCount)..<((i + 1) * featureCount)])
            f.append(1)
        }
        return TrainingSet(checked: f, count: count, featureCount: featureCount + 1, targets: targets, source: source)
    }

    /// Rows `indices`, in that order.
    public func rows(_ indices: [Int]) throws -> TrainingSet {
        var f: [Double] = []
        f.reserveCapacity(indices.count * featureCount)
        for i in indices { f.append(contentsOf: features[(i * featureCount)..<((i + 1) * featureCount)]) }
        return try TrainingSet(features: f, count: indices.count, featureCount: featureCount, targets: indices.map { targets[$0] }, source: source)
    }
}
