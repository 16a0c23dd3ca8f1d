import CZlibShim
import Foundation

/// gzip (or zlib) decompression through the system zlib.
enum Gzip {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func isCompressed(_ data: Data) -> Bool { data.count >= 2 && data[data.startIndex] == 0x1f && data[data.startIndex + 1] == 0x8b }

    /// Decompresses a whole gzip member; a truncated or corrupted stream is an error.
    static func decompress(_ data: Data) throws -> Data {
        var stream = z_stream()
        // 15 + 32: accept gzip or zlib headers
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw Failure(description: "zlib could not be initialised")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        let chunk = 1 << 20
        var buffer = [UInt8](repeating: 0, count: chunk)
        var status: Int32 = Z_OK
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            repeat {
                status = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = uInt(chunk)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                guard status == Z_OK || status == Z_STREAM_END else {
                    throw Failure(description: status == Z_DATA_ERROR ? "corrupted gzip data" : "gzip error \(status)")
                }
                output.append(contentsOf: buffer[0..<(chunk - Int(stream.avail_out))])
                if status == Z_OK && stream.avail_in == 0 && stream.avail_out != 0 {
                    throw Failure(description: "truncated gzip data")
                }
            } while status != Z_STREAM_END
        }
        return output
    }
}
