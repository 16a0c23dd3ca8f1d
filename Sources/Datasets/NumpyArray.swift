import Foundation

/// A numeric array read from NumPy's `.npy` format (numpy.lib.format, versions 1.0, 2.0, 3.0):
/// the magic `\x93NUMPY`, a version, a little-endian header length, a Python dict literal with
/// exactly `descr`, `fortran_order` and `shape`, then the raw elements.
///
/// Only what data sets are made of is accepted: 1-D or 2-D arrays of <f8, <f4, <i8, <i4 or |u1
/// (also |i1, <u4, <u8, |b1), C or Fortran order. Anything else is refused with its name, never guessed.
struct NumpyArray: Equatable {
    /// The dimensions, one or two of them.
    let shape: [Int]
    /// Row-major (C order) values, whatever the file's order.
    let values: [Double]
    let dtype: String

    var rows: Int { shape[0] }
    var columns: Int { shape.count == 2 ? shape[1] : 1 }

    struct FormatError: Error { let message: String }

    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
    private static let itemSizes: [String: Int] = [
        "<f8": 8, "<f4": 4, "<i8": 8, "<i4": 4, "<u8": 8, "<u4": 4, "|u1": 1, "|i1": 1, "|b1": 1,
    ]

    init(bytes: Data) throws(FormatError) {
        let b = [UInt8](bytes)
        guard b.count >= 10, Array(b[0..<6]) == Self.magic else {
            throw FormatError(message: "not a .npy file (it does not start with \\x93NUMPY)")
        }
        let major = b[6], minor = b[7]
        let headerLength: Int, headerStart: Int
        switch (major, minor) {
        case (1, 0):
            headerLength = Int(b[8]) | Int(b[9]) << 8
            headerStart = 10
        case (2, 0), (3, 0):
            guard b.count >= 12 else { throw FormatError(message: "truncated .npy header") }
            headerLength = Int(b[8]) | Int(b[9]) << 8 | Int(b[10]) << 16 | Int(b[11]) << 24
            headerStart = 12
        default:
            throw FormatError(message: "unsupported .npy format version \(major).\(minor) (known: 1.0, 2.0, 3.0)")
        }
        guard headerLength <= b.count - headerStart else {
            throw FormatError(message: "truncated .npy header: it claims \(headerLength) bytes, the file has \(b.count - headerStart) after the preamble")
        }
        let dataStart = headerStart + headerLength
        // Version 3.0 only differs by allowing UTF-8 in the header; ASCII is a subset.
        guard let headerText = String(bytes: b[headerStart..<dataStart], encoding: major == 3 ? .utf8 : .ascii) else {
            throw FormatError(message: "the .npy header is not \(major == 3 ? "UTF-8" : "ASCII") text")
        }
        let header = try Self.parseHeader(headerText)

        guard let itemSize = Self.itemSizes[header.descr] else {
            if header.descr.hasSuffix("O") {
                throw FormatError(message: "dtype '\(header.descr)' is an object array (pickled Python objects); save a numeric array, e.g. X.astype(float)")
            }
            if header.descr.hasPrefix(">") {
                throw FormatError(message: "dtype '\(header.descr)' is big-endian; save with X.astype('<f8')")
            }
            throw FormatError(message: "unsupported dtype '\(header.descr)' (supported: <f8, <f4, <i8, <i4, |u1, |i1, <u8, <u4, |b1)")
        }
        guard header.shape.count == 1 || header.shape.count == 2 else {
            let shapeText = "(" + header.shape.map(String.init).joined(separator: ", ") + (header.shape.count == 1 ? ",)" : ")")
            throw FormatError(message: "a \(header.shape.count)-D array of shape \(shapeText); a data set needs 1-D or 2-D arrays")
        }
        var count = 1
        for n in header.shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow else { throw FormatError(message: "shape \(header.shape) has more elements than can be addressed") }
            count = product
        }
        let available = b.count - dataStart
        let (needed, overflow) = count.multipliedReportingOverflow(by: itemSize)
        guard !overflow, needed <= available else {
            throw FormatError(message: "truncated data: shape \(header.shape) of \(header.descr) needs \(overflow ? "more than Int.max" : String(needed)) bytes, the file has \(available)")
        }
        guard needed == available else {
            throw FormatError(message: "\(available - needed) bytes after the data that shape \(header.shape) of \(header.descr) does not account for")
        }

        var values = [Double](repeating: 0, count: count)
        b.withUnsafeBytes { raw in
            let data = UnsafeRawBufferPointer(rebasing: raw[dataStart...])
            func read<T>(_: T.Type, _ convert: (T) -> Double) {
                for k in 0..<count { values[k] = convert(data.loadUnaligned(fromByteOffset: k * itemSize, as: T.self)) }
            }
            // The file is little-endian and so is every platform Swift on Linux/macOS runs on; the
            // `littleEndian` conversions make that assumption harmless rather than silent.
            switch header.descr {
            case "<f8": read(UInt64.self) { Double(bitPattern: UInt64(littleEndian: $0)) }
            case "<f4": read(UInt32.self) { Double(Float(bitPattern: UInt32(littleEndian: $0))) }
            case "<i8": read(Int64.self) { Double(Int64(littleEndian: $0)) }
            case "<i4": read(Int32.self) { Double(Int32(littleEndian: $0)) }
            case "<u8": read(UInt64.self) { Double(UInt64(littleEndian: $0)) }
            case "<u4": read(UInt32.self) { Double(UInt32(littleEndian: $0)) }
            case "|i1": read(Int8.self) { Double($0) }
            default: read(UInt8.self) { Double($0) }  // |u1, |b1
            }
        }
        if header.fortranOrder && header.shape.count == 2 {
            let (rows, columns) = (header.shape[0], header.shape[1])
            var transposed = values
            for j in 0..<columns {
                for i in 0..<rows { transposed[i * columns + j] = values[j * rows + i] }
            }
            values = transposed
        }
        self.shape = header.shape
        self.values = values
        self.dtype = header.descr
    }

    var shapeText: String {
        "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    }

    // MARK: - The header dict

    struct Header { var descr: String; var fortranOrder: Bool; var shape: [Int] }

    /// Parses `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }` followed by spaces and a
    /// newline. A structured dtype (a list for 'descr') or any other key is an error.
    static func parseHeader(_ text: String) throws(FormatError) -> Header {
        var s = Substring(text)
        func fail(_ what: String) -> FormatError { FormatError(message: "malformed .npy header (\(what)): \(text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(120))") }
        func skipSpace() { while let c = s.first, c == " " || c == "\t" || c == "\n" { s.removeFirst() } }
        func expect(_ c: Character) throws(FormatError) {
            skipSpace()
            guard s.first == c else { throw fail("expected '\(c)'") }
            s.removeFirst()
        }
        func quoted() throws(FormatError) -> String {
            skipSpace()
            guard let q = s.first, q == "'" || q == "\"" else { throw fail("expected a quoted string") }
            s.removeFirst()
            guard let end = s.firstIndex(of: q) else { throw fail("unterminated string") }
            defer { s = s[s.index(after: end)...] }
            return String(s[..<end])
        }
        func integer() throws(FormatError) -> Int {
            skipSpace()
            let digits = s.prefix(while: \.isASCII).prefix(while: \.isNumber)
            guard !digits.isEmpty, let n = Int(digits) else { throw fail("expected a non-negative integer in the shape") }
            s = s.dropFirst(digits.count)
            skipSpace()
            if s.first == "L" { s.removeFirst() }  // Python 2 longs, still in old files
            return n
        }

        var descr: String?, fortranOrder: Bool?, shape: [Int]?
        try expect("{")
        while true {
            skipSpace()
            if s.first == "}" { s.removeFirst(); break }
            let key = try quoted()
            try expect(":")
            skipSpace()
            switch key {
            case "descr":
                if s.first == "[" {
                    throw FormatError(message: "a structured dtype (record array); save a plain numeric array instead")
                }
                descr = try quoted()
            case "fortran_order":
                if s.hasPrefix("True") { fortranOrder = true; s = s.dropFirst(4) }
                else if s.hasPrefix("False") { fortranOrder = false; s = s.dropFirst(5) }
                else { throw fail("fortran_order must be True or False") }
            case "shape":
                try expect("(")
                var dims = [Int]()
                skipSpace()
                while s.first != ")" {
                    dims.append(try integer())
                    skipSpace()
                    if s.first == "," { s.removeFirst(); skipSpace() } else if s.first != ")" { throw fail("expected ',' or ')' in the shape") }
                }
                s.removeFirst()
                shape = dims
            default:
                throw fail("unexpected key '\(key)'")
            }
            skipSpace()
            if s.first == "," { s.removeFirst() } else if s.first != "}" { throw fail("expected ',' or '}'") }
        }
        skipSpace()
        guard s.isEmpty else { throw fail("text after the closing brace") }
        guard let descr, let fortranOrder, let shape else { throw fail("it needs 'descr', 'fortran_order' and 'shape'") }
        return Header(descr: descr, fortranOrder: fortranOrder, shape: shape)
    }
}
