import Foundation
import Persistence

/// A training run's full state, written atomically every epoch so that a killed run resumes to
/// the bitwise identical result. Binary, since the weights, velocity, initial weights and best
/// weights are ~6 million floats (as JSON, writing them would cost a good part of an epoch):
///
///     "SGDCKPT1" | UInt64 LE length of the JSON header | header | Float32 LE arrays, in header order
struct TrainingCheckpoint {
    struct Header: Codable {
        var fingerprint: String
        var iteration: Int
        var epoch: Int
        var cursor: Int
        var lossSum: Double
        var lossCount: Int
        var record: TrainingRecord
        var bestTestAccuracy: Double?
        /// Name and length of each Float32 array following the header.
        var arrays: [Entry]
        struct Entry: Codable { var name: String; var count: Int }
    }

    var header: Header
    var arrays: [String: [Float]]

    static let magic = Array("SGDCKPT1".utf8)

    struct Malformed: Error, CustomStringConvertible {
        var url: URL
        var why: String
        var description: String { "checkpoint \(url.path) is unreadable (\(why)); delete it (or pass --restart) to start the run afresh" }
    }

    func encoded() throws -> Data {
        var header = header
        header.arrays = arrays.keys.sorted().map { .init(name: $0, count: arrays[$0]!.count) }
        let json = try JSONOutput.encode(header)
        var data = Data(Self.magic)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(json)
        for entry in header.arrays {
            arrays[entry.name]!.withUnsafeBufferPointer { p in
                // x86-64 and arm64 are little-endian, the format's byte order
                data.append(UnsafeBufferPointer(start: UnsafeRawPointer(p.baseAddress!).assumingMemoryBound(to: UInt8.self), count: p.count * 4))
            }
        }
        return data
    }

    func write(to url: URL) throws { try AtomicFile.write(try encoded(), to: url) }

    /// nil if there is no file; throws `Malformed` if there is one that cannot be read.
    static func read(from url: URL) throws -> TrainingCheckpoint? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw Malformed(url: url, why: error.localizedDescription) }
        let bytes = [UInt8](data)
        guard bytes.count >= 16, Array(bytes[0..<8]) == magic else { throw Malformed(url: url, why: "not a training checkpoint") }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[8 + i]) << (8 * UInt64(i)) }
        guard length <= UInt64(bytes.count - 16) else { throw Malformed(url: url, why: "truncated header") }
        let headerEnd = 16 + Int(length)
        let header: Header
        do { header = try JSONOutput.decoder().decode(Header.self, from: Data(bytes[16..<headerEnd])) } catch { throw Malformed(url: url, why: "header: \(error)") }
        let expected = header.arrays.reduce(0) { $0 + 4 * $1.count }
        guard header.arrays.allSatisfy({ $0.count >= 0 }), bytes.count - headerEnd == expected else {
            throw Malformed(url: url, why: "holds \(bytes.count - headerEnd) bytes of arrays, header promises \(expected) (truncated?)")
        }
        var arrays: [String: [Float]] = [:]
        var offset = headerEnd
        for entry in header.arrays {
            arrays[entry.name] = bytes[offset..<(offset + 4 * entry.count)].withUnsafeBytes { raw in
                (0..<entry.count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
            }
            offset += 4 * entry.count
        }
        return TrainingCheckpoint(header: header, arrays: arrays)
    }

    func array(_ name: String, count: Int, url: URL) throws -> [Float] {
        guard let a = arrays[name], a.count == count else { throw Malformed(url: url, why: "array \(name) missing or of the wrong length") }
        return a
    }
}

extension NetworkState {
    /// Saves the weights and batch-norm statistics in the checkpoint format (atomically).
    public func write(to url: URL) throws {
        let header = TrainingCheckpoint.Header(fingerprint: "state:" + widths.map(String.init).joined(separator: ","), iteration: 0, epoch: 0, cursor: 0,
                                               lossSum: 0, lossCount: 0, record: TrainingRecord(), bestTestAccuracy: nil, arrays: [])
        try TrainingCheckpoint(header: header, arrays: ["parameters": parameters, "runningMean": runningMean.flatMap { $0 },
                                                        "runningVariance": runningVariance.flatMap { $0 }]).write(to: url)
    }

    /// Reads what `write(to:)` saved; nil if there is no file.
    public static func read(from url: URL) throws -> NetworkState? {
        guard let saved = try TrainingCheckpoint.read(from: url) else { return nil }
        let tag = saved.header.fingerprint
        guard tag.hasPrefix("state:") else { throw TrainingCheckpoint.Malformed(url: url, why: "not a saved network state") }
        let widths = tag.dropFirst(6).split(separator: ",").compactMap { Int($0) }
        guard widths.count >= 2 else { throw TrainingCheckpoint.Malformed(url: url, why: "bad widths \(tag)") }
        let network = F1Network<Float>(widths: widths, seed: 0)
        let hidden = network.runningMean.map(\.count)
        func unflatten(_ flat: [Float]) -> [[Float]] {
            var out: [[Float]] = [], offset = 0
            for n in hidden { out.append(Array(flat[offset..<(offset + n)])); offset += n }
            return out
        }
        network.parameters = try saved.array("parameters", count: network.parameterCount, url: url)
        network.runningMean = unflatten(try saved.array("runningMean", count: hidden.reduce(0, +), url: url))
        network.runningVariance = unflatten(try saved.array("runningVariance", count: hidden.reduce(0, +), url: url))
        return NetworkState(network)
    }
}
