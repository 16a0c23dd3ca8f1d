import Problems
import Numerics

/// Structure-of-arrays storage for the states of one block of paths: coordinate c of lane i at
/// `c * stride + i`, so that a loop over lanes reads contiguous memory and vectorises.
public final class LaneStorage<V: StateVector> {
    public let lanes: Int
    public let stride: Int
    public let base: UnsafeMutablePointer<V.Scalar>

    public init(lanes: Int, initial: V) {
        self.lanes = lanes
        stride = (lanes + 7) & ~7
        base = .allocate(capacity: V.dimension * stride)
        for c in 0..<V.dimension {
            (base + c * stride).initialize(repeating: initial.component(c), count: stride)
        }
    }

    deinit { base.deallocate() }

    @inlinable @inline(__always)
    public subscript(lane: Int) -> V {
        get { LaneStorage.load(base, lane: lane, stride: stride) }
        set { LaneStorage.store(newValue, base, lane: lane, stride: stride) }
    }

    @inlinable @inline(__always)
    public static func load(_ p: UnsafeMutablePointer<V.Scalar>, lane: Int, stride: Int) -> V {
        var v = V.zero
        for c in 0..<V.dimension { v.setComponent(c, to: p[c &* stride &+ lane]) }
        return v
    }

    @inlinable @inline(__always)
    public static func store(_ v: V, _ p: UnsafeMutablePointer<V.Scalar>, lane: Int, stride: Int) {
        for c in 0..<V.dimension { p[c &* stride &+ lane] = v.component(c) }
    }
}

/// A scratch buffer of `rows` rows of `stride` values, for random numbers of a block.
public final class LaneScratch<Scalar> {
    public let stride: Int
    public let rows: Int
    public let base: UnsafeMutablePointer<Scalar>

    public init(lanes: Int, rows: Int) {
        stride = (lanes + 7) & ~7
        self.rows = rows
        base = .allocate(capacity: max(1, rows * stride))
    }

    deinit { base.deallocate() }
}
