import Foundation
import Numerics

/// What produced a result.
public struct SoftwareInfo: Sendable, Codable, Equatable {
    public var name = "sgd-diffusion"
    public var version = SoftwareInfo.currentVersion
    public var blasKernel: String
    public var cpu: String
    public var threads: Int
    public var date: String

    public static let currentVersion = "0.1.0"

    public static func current(threads: Int) -> SoftwareInfo {
        SoftwareInfo(blasKernel: BLASRuntime.coreName, cpu: cpuModel(), threads: threads,
                     date: ISO8601DateFormatter().string(from: Date()))
    }

    static func cpuModel() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            return line.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        }
        return "unknown"
    }
}
