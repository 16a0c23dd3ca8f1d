import ArgumentParser
import Foundation
import SGDDiffusion

/// An error whose text is meant for the user as it stands: ArgumentParser prints it after
/// "Error: " with no usage block.
struct UserFacingError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// What went wrong, in one line: the path and the operating system's reason for file errors,
/// the field and the problem for malformed JSON, the error's own description otherwise (never
/// an NSError dump).
func reason(_ error: Error) -> String {
    if let decoding = error as? DecodingError { return describe(decoding) }
    let text = String(describing: error)
    guard error is CocoaError || error is POSIXError || text.contains("Error Domain=") else { return text.replacingOccurrences(of: "\n", with: "; ") }
    let ns = error as NSError
    var parts: [String] = []
    if let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path { parts.append(path) }
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        parts.append(String(cString: strerror(Int32(underlying.code))))
    } else if let posix = error as? POSIXError {
        parts.append(String(cString: strerror(posix.code.rawValue)))
    } else {
        parts.append(cocoaReason(ns))
    }
    return parts.joined(separator: ": ")
}

private func cocoaReason(_ ns: NSError) -> String {
    guard ns.domain == NSCocoaErrorDomain else { return ns.localizedDescription }
    switch CocoaError.Code(rawValue: ns.code) {
    case .fileNoSuchFile, .fileReadNoSuchFile: return "no such file or directory"
    case .fileReadNoPermission, .fileWriteNoPermission: return "permission denied"
    case .fileWriteOutOfSpace: return "no space left on the device"
    case .fileWriteVolumeReadOnly: return "read-only file system"
    case .fileWriteFileExists: return "a file is in the way"
    case .fileReadCorruptFile: return "the file is corrupt or not in the expected format"
    default: return ns.localizedDescription
    }
}

private func describe(_ error: DecodingError) -> String {
    func at(_ path: [CodingKey]) -> String {
        path.isEmpty ? "" : " at " + path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
    switch error {
    case .dataCorrupted(let c): return "not valid JSON\(at(c.codingPath))"
    case .keyNotFound(let key, let c): return "field '\(key.stringValue)' is missing\(at(c.codingPath))"
    case .typeMismatch(_, let c), .valueNotFound(_, let c): return "unexpected value\(at(c.codingPath)): \(c.debugDescription)"
    @unknown default: return "malformed JSON"
    }
}
