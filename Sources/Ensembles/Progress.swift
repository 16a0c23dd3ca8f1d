import Foundation
import Synchronization

/// A one-line progress display on stderr ("\r"-rewritten), shown only when stderr is a
/// terminal and the user did not ask for quiet output. Thread-safe; throttled to 4 updates/s.
public final class ProgressReporter: Sendable {
    struct State {
        var label = ""
        var done = 0.0
        var total = 1.0
        var unit = "paths"
        var started = Date()
        var lastDraw = Date.distantPast
        var drawn = false
    }

    private let state = Mutex(State())
    public let enabled: Bool

    /// - Parameter quiet: suppress output regardless of the terminal.
    public init(quiet: Bool) {
        enabled = !quiet && isatty(STDERR_FILENO) == 1
    }

    public func begin(_ label: String, total: Double, unit: String = "paths") {
        state.withLock {
            $0.label = label
            $0.total = max(total, 1)
            $0.done = 0
            $0.unit = unit
            $0.started = Date()
            $0.lastDraw = .distantPast
        }
        draw(force: true)
    }

    public func advance(by amount: Double) {
        state.withLock { $0.done += amount }
        draw(force: false)
    }

    public func end() {
        guard enabled else { return }
        draw(force: true)
        state.withLock { s in
            if s.drawn { FileHandle.standardError.write(Data("\n".utf8)) }
            s.drawn = false
        }
    }

    private func draw(force: Bool) {
        guard enabled else { return }
        let line: String? = state.withLock { s in
            let now = Date()
            guard force || now.timeIntervalSince(s.lastDraw) >= 0.25 else { return nil }
            s.lastDraw = now
            s.drawn = true
            let elapsed = now.timeIntervalSince(s.started)
            let rate = elapsed > 0 ? s.done / elapsed : 0
            let fraction = min(1, s.done / s.total)
            let eta = rate > 0 ? (s.total - s.done) / rate : .infinity
            return String(format: "\r\u{1B}[2K%@  %5.1f%%  %@ %@/s  elapsed %@  ETA %@",
                          s.label, 100 * fraction, Self.compact(rate), s.unit,
                          Self.duration(elapsed), eta.isFinite ? Self.duration(eta) : "--")
        }
        if let line { FileHandle.standardError.write(Data(line.utf8)) }
    }

    static func compact(_ x: Double) -> String {
        x >= 1e4 ? String(format: "%.2e", x) : String(format: "%.0f", x)
    }

    static func duration(_ s: Double) -> String {
        if s < 60 { return String(format: "%.0fs", s) }
        if s < 3600 { return String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) }
        return String(format: "%dh%02dm", Int(s) / 3600, (Int(s) % 3600) / 60)
    }
}
