import Foundation
import Testing
@testable import Datasets

@Suite struct DatasetTests {
    func sample(rows m: Int, source: String = "mem") throws -> Dataset {
        try Dataset(features: (0..<(2 * m)).map { Double($0) }, rowCount: m, featureCount: 2,
                    labels: (0..<m).map { Double($0 % 3) }, source: source)
    }

    @Test func initChecksShapesAndFiniteness() throws {
        #expect(datasetError { _ = try Dataset(features: [1, 2, 3], rowCount: 2, featureCount: 2, labels: [0, 1], source: "m") }?
            .description == "m: 3 feature values for 2 rows × 2 features")
        #expect(datasetError { _ = try Dataset(features: [], rowCount: 0, featureCount: 2, labels: [], source: "m") }?.message == "no data rows")
        #expect(datasetError { _ = try Dataset(features: [1, 2], rowCount: 1, featureCount: 2, labels: [0, 1], source: "m") }?.message == "2 labels for 1 rows")
        #expect(datasetError { _ = try Dataset(features: [1, 2], rowCount: Int.max, featureCount: 2, labels: [0], source: "m") } != nil)
        let nan = datasetError {
            _ = try Dataset(features: [1, 2, .nan, 4], rowCount: 2, featureCount: 2, labels: [0, 1], featureNames: ["a", "b"], source: "m")
        }
        #expect(nan?.description == "m (a): row 1: value is nan; every value must be finite")
        let located = datasetError {
            _ = try Dataset(features: [1, 2], rowCount: 2, featureCount: 1, labels: [0, -.infinity], source: "m", rowLocations: ["m sheet 1", "m sheet 2"])
        }
        #expect(located?.message == "m sheet 2: label is -inf; every value must be finite")
    }

    @Test func errorDescriptionFormat() {
        #expect(DatasetError(file: "a.csv", line: 3, column: 2, columnName: "x", message: "bad").description == "a.csv: line 3, column 2 (x): bad")
        #expect(DatasetError(file: "a.csv", line: 3, message: "bad").description == "a.csv: line 3: bad")
        #expect(DatasetError(file: "a.npz", message: "bad").description == "a.npz: bad")
    }

    @Test func classIndicesAcceptIntegersAndNameTheFirstBadRow() throws {
        let dir = Scratch()
        let good = try DatasetFile.load(path: try dir.write("g.csv", "x,y\n0.5,2\n1,0\n"), label: "y")
        #expect(try good.classIndices() == [2, 0])
        #expect(try good.classCount() == 3)
        let path = try dir.write("b.csv", "x,y\n0.5,2\n1,0.5\n2,-1\n")
        let error = datasetError { _ = try DatasetFile.load(path: path, label: "y").classIndices() }
        #expect(error?.description == "\(path): line 3, column 2 (y): label 0.5 is not a class index (a non-negative integer)")
        let negative = try Dataset(features: [1, 2], rowCount: 2, featureCount: 1, labels: [1, -1], source: "m")
        #expect(datasetError { _ = try negative.classIndices() }?.message == "row 1: label -1.0 is not a class index (a non-negative integer)")
        let huge = try Dataset(features: [1], rowCount: 1, featureCount: 1, labels: [1e300], source: "m")
        #expect(datasetError { _ = try huge.classIndices() } != nil)
    }

    @Test func rowsKeepTheirLocations() throws {
        let dir = Scratch()
        let path = try dir.write("r.csv", "x,y\n1,0\n2,1\n3,0\n")
        let data = try DatasetFile.load(path: path, label: "y")
        let picked = data.rows([2, 0])
        #expect(picked.features == [3, 1] && picked.labels == [0, 0])
        #expect(picked.location(ofRow: 0) == "\(path) line 4")
        #expect(picked.rows([1]).location(ofRow: 0) == "\(path) line 2")
        let npz = try DatasetFile.load(path: fixture("deflated.npz"), label: nil).rows([4, 1])
        #expect(npz.location(ofRow: 1) == "\(fixture("deflated.npz")) y[1]")
    }

    @Test func splitIsAReproducibleSeededPartition() throws {
        let data = try sample(rows: 103)
        let (train, test) = try data.split(testFraction: 0.2, seed: 7)
        #expect(test.rowCount == 21 && train.rowCount == 82)  // ⌈0.2 · 103⌉ = 21
        // Feature 0 of row i is 2i, so it identifies the row.
        let ids = (train.features + test.features).enumerated().filter { $0.offset % 2 == 0 }.map { Int($0.element) / 2 }
        #expect(ids.sorted() == Array(0..<103))
        let again = try data.split(testFraction: 0.2, seed: 7)
        #expect(again.train == train && again.test == test)
        let other = try data.split(testFraction: 0.2, seed: 8)
        #expect(other.test != test)
        #expect(ids != Array(0..<103))  // permuted, not the file order
    }

    @Test func splitRefusesEmptyParts() throws {
        let data = try sample(rows: 3)
        #expect(datasetError { _ = try data.split(testFraction: 0.9, seed: 1) }?.message.contains("leaves no training rows") == true)
        #expect(datasetError { _ = try data.split(testFraction: 0, seed: 1) } != nil)
        #expect(datasetError { _ = try data.split(testFraction: .nan, seed: 1) } != nil)
        #expect(try data.split(testFraction: 0.01, seed: 1).test.rowCount == 1)
    }

    @Test func standardizationUsesTrainingStatisticsAndLeavesConstantColumnsUndivided() throws {
        // Column 0: 1, 2, 3, 4 (mean 2.5, population sd √1.25); column 1 constant 0.1.
        let train = try Dataset(features: [1, 0.1, 2, 0.1, 3, 0.1, 4, 0.1], rowCount: 4, featureCount: 2, labels: [0, 1, 0, 1], source: "t")
        let s = train.standardization()
        #expect(s.means[0] == 2.5 && s.scales[0] == 1.25.squareRoot())
        #expect(s.scales[1] == 1)
        let z = s.apply(train)
        let column0 = stride(from: 0, to: 8, by: 2).map { z.features[$0] }
        #expect(abs(column0.reduce(0, +)) < 1e-15)
        #expect(abs(column0.map { $0 * $0 }.reduce(0, +) / 4 - 1) < 1e-15)
        #expect(stride(from: 1, to: 8, by: 2).allSatisfy { abs(z.features[$0]) < 1e-16 })
        let test = try Dataset(features: [6.5, 1.1], rowCount: 1, featureCount: 2, labels: [1], source: "u")
        let zt = s.apply(test)
        #expect(zt.features[0] == (6.5 - 2.5) / 1.25.squareRoot())
        #expect(abs(zt.features[1] - 1) < 1e-15)
        #expect(zt.labels == test.labels && zt.source == "u")
    }
}
