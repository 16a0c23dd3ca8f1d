import Foundation
import Randomness

/// Mini-batch size m_k as a function of the iteration k (paper §3.2 and §5).
public enum BatchSchedule: Sendable, Equatable, Codable {
    /// m_k = m.
    case constant(Int)
    /// m_k = sizes[i] for boundaries[i-1] <= k < boundaries[i] (boundaries ascending; the last
    /// size holds for all later k). `boundaries.count == sizes.count - 1`.
    case piecewise(boundaries: [Int], sizes: [Int])
    /// The paper's annealing rule after Proposition 2: m(s) = min(C log(s + 2) / η, m*), s = kη,
    /// rounded down and at least `minimum`.
    case logarithmic(c: Double, eta: Double, maximum: Int, minimum: Int)

    public func batchSize(atStep k: Int) -> Int {
        switch self {
        case .constant(let m):
            return m
        case .piecewise(let boundaries, let sizes):
            var i = 0
            while i < boundaries.count && k >= boundaries[i] { i += 1 }
            return sizes[i]
        case .logarithmic(let c, let eta, let maximum, let minimum):
            let s = Double(k) * eta
            let m = c * log(s + 2) / eta
            return max(minimum, min(maximum, Int(m.rounded(.down))))
        }
    }

    /// The largest m_k over all k: what a batch buffer must hold.
    public var largestBatch: Int {
        switch self {
        case .constant(let m): return m
        case .piecewise(_, let sizes): return sizes.max() ?? 1
        case .logarithmic(_, _, let maximum, let minimum): return max(maximum, minimum)
        }
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case batchTooSmall(Int)
        case batchTooLarge(Int, datasetSize: Int)
        case malformed(String)
        public var description: String {
            switch self {
            case .batchTooSmall(let m): return "batch size must be at least 1, got \(m)"
            case .batchTooLarge(let m, let n): return "batch size \(m) exceeds the dataset size M = \(n)"
            case .malformed(let why): return "malformed batch schedule: \(why)"
            }
        }
    }

    /// Checks every size the schedule can produce against 1 <= m <= M.
    public func validate(datasetSize: Int) throws {
        let sizes: [Int]
        switch self {
        case .constant(let m): sizes = [m]
        case .piecewise(let b, let s):
            guard s.count == b.count + 1 else { throw Failure.malformed("needs one more size than boundaries") }
            guard zip(b, b.dropFirst()).allSatisfy({ $0 < $1 }) else { throw Failure.malformed("boundaries must increase") }
            sizes = s
        case .logarithmic(let c, let eta, let maximum, let minimum):
            guard c > 0, eta > 0 else { throw Failure.malformed("C and η must be positive") }
            guard minimum <= maximum else { throw Failure.malformed("minimum exceeds maximum") }
            sizes = [minimum, maximum]
        }
        for m in sizes {
            if m < 1 { throw Failure.batchTooSmall(m) }
            if m > datasetSize { throw Failure.batchTooLarge(m, datasetSize: datasetSize) }
        }
    }
}

extension BatchSchedule: CustomStringConvertible {
    /// "128", "128→2048@1000" (sizes with the steps where they change), "log(c=…, η=…, 64…4096)".
    public var description: String {
        switch self {
        case .constant(let m):
            return "\(m)"
        case .piecewise(let boundaries, let sizes):
            var text = "\(sizes[0])"
            for (b, m) in zip(boundaries, sizes.dropFirst()) { text += "→\(m)@\(b)" }
            return text
        case .logarithmic(let c, let eta, let maximum, let minimum):
            return "log(c=\(c), η=\(eta), \(minimum)…\(maximum))"
        }
    }
}

/// Uniform mini-batches without replacement: every m-subset of 0..<M equally likely, in O(m)
/// draws (Floyd, "Programming pearls: a sample of brilliance", CACM 30(9), 1987).
public enum BatchSampler {
    /// Calls `body` with m distinct indices of 0..<count (Floyd's algorithm: for j = M − m … M − 1,
    /// draw t < j + 1 and take t, or j if t was taken).
    @inlinable
    public static func forEachIndex(size m: Int, of count: Int, generator: inout PhiloxGenerator, _ body: (Int) -> Void) {
        let n = count
        // "was t taken" by a scan of the m picks when m is small (clearing a bitset over M
        // costs more than the step at m ≤ 16); the same draws and picks either way
        if m <= 16 {
            withUnsafeTemporaryAllocation(of: Int.self, capacity: max(m, 1)) { taken in
                for (k, j) in ((n - m)..<n).enumerated() {
                    let t = generator.nextInt(below: j + 1)
                    var seen = false
                    for q in 0..<k where taken[q] == t { seen = true }
                    let pick = seen ? j : t
                    taken[k] = pick
                    body(pick)
                }
            }
            return
        }
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: (n + 63) / 64) { bits in
            bits.initialize(repeating: 0)
            for j in (n - m)..<n {
                let t = generator.nextInt(below: j + 1)
                let pick = (bits[t >> 6] >> UInt64(t & 63)) & 1 == 1 ? j : t
                bits[pick >> 6] |= 1 << UInt64(pick & 63)
                body(pick)
            }
        }
    }
}
