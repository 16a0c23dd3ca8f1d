/// How `GaussianStream` turns Philox words into standard normal variates.
///
/// Both are exact in law (up to the resolution stated below) and pure functions of
/// (seed, stream, path, draw), so either gives results that are bitwise identical for any thread
/// count or shard layout; they give *different* numbers, so a run is reproducible only with the
/// method it was made with (checkpoints record it).
public enum NormalMethod: String, CaseIterable, Sendable, Codable, Hashable {
    /// Box–Muller on one Philox block per two Double variates (52-bit radius and angle, tails
    /// exact to 8.5σ) or per four Float variates. The default: every published result was made with it.
    case boxMuller = "box-muller"
    /// A 1024-layer ziggurat on one 32-bit Philox word per variate, Double or Float alike (four
    /// variates per block); the 0.43% of words that miss a layer's inner box (wedges, and the
    /// tail beyond r = 4.039) are resolved from a fallback block named by the same (path, draw),
    /// so consumption is fixed and the tail is exact to the precision of Double.
    case ziggurat

    /// The default for every engine and command.
    public static let standard: NormalMethod = .boxMuller
}
