import Foundation
import ZIPFoundation

/// Reading a user's data set from a file, the format chosen by extension.
public enum DatasetFile {
    /// Loads `path` as a data set.
    ///
    /// - `.csv` (comma) or `.tsv` (tab): a header row naming the columns, then one sample per line;
    ///   `label` is the header name of the label column (required), every other column is a feature.
    /// - `.npy`: one 2-D array, samples as rows; `label` is the label column's index (negative counts
    ///   from the end, as in Python) or `"last"`; nil means last.
    /// - `.npz`: `label` names the labels' array (default `"y"`, 1-D); features are array `"X"`, or the
    ///   only other array, 1-D (one feature) or 2-D.
    ///
    /// Arrays may be <f8, <f4, <i8, <i4 or |u1 (also |i1, <u8, <u4, |b1), C or Fortran order.
    /// - Throws: `DatasetError`, one line naming the file and, where there are such, the line and column.
    public static func load(path: String, label: String?) throws -> Dataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError(file: path, message: "no such file")
        }
        guard !isDirectory.boolValue else { throw DatasetError(file: path, message: "is a directory, not a data file") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw DatasetError(file: path, message: "not readable (permission denied)")
        }
        switch URL(fileURLWithPath: path).pathExtension.lowercased() {
        case "csv": return try CSVLoader.load(path: path, delimiter: ",", label: label)
        case "tsv": return try CSVLoader.load(path: path, delimiter: "\t", label: label)
        case "npy": return try loadNPY(path: path, label: label)
        case "npz": return try loadNPZ(path: path, label: label)
        case let other:
            throw DatasetError(file: path, message: "unknown data format \(other.isEmpty ? "(no extension)" : "'.\(other)'"); use .csv, .tsv, .npy or .npz")
        }
    }

    static func readArray(_ bytes: Data, file: String, name: String? = nil) throws -> NumpyArray {
        do {
            return try NumpyArray(bytes: bytes)
        } catch {
            throw DatasetError(file: file, message: name.map { "array '\($0)': " + error.message } ?? error.message)
        }
    }

    static func contents(of path: String) throws -> Data {
        do { return try Data(contentsOf: URL(fileURLWithPath: path), options: .mappedIfSafe) } catch {
            throw DatasetError(file: path, message: "cannot be read (\(error.localizedDescription))")
        }
    }

    // MARK: - .npy

    static func loadNPY(path: String, label: String?) throws -> Dataset {
        let array = try readArray(try contents(of: path), file: path)
        guard array.shape.count == 2 else {
            throw DatasetError(file: path, message: "a 1-D array of shape \(array.shapeText); a .npy data set is 2-D with the label as one column (or use an .npz with arrays X and y)")
        }
        let (m, columns) = (array.rows, array.columns)
        guard columns >= 2 else {
            throw DatasetError(file: path, message: "shape \(array.shapeText) has one column; it must hold the features and the label")
        }
        let labelColumn: Int
        switch label {
        case nil, "last": labelColumn = columns - 1
        case let text?:
            guard let k = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw DatasetError(file: path, message: "label \"\(text)\" for a .npy must be a column index or \"last\"")
            }
            guard k >= -columns, k < columns else {
                throw DatasetError(file: path, message: "label column \(k) does not exist: shape \(array.shapeText) has columns 0…\(columns - 1)")
            }
            labelColumn = k < 0 ? k + columns : k
        }
        try checkFinite(array, file: path, name: nil)
        var features = [Double](), labels = [Double]()
        features.reserveCapacity(m * (columns - 1))
        labels.reserveCapacity(m)
        for i in 0..<m {
            let row = array.values[i * columns ..< (i + 1) * columns]
            labels.append(row[row.startIndex + labelColumn])
            features.append(contentsOf: row[row.startIndex ..< row.startIndex + labelColumn])
            features.append(contentsOf: row[(row.startIndex + labelColumn + 1)...])
        }
        return try Dataset(features: features, rowCount: m, featureCount: columns - 1, labels: labels, featureNames: nil,
                           labelName: "y", source: path, locator: .array(prefix: "row ", suffix: "", rows: nil))
    }

    // MARK: - .npz

    static func loadNPZ(path: String, label: String?) throws -> Dataset {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw DatasetError(file: path, message: "not a zip archive, so not an .npz (numpy.savez writes one)")
        }
        var members = [String: Entry]()
        for entry in archive where entry.type == .file && entry.path.hasSuffix(".npy") {
            members[String(entry.path.dropLast(4))] = entry
        }
        let names = members.keys.sorted()
        let labelName = label ?? "y"
        guard let labelEntry = members[labelName] else {
            throw DatasetError(file: path, message: "no label array '\(labelName)'; arrays present: \(names.isEmpty ? "none" : names.joined(separator: ", "))")
        }
        let featureName: String, featureEntry: Entry
        if let entry = members["X"], labelName != "X" {
            (featureName, featureEntry) = ("X", entry)
        } else {
            let others = names.filter { $0 != labelName }
            guard others.count == 1 else {
                throw DatasetError(file: path, message: others.isEmpty
                    ? "only the label array '\(labelName)'; the features must be in another array, named X"
                    : "no array 'X' and several candidates for the features (\(others.joined(separator: ", "))); name the features X")
            }
            guard let only = others.first, let entry = members[only] else { preconditionFailure("one candidate found above") }
            (featureName, featureEntry) = (only, entry)
        }
        let x = try readArray(try extract(featureEntry, from: archive, file: path, name: featureName), file: path, name: featureName)
        let y = try readArray(try extract(labelEntry, from: archive, file: path, name: labelName), file: path, name: labelName)
        guard y.shape.count == 1 else {
            throw DatasetError(file: path, message: "labels '\(labelName)' have shape \(y.shapeText); they must be 1-D (y.ravel())")
        }
        guard x.rows == y.rows else {
            throw DatasetError(file: path, message: "'\(featureName)' has \(x.rows) rows but '\(labelName)' has \(y.rows)")
        }
        try checkFinite(x, file: path, name: featureName)
        try checkFinite(y, file: path, name: labelName)
        return try Dataset(features: x.values, rowCount: x.rows, featureCount: x.columns, labels: y.values, featureNames: nil,
                           labelName: labelName, source: path, locator: .array(prefix: "\(labelName)[", suffix: "]", rows: nil))
    }

    static func extract(_ entry: Entry, from archive: Archive, file: String, name: String) throws -> Data {
        var data = Data()
        do {
            _ = try archive.extract(entry) { data.append($0) }
        } catch {
            throw DatasetError(file: file, message: "array '\(name)' cannot be unpacked (\(error)); the archive is damaged")
        }
        return data
    }

    /// The first NaN or infinity in numpy notation, `X[16, 2]`, so the user can find it with the same index.
    static func checkFinite(_ array: NumpyArray, file: String, name: String?) throws {
        guard let k = array.values.firstIndex(where: { !$0.isFinite }) else { return }
        let (i, j) = k.quotientAndRemainder(dividingBy: array.columns)
        let place = array.shape.count == 2 ? "[\(i), \(j)]" : "[\(i)]"
        let what = array.values[k].isNaN ? "NaN" : "infinite"
        throw DatasetError(file: file, message: "\(name ?? "array")\(place) is \(what); every value must be finite")
    }
}
