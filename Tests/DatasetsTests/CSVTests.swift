import Foundation
import Testing
@testable import Datasets

@Suite struct CSVTests {
    @Test func readsHeaderLabelAnywhereAndLocations() throws {
        let dir = Scratch()
        let path = try dir.write("train.csv", "a,label,b\n1.5,0,-2\n3,1,4e-3\n")
        let data = try DatasetFile.load(path: path, label: "label")
        #expect(data.rowCount == 2 && data.featureCount == 2)
        #expect(data.features == [1.5, -2, 3, 4e-3])
        #expect(data.labels == [0, 1])
        #expect(data.featureNames == ["a", "b"])
        #expect(data.labelName == "label")
        #expect(data.source == path)
        #expect(data.location(ofRow: 1) == "\(path) line 3")
    }

    @Test func tabSeparatedQuotesCRLFAndByteOrderMark() throws {
        let dir = Scratch()
        let tsv = try dir.write("d.tsv", "x\ty\n1\t2\n")
        #expect(try DatasetFile.load(path: tsv, label: "y").features == [1])
        // A quoted header cell with a line break moves every later row's line number down by one.
        let csv = try dir.write("q.csv", "\u{FEFF}\"first\nfeature\",\"y\"\r\n\"1.25\",\" 2 \"\r\n\r\n")
        let data = try DatasetFile.load(path: csv, label: "y")
        #expect(data.featureNames == ["first\nfeature"])
        #expect(data.features == [1.25] && data.labels == [2])
        #expect(data.location(ofRow: 0) == "\(csv) line 3")
    }

    /// A quote anywhere sends a file through CSV.swift instead of the byte splitter; both must read
    /// the same numbers and report the same problems at the same places.
    @Test func quotedAndUnquotedRoutesAgree() throws {
        let dir = Scratch()
        let body = "1.5, -2 ,0\r\n\r\n3e2,-0.125,1\n"
        let plain = try dir.write("p.csv", "x0,x1,y\n" + body), quoted = try dir.write("q.csv", "\"x0\",x1,y\n" + body)
        let a = try DatasetFile.load(path: plain, label: "y"), b = try DatasetFile.load(path: quoted, label: "y")
        #expect(a.features == [1.5, -2, 300, -0.125] && a.features == b.features && a.labels == b.labels)
        #expect(a.location(ofRow: 1) == "\(plain) line 4" && b.location(ofRow: 1) == "\(quoted) line 4")
        for row in ["1,2", "1,abc,0", "1,,0", "1,nan,0", "1, inf,0", "1,2 3,0", "1,2,", "1,2,0,4", "1,1e999,0", " ,1,0"] {
            let e1 = datasetError { _ = try DatasetFile.load(path: try dir.write("e.csv", "x0,x1,y\n0,0,0\n\(row)\n"), label: "y") }
            let e2 = datasetError { _ = try DatasetFile.load(path: try dir.write("f.csv", "\"x0\",x1,y\n0,0,0\n\(row)\n"), label: "y") }
            #expect(e1 != nil && e1?.line == 3 && e1?.column == e2?.column && e1?.message == e2?.message, "\(row)")
        }
    }

    @Test func missingFileOrDirectory() throws {
        let dir = Scratch()
        let missing = dir.path("nope.csv")
        #expect(datasetError { _ = try DatasetFile.load(path: missing, label: "y") }?.description == "\(missing): no such file")
        #expect(datasetError { _ = try DatasetFile.load(path: dir.url.path, label: "y") }?.message.contains("directory") == true)
    }

    @Test func emptyFileAndHeaderOnly() throws {
        let dir = Scratch()
        let empty = try dir.write("empty.csv", "")
        #expect(datasetError { _ = try DatasetFile.load(path: empty, label: "y") }?.message.contains("empty") == true)
        let header = try dir.write("header.csv", "x,y\n")
        let error = datasetError { _ = try DatasetFile.load(path: header, label: "y") }
        #expect(error?.description == "\(header): only a header row; no data rows")
    }

    @Test func raggedRowSaysExpectedAndFound() throws {
        let dir = Scratch()
        let path = try dir.write("r.csv", "x0,x1,y\n1,2,3\n4,5\n")
        let error = datasetError { _ = try DatasetFile.load(path: path, label: "y") }
        #expect(error?.description == "\(path): line 3: 2 fields, expected 3 as in the header")
    }

    @Test func nonNumericCellIsQuotedWithLineAndColumn() throws {
        let dir = Scratch()
        let path = try dir.write("n.csv", "x0,x1,y\n1,2,3\n4,abc,6\n")
        let error = datasetError { _ = try DatasetFile.load(path: path, label: "y") }
        #expect(error?.description == "\(path): line 3, column 2 (x1): \"abc\" is not a number")
        #expect(error?.line == 3 && error?.column == 2)
    }

    @Test func emptyCell() throws {
        let dir = Scratch()
        let path = try dir.write("e.csv", "x0,x1,y\n1,,3\n")
        let error = datasetError { _ = try DatasetFile.load(path: path, label: "y") }
        #expect(error?.description == "\(path): line 2, column 2 (x1): empty cell; every value must be a number")
    }

    @Test(arguments: ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
    func nonFiniteCells(cell: String) throws {
        let dir = Scratch()
        let path = try dir.write("f.csv", "x0,y\n1,0\n\(cell),1\n")
        let error = datasetError { _ = try DatasetFile.load(path: path, label: "y") }
        #expect(error?.line == 3 && error?.column == 1 && error?.columnName == "x0")
        #expect(error?.message.hasPrefix("\"\(cell)\" is ") == true)
        #expect(error?.message.hasSuffix("every value must be finite") == true)
    }

    @Test func nonFiniteLabelNamesTheLabelColumn() throws {
        let dir = Scratch()
        let path = try dir.write("l.csv", "y,x0\n1,0\nnan,1\n")
        let error = datasetError { _ = try DatasetFile.load(path: path, label: "y") }
        #expect(error?.description == "\(path): line 3, column 1 (y): \"nan\" is NaN; every value must be finite")
    }

    @Test func absentOrUnchosenLabelListsTheColumns() throws {
        let dir = Scratch()
        let path = try dir.write("c.csv", "sepal,petal,species\n1,2,0\n")
        let error = datasetError { _ = try DatasetFile.load(path: path, label: "class") }
        #expect(error?.description == "\(path): line 1: no column named \"class\"; the header's columns are \"sepal\", \"petal\", \"species\"")
        let unchosen = datasetError { _ = try DatasetFile.load(path: path, label: nil) }
        #expect(unchosen?.message.contains("\"sepal\", \"petal\", \"species\"") == true)
    }

    @Test func duplicateHeaderNames() throws {
        let dir = Scratch()
        let path = try dir.write("d.csv", "x,y,x\n1,2,3\n")
        let error = datasetError { _ = try DatasetFile.load(path: path, label: "y") }
        #expect(error?.description == "\(path): line 1, column 3 (x): duplicate column name (also column 1)")
    }

    @Test func labelOnlyAndUnknownExtension() throws {
        let dir = Scratch()
        let path = try dir.write("y.csv", "y\n1\n")
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: "y") }?.message.contains("at least one feature") == true)
        let other = try dir.write("data.xlsx", "x")
        #expect(datasetError { _ = try DatasetFile.load(path: other, label: "y") }?.message
                == "unknown data format '.xlsx'; use .csv, .tsv, .npy or .npz")
    }

    @Test func invalidUTF8IsAnErrorNotACrash() throws {
        let dir = Scratch()
        var bytes = Data("x,y\n1,2\n".utf8)
        bytes.append(contentsOf: [0xff, 0xfe, 0x2c, 0x31, 0x0a])
        let path = try dir.write("bad.csv", bytes)
        #expect(datasetError { _ = try DatasetFile.load(path: path, label: "y") } != nil)
    }
}
