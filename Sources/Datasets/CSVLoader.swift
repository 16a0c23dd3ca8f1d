import CSV
import Foundation

/// Reads a delimited text file with a header row into a `Dataset`.
///
/// CSV.swift does the tokenising (quotes, escaped quotes, CRLF, a UTF-8 byte-order mark) while
/// streaming, so a record's line number is known as it is read. Records are counted as lines; a
/// quoted header cell with a line break in it is accounted for, and a data cell cannot hold one
/// without failing to be a number anyway.
enum CSVLoader {
    static func load(path: String, delimiter: UnicodeScalar, label: String?) throws -> Dataset {
        guard let stream = InputStream(fileAtPath: path) else {
            throw DatasetError(file: path, message: "cannot be opened for reading")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: false, delimiter: delimiter)
        } catch {
            throw DatasetError(file: path, message: "cannot be read (\(error))")
        }
        guard let header = reader.next() else {
            throw DatasetError(file: path, message: "the file is empty; expected a header row naming the columns, then data rows")
        }
        var line = 1 + header.reduce(0) { $0 + newlineCount($1) }
        if let error = readFailure(reader) { throw DatasetError(file: path, line: 1, message: "cannot be read (\(error))") }

        let columns = header.count
        var firstSeen = [String: Int]()
        for (c, name) in header.enumerated() {
            if let earlier = firstSeen[name] {
                throw DatasetError(file: path, line: 1, column: c + 1, columnName: name,
                                   message: "duplicate column name (also column \(earlier + 1))")
            }
            firstSeen[name] = c
        }
        guard let label else {
            throw DatasetError(file: path, line: 1, message: "no label column chosen; the header's columns are \(quotedList(header))")
        }
        guard let labelColumn = firstSeen[label] else {
            throw DatasetError(file: path, line: 1, message: "no column named \"\(label)\"; the header's columns are \(quotedList(header))")
        }
        guard columns >= 2 else {
            throw DatasetError(file: path, line: 1, message: "only the label column \"\(label)\"; a data set needs at least one feature column")
        }

        var features = [Double](), labels = [Double](), lines = [Int]()
        while let record = reader.next() {
            line += 1
            if let error = readFailure(reader) { throw DatasetError(file: path, line: line, message: "cannot be read (\(error))") }
            if record.count == 1 && record[0].isEmpty { continue }  // a blank line, typically the last
            guard record.count == columns else {
                throw DatasetError(file: path, line: line,
                                   message: "\(record.count) fields, expected \(columns) as in the header")
            }
            lines.append(line)
            for (c, cell) in record.enumerated() {
                let value = try number(cell, file: path, line: line, column: c, name: header[c])
                if c == labelColumn { labels.append(value) } else { features.append(value) }
            }
            if lines.count == 1 { features.reserveCapacity(estimatedRows(path: path, firstLine: record) * (columns - 1)) }
        }
        if let error = readFailure(reader) {
            throw DatasetError(file: path, line: line + 1, message: "cannot be read (\(error))")
        }
        guard !lines.isEmpty else {
            throw DatasetError(file: path, message: "only a header row; no data rows")
        }
        var names = header
        names.remove(at: labelColumn)
        let featureColumns = (1...columns).filter { $0 != labelColumn + 1 }
        return try Dataset(features: features, rowCount: lines.count, featureCount: columns - 1, labels: labels,
                           featureNames: names, labelName: label, source: path,
                           locator: .text(lines: lines, labelColumn: labelColumn + 1, featureColumns: featureColumns))
    }

    /// A cell as a finite number, or an error quoting it.
    static func number(_ cell: String, file: String, line: Int, column: Int, name: String) throws -> Double {
        func fail(_ message: String) -> DatasetError {
            DatasetError(file: file, line: line, column: column + 1, columnName: name, message: message)
        }
        // Double(String) parses the UTF-8 bytes directly (strtod); trimming is paid only for the rare padded cell.
        guard let value = Double(cell) ?? Double(cell.trimmingCharacters(in: .whitespaces)) else {
            if cell.allSatisfy(\.isWhitespace) { throw fail("empty cell; every value must be a number") }
            throw fail("\"\(cell.prefix(60))\" is not a number")
        }
        guard value.isFinite else {
            throw fail("\"\(cell.prefix(60))\" is \(value.isNaN ? "NaN" : "infinite"); every value must be finite")
        }
        return value
    }

    /// The reader's error, except the `cannotReadFile` that CSV.swift records on reaching the end of a
    /// file stream (Foundation's InputStream reports bytes available until a read returns 0).
    static func readFailure(_ reader: CSVReader) -> Error? {
        if let error = reader.error as? CSVError, case .cannotReadFile = error { return nil }
        return reader.error
    }

    static func newlineCount(_ cell: String) -> Int {
        cell.utf8.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    /// Rows the file probably holds, from its size and the first record, to reserve storage once.
    static func estimatedRows(path: String, firstLine: [String]) -> Int {
        let bytesPerRow = firstLine.reduce(1) { $0 + $1.utf8.count + 1 }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return min(size / bytesPerRow + 1, 1 << 24)
    }
}
