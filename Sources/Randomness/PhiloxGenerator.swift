/// A sequential view of one Philox stream, for code that wants `RandomNumberGenerator`:
/// the k-th output is block (offset + k/2) of (seed, stream, path), high or low 64 bits.
///
/// Use it where draws are data dependent (mini-batch sampling, rejection, splitting); the
/// (path, offset) pair still pins every value down, so results stay independent of threading.
public struct PhiloxGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline let key: (UInt32, UInt32)
    @usableFromInline let path: UInt32
    @usableFromInline let stream: UInt32
    @usableFromInline var block: UInt64
    @usableFromInline var buffered: UInt64 = 0
    @usableFromInline var hasBuffered = false

    /// - Parameters:
    ///   - offset: first block index; give each step its own range, e.g. `step << 24`.
    public init(seed: UInt64, stream: StreamID, path: Int, offset: UInt64 = 0) {
        precondition(path >= 0 && path < 1 << 32, "path index out of range")
        key = philoxKey(seed)
        self.path = UInt32(path)
        self.stream = stream.rawValue
        block = offset
    }

    @inlinable
    public mutating func next() -> UInt64 {
        if hasBuffered {
            hasBuffered = false
            return buffered
        }
        let w = Philox4x32.block(
            counter: (UInt32(truncatingIfNeeded: block), UInt32(truncatingIfNeeded: block >> 32), path, stream), key: key)
        block &+= 1
        buffered = (UInt64(w.2) << 32) | UInt64(w.3)
        hasBuffered = true
        return (UInt64(w.0) << 32) | UInt64(w.1)
    }

    /// A uniform integer in 0..<bound by Lemire's multiply-and-reject method ("Fast random
    /// integer generation in an interval", ACM TOMACS 2019). Written out rather than using the
    /// standard library's so the mapping from bits to integers cannot change under us.
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let n = UInt64(bound)
        var product = next().multipliedFullWidth(by: n)
        if product.low < n {
            let threshold = (0 &- n) % n
            while product.low < threshold {
                product = next().multipliedFullWidth(by: n)
            }
        }
        return Int(product.high)
    }

    /// A uniform double in (0, 1): (b + 1/2) 2^-53.
    @inlinable
    public mutating func nextUnit() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }
}
