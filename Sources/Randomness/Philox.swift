/// The Philox4x32-10 counter-based generator of Salmon, Moraes, Dror & Shaw,
/// "Parallel random numbers: as easy as 1, 2, 3" (SC'11), as specified by Random123.
///
/// A block of four 32-bit words is a pure function of a 128-bit counter and a 64-bit key:
///
///     (w0, w1, w2, w3) = philox4x32_10(counter: (c0, c1, c2, c3), key: (k0, k1))
///
/// so any random number in a simulation can be named by *what it is for* (seed, stream, path,
/// draw) instead of by *when it was asked for*. That is what makes every result in this package
/// bitwise identical for any thread count and any sharding of the paths.
///
/// Checked against Random123's published known-answer vectors (`kat_vectors`), see
/// `RandomnessTests/PhiloxTests.swift`.
public enum Philox4x32 {
    /// Round multipliers and Weyl key increments from Random123's `philox.h`.
    @usableFromInline static let multiplier0: UInt32 = 0xD251_1F53
    @usableFromInline static let multiplier1: UInt32 = 0xCD9E_8D57
    @usableFromInline static let weyl0: UInt32 = 0x9E37_79B9
    @usableFromInline static let weyl1: UInt32 = 0xBB67_AE85

    /// Ten rounds of Philox4x32 on one counter block.
    @inlinable
    public static func block(
        counter: (UInt32, UInt32, UInt32, UInt32), key: (UInt32, UInt32)
    ) -> (UInt32, UInt32, UInt32, UInt32) {
        var (c0, c1, c2, c3) = counter
        var (k0, k1) = key
        for round in 0..<10 {
            if round > 0 {
                k0 &+= weyl0
                k1 &+= weyl1
            }
            let p0 = UInt64(multiplier0) &* UInt64(c0)
            let p1 = UInt64(multiplier1) &* UInt64(c2)
            let n0 = UInt32(truncatingIfNeeded: p1 >> 32) ^ c1 ^ k0
            let n2 = UInt32(truncatingIfNeeded: p0 >> 32) ^ c3 ^ k1
            (c0, c1, c2, c3) = (n0, UInt32(truncatingIfNeeded: p1), n2, UInt32(truncatingIfNeeded: p0))
        }
        return (c0, c1, c2, c3)
    }
}
