import Foundation

/// The IDX format of the MNIST files: a magic number (0x00 0x00 type ndim), ndim big-endian
/// 32-bit dimensions, then the data. Only unsigned bytes (type 0x08) are accepted.
public struct IDXArray: Sendable, Equatable {
    public var dimensions: [Int]
    public var bytes: [UInt8]

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case tooShort(Int)
        case badMagic([UInt8])
        case unsupportedType(UInt8)
        case badDimensions([Int])
        case wrongLength(expected: Int, found: Int)
        case unreadable(String)

        public var description: String {
            switch self {
            case .tooShort(let n): return "IDX file of \(n) bytes is too short for a header"
            case .badMagic(let m): return "not an IDX file: magic bytes \(m.map { String(format: "%02x", $0) }.joined(separator: " ")) (expected 00 00 08 0n)"
            case .unsupportedType(let t): return String(format: "IDX element type 0x%02x is not supported (expected 0x08, unsigned bytes)", t)
            case .badDimensions(let d): return "IDX dimensions \(d) are invalid"
            case .wrongLength(let e, let f): return "IDX data holds \(f) bytes but its header promises \(e) (truncated or corrupted)"
            case .unreadable(let why): return "cannot read IDX data: \(why)"
            }
        }
    }

    /// Parses raw or gzipped IDX data.
    public init(data raw: Data) throws {
        let data: Data
        if Gzip.isCompressed(raw) {
            do { data = try Gzip.decompress(raw) } catch { throw Failure.unreadable("\(error)") }
        } else {
            data = raw
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 4 else { throw Failure.tooShort(bytes.count) }
        guard bytes[0] == 0, bytes[1] == 0, (1...4).contains(bytes[3]) else { throw Failure.badMagic(Array(bytes[0..<4])) }
        guard bytes[2] == 0x08 else { throw Failure.unsupportedType(bytes[2]) }
        let ndim = Int(bytes[3])
        guard bytes.count >= 4 + 4 * ndim else { throw Failure.tooShort(bytes.count) }
        var dims: [Int] = []
        for i in 0..<ndim {
            let o = 4 + 4 * i
            dims.append(Int(bytes[o]) << 24 | Int(bytes[o + 1]) << 16 | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]))
        }
        guard dims.allSatisfy({ $0 > 0 && $0 < 1 << 28 }) else { throw Failure.badDimensions(dims) }
        let payload = bytes.count - 4 - 4 * ndim
        // the header's product can exceed any file (and Int): multiply with a check, and a
        // product beyond the payload is a wrong length whatever its exact value
        var expected = 1
        for d in dims {
            let (product, overflow) = expected.multipliedReportingOverflow(by: d)
            guard !overflow, product <= payload else { throw Failure.wrongLength(expected: overflow ? Int.max : product, found: payload) }
            expected = product
        }
        guard payload == expected else { throw Failure.wrongLength(expected: expected, found: payload) }
        dimensions = dims
        self.bytes = Array(bytes[(4 + 4 * ndim)...])
    }

    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw Failure.unreadable("\(url.path): \(error.localizedDescription)") }
        try self.init(data: data)
    }
}
