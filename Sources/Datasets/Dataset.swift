import Randomness

/// A learning data set: M samples of p numeric features and one numeric label each, as the
/// finite-sum models read it. Every value is finite and the shapes agree, checked once at
/// construction so the models never have to.
///
/// Features are row-major (`features[i * featureCount + j]` is feature j of sample i). Class labels
/// are integers stored as `Double`; `classIndices()` checks and converts them.
public struct Dataset: Sendable, Equatable {
    public let rowCount: Int
    public let featureCount: Int
    public let features: [Double]
    public let labels: [Double]
    public let featureNames: [String]
    public let labelName: String
    /// The file it was read from (as the user wrote the path), used in reports and error messages.
    public let source: String
    let locator: RowLocator

    /// - Parameters:
    ///   - featureNames: p names; `x0`, `x1`, … when nil.
    ///   - rowLocations: one description per row for error messages; `"<source> row i"` when nil.
    /// - Throws: `DatasetError` when shapes disagree, there are no rows or no features, or a value
    ///   is NaN or infinite (naming the row and column).
    public init(features: [Double], rowCount: Int, featureCount: Int, labels: [Double], featureNames: [String]? = nil,
                labelName: String = "y", source: String, rowLocations: [String]? = nil) throws {
        if let rowLocations, rowLocations.count != rowCount {
            throw DatasetError(file: source, message: "\(rowLocations.count) row locations for \(rowCount) rows")
        }
        try self.init(features: features, rowCount: rowCount, featureCount: featureCount, labels: labels,
                      featureNames: featureNames, labelName: labelName, source: source,
                      locator: rowLocations.map(RowLocator.explicit) ?? .array(prefix: "row ", suffix: "", rows: nil))
    }

    init(features: [Double], rowCount: Int, featureCount: Int, labels: [Double], featureNames: [String]?,
         labelName: String, source: String, locator: RowLocator) throws {
        guard rowCount > 0 else { throw DatasetError(file: source, message: "no data rows") }
        guard featureCount > 0 else { throw DatasetError(file: source, message: "no feature columns") }
        let (cells, overflow) = rowCount.multipliedReportingOverflow(by: featureCount)
        guard !overflow, cells == features.count else {
            throw DatasetError(file: source, message: "\(features.count) feature values for \(rowCount) rows × \(featureCount) features")
        }
        guard labels.count == rowCount else {
            throw DatasetError(file: source, message: "\(labels.count) labels for \(rowCount) rows")
        }
        let names = featureNames ?? (0..<featureCount).map { "x\($0)" }
        guard names.count == featureCount else {
            throw DatasetError(file: source, message: "\(names.count) feature names for \(featureCount) features")
        }
        if let i = labels.firstIndex(where: { !$0.isFinite }) {
            throw locator.error(source: source, row: i, feature: nil, columnName: labelName,
                                message: "label is \(labels[i]); every value must be finite")
        }
        if let k = features.firstIndex(where: { !$0.isFinite }) {
            let (i, j) = k.quotientAndRemainder(dividingBy: featureCount)
            throw locator.error(source: source, row: i, feature: j, columnName: names[j],
                                message: "value is \(features[k]); every value must be finite")
        }
        self.init(unchecked: features, rowCount: rowCount, featureCount: featureCount, labels: labels,
                  featureNames: names, labelName: labelName, source: source, locator: locator)
    }

    /// For values already known to be valid (a subset or transform of a checked set).
    init(unchecked features: [Double], rowCount: Int, featureCount: Int, labels: [Double], featureNames: [String],
         labelName: String, source: String, locator: RowLocator) {
        self.features = features
        self.rowCount = rowCount
        self.featureCount = featureCount
        self.labels = labels
        self.featureNames = featureNames
        self.labelName = labelName
        self.source = source
        self.locator = locator
    }

    /// Where row i came from, for error messages: `train.csv line 17`, `data.npz y[16]`, `X.npy row 16`.
    public func location(ofRow i: Int) -> String {
        if case .explicit = locator { return locator.place(ofRow: i) }
        return "\(source) \(locator.place(ofRow: i))"
    }

    /// An error about row i's label, positioned like the loader's own errors (line and column for text).
    public func labelError(row i: Int, _ message: String) -> DatasetError {
        locator.error(source: source, row: i, feature: nil, columnName: labelName, message: message)
    }

    /// Labels as class indices 0..<K when every label is a non-negative integer.
    /// - Throws: `DatasetError` naming the first row whose label is not one.
    public func classIndices() throws -> [Int] {
        var indices = [Int]()
        indices.reserveCapacity(rowCount)
        for (i, y) in labels.enumerated() {
            // Int32 bounds the class count a model could be asked to allocate outputs for.
            guard y >= 0, y <= Double(Int32.max), let k = Int(exactly: y) else {
                throw labelError(row: i, "label \(y) is not a class index (a non-negative integer)")
            }
            indices.append(k)
        }
        return indices
    }

    /// The number of classes K = 1 + the largest class index.
    public func classCount() throws -> Int {
        (try classIndices().max() ?? -1) + 1
    }

    /// Rows `indices` (in that order, repeats allowed) as a new data set that keeps their locations.
    public func rows(_ indices: [Int]) -> Dataset {
        precondition(!indices.isEmpty, "a data set needs at least one row")
        var subset = [Double]()
        subset.reserveCapacity(indices.count * featureCount)
        for i in indices {
            precondition(i >= 0 && i < rowCount, "row \(i) out of range 0..<\(rowCount)")
            subset.append(contentsOf: features[i * featureCount ..< (i + 1) * featureCount])
        }
        return Dataset(unchecked: subset, rowCount: indices.count, featureCount: featureCount, labels: indices.map { labels[$0] },
                       featureNames: featureNames, labelName: labelName, source: source, locator: locator.rows(indices))
    }

    /// A reproducible train/test split: a permutation drawn from Philox (seed, stream `.sampling`,
    /// path 0) by Fisher–Yates, whose first ⌈testFraction · M⌉ rows form the test part and the rest
    /// the training part, both in permuted order.
    /// - Throws: `DatasetError` when `testFraction` is not in (0, 1) or either part would be empty.
    public func split(testFraction: Double, seed: UInt64) throws -> (train: Dataset, test: Dataset) {
        guard testFraction > 0, testFraction < 1 else {
            throw DatasetError(file: source, message: "test fraction \(testFraction) is not between 0 and 1")
        }
        let testCount = Int((testFraction * Double(rowCount)).rounded(.up))
        guard testCount < rowCount else {
            throw DatasetError(file: source, message: "a test fraction of \(testFraction) leaves no training rows out of \(rowCount)")
        }
        var generator = PhiloxGenerator(seed: seed, stream: .sampling, path: 0)
        var order = Array(0..<rowCount)
        for i in stride(from: rowCount - 1, to: 0, by: -1) {
            order.swapAt(i, generator.nextInt(below: i + 1))
        }
        return (train: rows(Array(order[testCount...])), test: rows(Array(order[..<testCount])))
    }

    /// Per-feature centring and scaling computed from this set (the training part), to be applied
    /// unchanged to the test part.
    public func standardization() -> FeatureStandardization {
        FeatureStandardization(fittedTo: self)
    }
}
