import Foundation

/// Writes files so that a reader (or a resumed run) never sees half of one: data goes to a
/// temporary file in the same directory, which is then renamed over the target (rename(2) is
/// atomic within a filesystem).
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // unique per call: two threads of one process may write the same target
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        try data.write(to: temporary)
        if rename(temporary.path, url.path) != 0 {
            let code = errno
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path, NSUnderlyingErrorKey: POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)])
        }
    }

    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }
}

/// The files an experiment writes into its folder, each atomically, remembering which.
public struct ArtifactWriter {
    public let directory: URL
    public private(set) var written: [URL] = []

    public init(_ directory: URL) { self.directory = directory }

    public mutating func put(_ name: String, _ text: String) throws { try put(name, Data(text.utf8)) }

    public mutating func put(_ name: String, _ data: Data) throws {
        let url = directory.appendingPathComponent(name)
        try AtomicFile.write(data, to: url)
        written.append(url)
    }
}
