import Foundation
import Testing
import ZIPFoundation
@testable import Datasets

/// A fresh directory for one test's files, removed when released.
final class Scratch {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("datasets-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    @discardableResult
    func write(_ name: String, _ bytes: Data) throws -> String {
        let p = path(name)
        try bytes.write(to: URL(fileURLWithPath: p))
        return p
    }

    /// A zip archive of `members` (name → bytes), deflated or stored as numpy.savez_compressed / savez do.
    @discardableResult
    func writeZip(_ name: String, _ members: [(String, Data)], compressed: Bool = true) throws -> String {
        let p = path(name)
        let archive = try Archive(url: URL(fileURLWithPath: p), accessMode: .create)
        for (member, bytes) in members {
            try archive.addEntry(with: member, type: .file, uncompressedSize: Int64(bytes.count),
                                 compressionMethod: compressed ? .deflate : .none) { position, size in
                bytes.subdata(in: Int(position) ..< Int(position) + size)
            }
        }
        return p
    }
}

/// The committed files written by numpy 2.4 (see Fixtures/README.md for the script).
func fixture(_ name: String) -> String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)").path
}

/// .npy bytes as numpy.lib.format writes them (version 1.0, header padded to a multiple of 64),
/// with the header text and payload under the test's control so malformed files can be made too.
func npy(header: String, payload: Data, version: (UInt8, UInt8) = (1, 0), magic: [UInt8] = [0x93] + Array("NUMPY".utf8)) -> Data {
    let preamble = version.0 == 1 ? 10 : 12
    var text = header
    let padded = ((preamble + text.utf8.count + 1 + 63) / 64) * 64
    text += String(repeating: " ", count: padded - preamble - text.utf8.count - 1) + "\n"
    var bytes = Data(magic)
    bytes.append(contentsOf: [version.0, version.1])
    let n = text.utf8.count
    bytes.append(contentsOf: version.0 == 1 ? [UInt8(n & 0xff), UInt8(n >> 8)]
                                            : [UInt8(n & 0xff), UInt8((n >> 8) & 0xff), UInt8((n >> 16) & 0xff), UInt8(n >> 24)])
    bytes.append(Data(text.utf8))
    bytes.append(payload)
    return bytes
}

/// A little-endian float64 .npy of `values` with `shape` (C order).
func npyDoubles(_ values: [Double], shape: [Int]) -> Data {
    let shapeText = "(" + shape.map(String.init).joined(separator: ", ") + (shape.count == 1 ? ",)" : ")")
    var payload = Data()
    for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
    return npy(header: "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }", payload: payload)
}

/// The error `body` throws, or a recorded failure if it returns normally or throws something else.
func datasetError(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> DatasetError? {
    do {
        try body()
        Issue.record("expected a DatasetError, got success", sourceLocation: sourceLocation)
    } catch let error as DatasetError {
        return error
    } catch {
        Issue.record("expected a DatasetError, got \(error)", sourceLocation: sourceLocation)
    }
    return nil
}
