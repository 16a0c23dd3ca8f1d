/// The exact sum of any number of finite doubles, independent of the order of addition.
///
/// A "small superaccumulator" after R. M. Neal, "Fast exact summation using small and large
/// superaccumulators" (arXiv:1505.05571): 68 chunks of 32 bits, each held in an Int64 so that
/// 2^30 additions fit before carries must be propagated. Because the represented value is exact,
/// two accumulators merged in any order hold the same state, and `value` rounds that state the
/// same way every time. This is what lets an ensemble split over threads, shards or resumed
/// runs reproduce the unsplit result bit for bit.
///
/// Non-finite inputs are not added; they are counted, so a caller can report them.
public struct ExactSum: Sendable, Equatable, Codable {
    /// Chunk k holds the coefficient of 2^(32k - 1088).
    @usableFromInline var chunks: [Int64]
    @usableFromInline var pendingAdds: Int = 0
    public private(set) var nonFinite: Int = 0

    @usableFromInline static let chunkCount = 68
    @usableFromInline static let bias = 1088  // 2^-1088 is below the least subnormal 2^-1074
    @usableFromInline static let addsBeforeCarry = 1 << 30

    public init() { chunks = Array(repeating: 0, count: Self.chunkCount) }

    /// The right number of chunks, each small enough that merging cannot overflow them: what a
    /// decoded sum must satisfy before it is used.
    public var isWellFormed: Bool {
        chunks.count == Self.chunkCount && pendingAdds >= 0 && pendingAdds <= Self.addsBeforeCarry && nonFinite >= 0
            && chunks.allSatisfy { $0.magnitude < 1 << 61 }
    }

    public mutating func add(_ x: Double) {
        guard x.isFinite else {
            nonFinite += 1
            return
        }
        if x == 0 { return }
        // x = ±M 2^E with integer M < 2^53.
        let m = x.significandBitPattern | (x.exponentBitPattern == 0 ? 0 : 1 << 52)
        let e = (x.exponentBitPattern == 0 ? -1074 : Int(x.exponentBitPattern) - 1075)
        let shift = e + Self.bias
        let k = shift >> 5, r = shift & 31
        let wide = m.multipliedFullWidth(by: UInt64(1) << UInt64(r))
        let c0 = Int64(wide.low & 0xffff_ffff)
        let c1 = Int64(wide.low >> 32)
        let c2 = Int64(wide.high)
        if x.sign == .minus {
            chunks[k] -= c0
            chunks[k + 1] -= c1
            chunks[k + 2] -= c2
        } else {
            chunks[k] += c0
            chunks[k + 1] += c1
            chunks[k + 2] += c2
        }
        pendingAdds += 1
        if pendingAdds >= Self.addsBeforeCarry { normalize() }
    }

    /// Adds another accumulator's exact value.
    public mutating func merge(_ other: ExactSum) {
        var o = other
        o.normalize()
        normalize()
        for k in 0..<Self.chunkCount { chunks[k] += o.chunks[k] }
        nonFinite += other.nonFinite
        normalize()
    }

    /// Propagates carries so every chunk but the last lies in [0, 2^32); the last carries the sign.
    @usableFromInline
    mutating func normalize() {
        for k in 0..<(Self.chunkCount - 1) {
            let carry = chunks[k] >> 32
            chunks[k] -= carry << 32
            chunks[k + 1] += carry
        }
        pendingAdds = 0
    }

    /// The exact sum rounded to the nearest double (ties to even).
    public var value: Double {
        var c = self
        c.normalize()
        var digits = c.chunks
        var negative = false
        if digits[Self.chunkCount - 1] < 0 {
            negative = true
            // two's complement across chunks: negate, then re-normalise
            for k in 0..<Self.chunkCount { digits[k] = -digits[k] }
            for k in 0..<(Self.chunkCount - 1) {
                let carry = digits[k] >> 32
                digits[k] -= carry << 32
                digits[k + 1] += carry
            }
        }
        guard let top = digits.lastIndex(where: { $0 != 0 }) else { return 0 }
        // 96 leading bits and a sticky bit for everything below them.
        guard digits[top] < 1 << 32 else { return negative ? -.infinity : .infinity }
        let d2 = UInt64(digits[top]), d1 = top >= 1 ? UInt64(digits[top - 1]) : 0
        let d0 = top >= 2 ? UInt64(digits[top - 2]) : 0
        var sticky = false
        if top >= 3 { for k in 0..<(top - 2) where digits[k] != 0 { sticky = true; break } }
        let high = (d2 << 32) | d1  // bits 95..32 of the 96-bit window
        let lz = high.leadingZeroBitCount
        // Keep 53 bits starting at the window's top bit.
        let windowTop = 95 - lz
        let dropBits = windowTop - 52  // >= 11 since high > 0 and has at most 64 bits
        let full = (UInt128(high) << 32) | UInt128(d0)
        var mantissa = UInt64(truncatingIfNeeded: full >> UInt128(dropBits))
        let remainderMask = (UInt128(1) << UInt128(dropBits)) - 1
        let remainder = full & remainderMask
        let half = UInt128(1) << UInt128(dropBits - 1)
        let roundUp = remainder > half || (remainder == half && (sticky || mantissa & 1 == 1))
        if roundUp { mantissa += 1 }
        let exponent = 32 * (top - 2) - Self.bias + dropBits
        let magnitude = Double(sign: .plus, exponent: exponent, significand: Double(mantissa))
        return negative ? -magnitude : magnitude
    }

    enum CodingKeys: String, CodingKey { case chunks, nonFinite }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        chunks = try c.decode([Int64].self, forKey: .chunks)
        nonFinite = try c.decode(Int.self, forKey: .nonFinite)
        guard chunks.count == Self.chunkCount else {
            throw DecodingError.dataCorruptedError(forKey: .chunks, in: c, debugDescription: "expected \(Self.chunkCount) chunks")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var n = self
        n.normalize()
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(n.chunks, forKey: .chunks)
        try c.encode(nonFinite, forKey: .nonFinite)
    }

    public static func == (a: ExactSum, b: ExactSum) -> Bool {
        var x = a, y = b
        x.normalize()
        y.normalize()
        return x.chunks == y.chunks && x.nonFinite == y.nonFinite
    }
}
