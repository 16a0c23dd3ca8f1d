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
    let path = ns.userInfo[NSFilePathErrorKey] as? String ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    let why: String
    if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        why = String(cString: strerror(Int32(underlying.code)))
    } else if let posix = error as? POSIXError {
        why = String(cString: strerror(posix.code.rawValue))
    } else if let path, let found = obstacle(on: path) {
        why = found
    } else {
        why = cocoaReason(ns)
    }
    return [path, why].compactMap { $0 }.joined(separator: ": ")
}

/// `reason(error)`, with `path` in front when the error does not name it.
func reason(_ error: Error, path: String) -> String {
    let text = reason(error)
    return text.hasPrefix(path) || text.hasPrefix(URL(fileURLWithPath: path).path) ? text : "\(path): \(text)"
}

/// Foundation reports some failures without their cause ("error 512"): look at the path itself
/// for what is in the way.
private func obstacle(on path: String) -> String? {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        if isDirectory.boolValue { return "is a directory" }
        if !FileManager.default.isReadableFile(atPath: path) { return "permission denied" }
        return nil
    }
    var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
    while ancestor.path != "/" && !FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
        ancestor = ancestor.deletingLastPathComponent()
    }
    if !isDirectory.boolValue { return "\(ancestor.path) is a file, not a directory" }
    if !FileManager.default.isWritableFile(atPath: ancestor.path) { return "\(ancestor.path) is not writable" }
    return nil
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
    case .dataCorrupted(let c): return c.codingPath.isEmpty ? "not valid JSON" : "malformed value\(at(c.codingPath))"
    case .keyNotFound(let key, let c): return "field '\(key.stringValue)' is missing\(at(c.codingPath))"
    case .typeMismatch(_, let c), .valueNotFound(_, let c): return "unexpected value\(at(c.codingPath)): \(c.debugDescription)"
    @unknown default: return "malformed JSON"
    }
}
