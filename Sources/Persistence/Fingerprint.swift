import Foundation

/// A stable 64-bit FNV-1a fingerprint of a configuration's canonical JSON, guarding
/// checkpoints and shard merges against mixing runs.
public func fingerprint<C: Encodable>(_ configuration: C) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    let data = try encoder.encode(configuration)
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in data {
        hash ^= UInt64(byte)
        hash &*= 0x0000_0100_0000_01b3
    }
    return String(hash, radix: 16)
}
