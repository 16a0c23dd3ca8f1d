import Foundation
import Testing
@testable import Datasets

@Suite struct NPZTests {
    /// The same numbers with the source and locations made equal, so only the data are compared.
    func contents(_ d: Dataset) throws -> Dataset {
        try Dataset(features: d.features, rowCount: d.rowCount, featureCount: d.featureCount, labels: d.labels,
                    featureNames: d.featureNames, labelName: d.labelName, source: "-")
    }

    @Test func deflatedNumpyArchive() throws {
        let path = fixture("deflated.npz")
        let data = try DatasetFile.load(path: path, label: nil)
        #expect(data.features == fixtureX && data.labels == fixtureY)
        #expect(data.location(ofRow: 5) == "\(path) y[5]")
    }

    @Test func storedArchiveOfFloat32AndInt32() throws {
        let data = try DatasetFile.load(path: fixture("stored.npz"), label: "y")
        #expect(data.features == fixtureX.map { Double(Float($0)) } && data.labels == fixtureY)
    }

    @Test func csvAndNpzWithTheSameNumbersGiveEqualDatasets() throws {
        let csv = try DatasetFile.load(path: fixture("same.csv"), label: "y")
        let npz = try DatasetFile.load(path: fixture("deflated.npz"), label: "y")
        #expect(csv != npz)  // they differ in source and locations…
        #expect(try contents(csv) == contents(npz))  // …and in nothing else
        let npy = try DatasetFile.load(path: fixture("c_f8.npy"), label: "last")
        #expect(try contents(npy) == contents(npz))
    }

    @Test func theOnlyOtherArrayIsTheFeatures() throws {
        let dir = Scratch()
        let path = try dir.writeZip("p.npz", [("arr_0.npy", npyDoubles([1, 2, 3], shape: [3])), ("labels.npy", npyDoubles([0, 1, 0], shape: [3]))])
        let data = try DatasetFile.load(path: path, label: "labels")
        #expect(data.featureCount == 1 && data.features == [1, 2, 3] && data.labelName == "labels")
    }

    @Test func missingLabelArrayListsTheArrays() throws {
        let dir = Scratch()
        let path = try dir.writeZip("m.npz", [("X.npy", npyDoubles([1, 2], shape: [2, 1])), ("target.npy", npyDoubles([0, 1], shape: [2]))])
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.description
                == "\(path): no label array 'y'; arrays present: X, target")
    }

    @Test func severalCandidatesForTheFeatures() throws {
        let dir = Scratch()
        let path = try dir.writeZip("c.npz", [("a.npy", npyDoubles([1], shape: [1])), ("b.npy", npyDoubles([1], shape: [1])),
                                              ("y.npy", npyDoubles([0], shape: [1]))])
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.message.contains("several candidates for the features (a, b)") == true)
    }

    @Test func rowCountMismatch() throws {
        let dir = Scratch()
        let path = try dir.writeZip("r.npz", [("X.npy", npyDoubles([1, 2, 3, 4, 5, 6], shape: [3, 2])), ("y.npy", npyDoubles([0, 1], shape: [2]))], compressed: false)
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: "y") }?.description
                == "\(path): 'X' has 3 rows but 'y' has 2")
    }

    @Test func labelsMustBeOneDimensional() throws {
        let dir = Scratch()
        let path = try dir.writeZip("l.npz", [("X.npy", npyDoubles([1, 2], shape: [2, 1])), ("y.npy", npyDoubles([0, 1], shape: [2, 1]))])
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.message.hasPrefix("labels 'y' have shape (2, 1)") == true)
    }

    @Test func notAZip() throws {
        let dir = Scratch()
        let path = try dir.write("n.npz", "x,y\n1,2\n")
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.description
                == "\(path): not a zip archive, so not an .npz (numpy.savez writes one)")
    }

    @Test func damagedMemberNamesTheArray() throws {
        let dir = Scratch()
        let path = try dir.writeZip("d.npz", [("X.npy", Data("garbage".utf8)), ("y.npy", npyDoubles([0], shape: [1]))])
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.message.hasPrefix("array 'X': not a .npy file") == true)
        // Flip a byte inside the deflated data: the CRC (or inflate) must catch it.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: fixture("deflated.npz")))
        bytes[60] ^= 0xff
        let corrupt = try dir.write("c.npz", bytes)
        #expect(datasetError { _ = try DatasetFile.load(path: corrupt, label: nil) } != nil)
    }

    @Test func nonFiniteFeatureInNumpyNotation() throws {
        let dir = Scratch()
        let path = try dir.writeZip("f.npz", [("X.npy", npyDoubles([1, 2, .nan, 4], shape: [2, 2])), ("y.npy", npyDoubles([0, 1], shape: [2]))])
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.description
                == "\(path): X[1, 0] is NaN; every value must be finite")
    }
}
