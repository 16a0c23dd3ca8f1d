import CSV
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a delimited text file with a header row into a `Dataset`.
///
/// Two routes with the same checks and messages. A file with a double quote anywhere goes through
/// CSV.swift, which does the tokenising (quoted cells, escaped quotes, line breaks inside quotes)
/// while streaming, so each record's line is known. CSV.swift hands out every cell as a `String`
/// built scalar by scalar, 6 s for a 4096 × 784 file on this shared 2-core machine under load: so a quote-free file, which
/// is what numpy.savetxt and pandas write for numbers, is split on bytes instead and each cell
/// parsed in place by strtod, with no per-cell allocation. Only a cell that fails
/// there becomes a `String`, and goes through the same check as the CSV.swift route to be reported.
enum CSVLoader {
    static func load(path: String, delimiter: UnicodeScalar, label: String?) throws -> Dataset {
        let data = try DatasetFile.contents(of: path)
        if data.firstIndex(of: UInt8(ascii: "\"")) == nil {
            return try loadUnquoted(data, path: path, delimiter: UInt8(delimiter.value), label: label)
        }
        return try loadQuoted(path: path, delimiter: delimiter, label: label)
    }

    /// The label's column (0-based) after checking the header, or an error that lists the header.
    static func labelColumn(header: [String], path: String, label: String?) throws -> Int {
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
        guard let column = firstSeen[label] else {
            throw DatasetError(file: path, line: 1, message: "no column named \"\(label)\"; the header's columns are \(quotedList(header))")
        }
        guard header.count >= 2 else {
            throw DatasetError(file: path, line: 1, message: "only the label column \"\(label)\"; a data set needs at least one feature column")
        }
        return column
    }

    static func dataset(header: [String], labelColumn: Int, features: [Double], labels: [Double], lines: [Int], path: String) throws -> Dataset {
        guard !lines.isEmpty else {
            throw DatasetError(file: path, message: "only a header row; no data rows")
        }
        var names = header
        names.remove(at: labelColumn)
        let featureColumns = (1...header.count).filter { $0 != labelColumn + 1 }
        return try Dataset(features: features, rowCount: lines.count, featureCount: header.count - 1, labels: labels,
                           featureNames: names, labelName: header[labelColumn], source: path,
                           locator: .text(lines: lines, labelColumn: labelColumn + 1, featureColumns: featureColumns))
    }

    // MARK: - Quote-free files, split on bytes

    static func loadUnquoted(_ data: Data, path: String, delimiter: UInt8, label: String?) throws -> Dataset {
        // A plain buffer rather than withUnsafeBufferPointer, so no closure captures the accumulators.
        let count = data.count
        let base = UnsafeMutablePointer<UInt8>.allocate(capacity: count + 1)
        defer { base.deallocate() }
        data.copyBytes(to: base, count: count)
        base[count] = 0  // strtod stops at it, so the last cell needs no copy
        let newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let begin = count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF ? 3 : 0
        guard count > begin else {
            throw DatasetError(file: path, message: "the file is empty; expected a header row naming the columns, then data rows")
        }
        var headerEnd = begin
        while headerEnd < count && base[headerEnd] != newline { headerEnd += 1 }
        var headerBytes = UnsafeBufferPointer(start: base + begin, count: headerEnd - begin)[...]
        if headerBytes.last == cr { headerBytes = headerBytes.dropLast() }
        let header = headerBytes.split(separator: delimiter, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        let labelColumn = try labelColumn(header: header, path: path, label: label)

        var features = [Double](), labels = [Double](), lines = [Int]()
        try splitRows(base, from: headerEnd + 1, to: count, delimiter: delimiter, header: header, labelColumn: labelColumn,
                      inPlace: strtodReadsDecimalPoint, path: path, features: &features, labels: &labels, lines: &lines)
        return try dataset(header: header, labelColumn: labelColumn, features: features, labels: labels, lines: lines, path: path)
    }

    static func splitRows(_ base: UnsafePointer<UInt8>, from begin: Int, to end: Int, delimiter: UInt8, header: [String], labelColumn: Int,
                          inPlace: Bool, path: String, features: inout [Double], labels: inout [Double], lines: inout [Int]) throws {
        let newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let columns = header.count
        var line = 1
        var start = begin
        while start < end {
            line += 1
            var stop = start
            while stop < end && base[stop] != newline { stop += 1 }
            var rowEnd = stop
            if rowEnd > start && base[rowEnd - 1] == cr { rowEnd -= 1 }
            defer { start = stop + 1 }
            if rowEnd == start { continue }  // a blank line, typically the last
            var fields = 1
            for k in start..<rowEnd where base[k] == delimiter { fields += 1 }
            guard fields == columns else {
                throw DatasetError(file: path, line: line, message: "\(fields) fields, expected \(columns) as in the header")
            }
            lines.append(line)
            var cellStart = start
            for c in 0..<columns {
                var cellEnd = cellStart
                while cellEnd < rowEnd && base[cellEnd] != delimiter { cellEnd += 1 }
                let value: Double
                if inPlace, let fast = parse(base + cellStart, count: cellEnd - cellStart) {
                    value = fast
                } else {
                    let cell = String(decoding: UnsafeBufferPointer(start: base + cellStart, count: cellEnd - cellStart), as: UTF8.self)
                    value = try number(cell, file: path, line: line, column: c, name: header[c])
                }
                if c == labelColumn { labels.append(value) } else { features.append(value) }
                cellStart = cellEnd + 1
            }
        }
    }

    /// strtod follows LC_NUMERIC, which stays "C" unless the program calls setlocale; Swift's C
    /// library overlay offers no strtod_l, so a program in a decimal-comma locale takes the String
    /// route for every cell instead of misreading them.
    static var strtodReadsDecimalPoint: Bool {
        guard let conventions = localeconv(), let point = conventions.pointee.decimal_point else { return false }
        return String(cString: point) == "."
    }

    /// A finite number filling the whole cell (spaces around it allowed), or nil for anything the
    /// careful route has to look at.
    static func parse(_ cell: UnsafePointer<UInt8>, count: Int) -> Double? {
        guard count > 0 else { return nil }
        var stop: UnsafeMutablePointer<CChar>?
        // No closure (withMemoryRebound) around the call: capturing `stop` would box it and add a
        // run-time exclusivity check per cell, which was half the reading time.
        let value = strtod(UnsafeRawPointer(cell).assumingMemoryBound(to: CChar.self), &stop)
        // No conversion leaves `stop` at the start; only then could trailing blanks pass for a number.
        guard let stop, UnsafeRawPointer(stop) > UnsafeRawPointer(cell) else { return nil }
        var rest = UnsafeRawPointer(stop).assumingMemoryBound(to: UInt8.self)
        let end = cell + count
        while rest < end && (rest.pointee == UInt8(ascii: " ") || rest.pointee == UInt8(ascii: "\t")) { rest += 1 }
        guard rest == end, value.isFinite else { return nil }
        return value
    }

    // MARK: - Files with quotes, through CSV.swift

    static func loadQuoted(path: String, delimiter: UnicodeScalar, label: String?) throws -> Dataset {
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
        if let error = readFailure(reader) { throw DatasetError(file: path, line: 1, message: "cannot be read (\(error))") }
        var line = 1 + header.reduce(0) { $0 + newlineCount($1) }
        let labelColumn = try labelColumn(header: header, path: path, label: label)
        let columns = header.count

        var features = [Double](), labels = [Double](), lines = [Int]()
        while let record = reader.next() {
            line += 1
            if let error = readFailure(reader) { throw DatasetError(file: path, line: line, message: "cannot be read (\(error))") }
            if record.count == 1 && record[0].isEmpty { continue }  // a blank line, typically the last
            guard record.count == columns else {
                throw DatasetError(file: path, line: line, message: "\(record.count) fields, expected \(columns) as in the header")
            }
            lines.append(line)
            for (c, cell) in record.enumerated() {
                let value = try number(cell, file: path, line: line, column: c, name: header[c])
                if c == labelColumn { labels.append(value) } else { features.append(value) }
            }
        }
        if let error = readFailure(reader) {
            throw DatasetError(file: path, line: line + 1, message: "cannot be read (\(error))")
        }
        return try dataset(header: header, labelColumn: labelColumn, features: features, labels: labels, lines: lines, path: path)
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
}
