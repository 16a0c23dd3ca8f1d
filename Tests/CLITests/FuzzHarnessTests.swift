import Foundation
import Testing

/// A short run of scripts/fuzz-cli (the long one is documented in the README): generated
/// argument vectors and damaged input files at every command; no run may crash, hang, print
/// non-JSON under --json, or fail without a clear error.
@Suite struct FuzzHarnessTests {
    @Test func shortFuzzRunFindsNothing() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        // a fixed seed, so a failure here reproduces with the same command line
        process.arguments = ["python3", root.appendingPathComponent("scripts/fuzz-cli").path, "--binary", Tool.executable.path,
                             "--runs", "150", "--seed", "20261201", "--jobs", "2"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("150 runs") && text.contains(" 0 crashes, 0 hangs"), "\(text)")
    }
}
