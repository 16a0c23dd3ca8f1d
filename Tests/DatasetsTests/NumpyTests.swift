import Foundation
import Testing
@testable import Datasets

/// The numbers of Fixtures/make_fixtures.py, as numpy printed them with repr().
let fixtureX: [Double] = [
    1e-300, 0.3260409740305236, 0.09770094418666268,
    -2.140356102141842, -25000000000.0, 0.7946707348383182,
    0.5231245897199776, -1.8849262579095956, -0.7767447729749218,
    -0.011190097205054894, -0.9802159599311027, 2.802035618158797,
    0.2117075920284704, 0.6522128764120394, 0.06443321543542192,
    -0.5761197494438431, -0.15033760548529387, -0.39470004159829924,
]
let fixtureY: [Double] = [0, 1, 2, 1, 0, 2]

@Suite struct NumpyTests {
    @Test func float64COrderLabelLastByDefault() throws {
        let data = try DatasetFile.load(path: fixture("c_f8.npy"), label: nil)
        #expect(data.rowCount == 6 && data.featureCount == 3)
        #expect(data.features == fixtureX && data.labels == fixtureY)
        #expect(data.featureNames == ["x0", "x1", "x2"] && data.labelName == "y")
        #expect(data.location(ofRow: 4) == "\(fixture("c_f8.npy")) row 4")
        #expect(try DatasetFile.load(path: fixture("c_f8.npy"), label: "last") == data)
        #expect(try DatasetFile.load(path: fixture("c_f8.npy"), label: "-1") == data)
    }

    @Test func float32FortranOrderMatchesCOrder() throws {
        let data = try DatasetFile.load(path: fixture("fortran_f4.npy"), label: "3")
        #expect(data.features == fixtureX.map { Double(Float($0)) })
        #expect(data.labels == fixtureY)
    }

    @Test func version2Int64() throws {
        let data = try DatasetFile.load(path: fixture("v2_i8.npy"), label: "last")
        // numpy's astype(int64) truncates towards zero.
        #expect(data.features == fixtureX.map { ($0 * 10).rounded(.towardZero) })
        #expect(data.labels == fixtureY.map { $0 * 10 })
    }

    @Test func uint8WithLabelColumnInFront() throws {
        let data = try DatasetFile.load(path: fixture("u1.npy"), label: "0")
        #expect(data.labels == [0, 3, 6, 9])
        #expect(data.features == [1, 2, 4, 5, 7, 8, 10, 11])
    }

    @Test func labelColumnOutOfRangeOrNotAnIndex() throws {
        let path = fixture("c_f8.npy")
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: "4") }?.description
                == "\(path): label column 4 does not exist: shape (6, 4) has columns 0…3")
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: "y") }?.message.contains("column index") == true)
    }

    @Test func badMagic() throws {
        let dir = Scratch()
        let path = try dir.write("m.npy", npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), }",
                                              payload: Data(count: 16), magic: Array("PK\u{3}\u{4}ZZ".utf8)))
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.description
                == "\(path): not a .npy file (it does not start with \\x93NUMPY)")
        let tiny = try dir.write("t.npy", Data([0x93, 0x4e]))
        #expect(datasetError { _ = try DatasetFile.load(path: tiny, label: nil) }?.message.hasPrefix("not a .npy file") == true)
    }

    @Test func truncatedDataAndHeader() throws {
        let dir = Scratch()
        let full = npyDoubles([1, 2, 3, 4, 5, 6], shape: [3, 2])
        let path = try dir.write("t.npy", full.prefix(full.count - 3))
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.message
                == "truncated data: shape [3, 2] of <f8 needs 48 bytes, the file has 45")
        let header = try dir.write("h.npy", full.prefix(40))
        #expect(datasetError { _ = try DatasetFile.load(path: header, label: nil) }?.message.hasPrefix("truncated .npy header") == true)
        let extra = try dir.write("x.npy", full + Data(count: 8))
        #expect(datasetError { _ = try DatasetFile.load(path: extra, label: nil) }?.message.hasPrefix("8 bytes after the data") == true)
    }

    @Test func shapeProductThatOverflowsIsAnErrorNotACrash() throws {
        let dir = Scratch()
        let huge = try dir.write("h.npy", npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 4), }", payload: Data(count: 64)))
        #expect(datasetError { _ = try DatasetFile.load(path: huge, label: nil) }?.message.contains("more elements than can be addressed") == true)
        let bytes = try dir.write("b.npy", npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (1152921504606846976, 2), }", payload: Data(count: 64)))
        #expect(datasetError { _ = try DatasetFile.load(path: bytes, label: nil) }?.message.contains("needs more than Int.max bytes") == true)
        let digits = try dir.write("d.npy", npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999, 2), }", payload: Data()))
        #expect(datasetError { _ = try DatasetFile.load(path: digits, label: nil) }?.message.hasPrefix("malformed .npy header") == true)
    }

    @Test(arguments: ["<c16", ">f8", "<U3", "<f2"])
    func unsupportedDtypeIsNamed(descr: String) throws {
        let dir = Scratch()
        let path = try dir.write("u.npy", npy(header: "{'descr': '\(descr)', 'fortran_order': False, 'shape': (1, 2), }", payload: Data(count: 64)))
        let message = datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.message
        #expect(message?.contains("'\(descr)'") == true)
    }

    @Test func objectAndStructuredArrays() throws {
        let objects = datasetError { _ = try DatasetFile.load(path: fixture("objects.npy"), label: nil) }
        #expect(objects?.message.hasPrefix("dtype '|O' is an object array") == true)
        let dir = Scratch()
        let path = try dir.write("s.npy", npy(header: "{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, 'shape': (2,), }", payload: Data(count: 24)))
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.message.hasPrefix("a structured dtype") == true)
    }

    @Test(arguments: [[2, 2, 2], [Int]()])
    func onlyOneOrTwoDimensions(shape: [Int]) throws {
        let dir = Scratch()
        let count = shape.reduce(1, *)
        let path = try dir.write("s.npy", npyDoubles(Array(repeating: 1, count: count), shape: shape))
        let message = datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.message
        #expect(message?.contains("\(shape.count)-D array") == true)
    }

    @Test func oneDimensionalNpyIsNotADataSet() throws {
        let dir = Scratch()
        let path = try dir.write("v.npy", npyDoubles([1, 2, 3], shape: [3]))
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.message.hasPrefix("a 1-D array of shape (3,)") == true)
    }

    @Test func malformedHeaders() throws {
        let dir = Scratch()
        for header in ["{'descr': '<f8', 'shape': (1, 2), }", "{'descr': '<f8', 'fortran_order': Maybe, 'shape': (1, 2)}",
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 2), 'extra': 1}", "not a dict",
                       "{'descr': '<f8', 'fortran_order': False, 'shape': (1, -2), }", "{'descr': '<f8"] {
            let path = try dir.write("m.npy", npy(header: header, payload: Data(count: 16)))
            let message = datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.message
            #expect(message?.hasPrefix("malformed .npy header") == true, "\(header)")
        }
        let version = try dir.write("v.npy", npy(header: "{}", payload: Data(), version: (4, 0)))
        #expect(datasetError { _ = try DatasetFile.load(path: version, label: nil) }?.message.hasPrefix("unsupported .npy format version 4.0") == true)
    }

    @Test func nonFiniteValueInNumpyNotation() throws {
        let dir = Scratch()
        let path = try dir.write("n.npy", npyDoubles([1, 2, 3, .infinity, 5, 6], shape: [3, 2]))
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: nil) }?.description
                == "\(path): array[1, 1] is infinite; every value must be finite")
    }
}
