/// What a stream of random numbers is for. Two streams with different IDs are independent even
/// under the same seed and path; the ID occupies the fourth Philox counter word.
public struct StreamID: RawRepresentable, Hashable, Sendable, Codable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Brownian increments of an SDE, and the Gaussian variates that drive coupled SGD noise.
    public static let driving = StreamID(rawValue: 0)
    /// Two-point variables of weak second-order schemes (Kloeden–Platen's V_{r,j}).
    public static let auxiliary = StreamID(rawValue: 1)
    /// Discrete sampling inside a step, such as mini-batch indices.
    public static let sampling = StreamID(rawValue: 2)
    /// Random initial conditions.
    public static let initial = StreamID(rawValue: 3)
    /// Rare-event splitting: resampling and cloning decisions.
    public static let splitting = StreamID(rawValue: 4)
    /// An independent replica of `.driving`, for estimators that must not share noise.
    public static func independent(_ k: UInt32) -> StreamID { StreamID(rawValue: 0x1000 &+ k) }
}

/// A seed split into Philox's two key words.
@inlinable
func philoxKey(_ seed: UInt64) -> (UInt32, UInt32) {
    (UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
}
