/// Eight independent Philox4x32-10 blocks at once, one per SIMD lane.
///
/// Each 32-bit word lives in the low half of a 64-bit lane so that the 32x32->64 multiply of a
/// round is a single `vpmuludq` (or its equivalent) across all eight lanes. The eight lanes are
/// eight different counters that share a key; callers put the path index in one counter word.
/// Results are bitwise identical to `Philox4x32.block`, lane by lane (tested).
public typealias LaneWords = SIMD8<UInt64>

@inlinable @inline(__always)
func philoxRound(_ c: inout (LaneWords, LaneWords, LaneWords, LaneWords), _ k0: UInt64, _ k1: UInt64) {
    let low = LaneWords(repeating: 0xffff_ffff)
    let p0: LaneWords = (c.0 & low) &* LaneWords(repeating: UInt64(Philox4x32.multiplier0))
    let p1: LaneWords = (c.2 & low) &* LaneWords(repeating: UInt64(Philox4x32.multiplier1))
    let n0: LaneWords = (p1 &>> 32) ^ c.1 ^ LaneWords(repeating: k0)
    let n2: LaneWords = (p0 &>> 32) ^ c.3 ^ LaneWords(repeating: k1)
    c = (n0, p1 & low, n2, p0 & low)
}

extension Philox4x32 {
    /// Philox4x32-10 on eight counters that share a key; words are held in the low 32 bits.
    ///
    /// The ten rounds are written out because the loop form left the key schedule as a
    /// loop-carried dependency and hid from the optimiser that the multiplicands fit in 32 bits.
    @inlinable @inline(__always)
    public static func lanes(
        _ c0: LaneWords, _ c1: LaneWords, _ c2: LaneWords, _ c3: LaneWords, key: (UInt32, UInt32)
    ) -> (LaneWords, LaneWords, LaneWords, LaneWords) {
        var c = (c0, c1, c2, c3)
        let k0 = UInt64(key.0), k1 = UInt64(key.1)
        let w0 = UInt64(weyl0), w1 = UInt64(weyl1)
        let mask: UInt64 = 0xffff_ffff
        philoxRound(&c, k0, k1)
        philoxRound(&c, (k0 &+ w0) & mask, (k1 &+ w1) & mask)
        philoxRound(&c, (k0 &+ 2 &* w0) & mask, (k1 &+ 2 &* w1) & mask)
        philoxRound(&c, (k0 &+ 3 &* w0) & mask, (k1 &+ 3 &* w1) & mask)
        philoxRound(&c, (k0 &+ 4 &* w0) & mask, (k1 &+ 4 &* w1) & mask)
        philoxRound(&c, (k0 &+ 5 &* w0) & mask, (k1 &+ 5 &* w1) & mask)
        philoxRound(&c, (k0 &+ 6 &* w0) & mask, (k1 &+ 6 &* w1) & mask)
        philoxRound(&c, (k0 &+ 7 &* w0) & mask, (k1 &+ 7 &* w1) & mask)
        philoxRound(&c, (k0 &+ 8 &* w0) & mask, (k1 &+ 8 &* w1) & mask)
        philoxRound(&c, (k0 &+ 9 &* w0) & mask, (k1 &+ 9 &* w1) & mask)
        return c
    }
}
