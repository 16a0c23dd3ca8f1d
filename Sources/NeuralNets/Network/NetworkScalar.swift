import Foundation
import Numerics

/// Float (training, as the field does) or Double (gradient checks and Hessian-vector products).
public protocol NetworkScalar: BLASScalar {
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
}

extension Float: NetworkScalar {
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.log(x) }
}

extension Double: NetworkScalar {
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
}

/// Runs `body` on contiguous pieces of `0..<count` (multiples of 16, so SIMD loops stay
/// aligned), one per core once `work` (elements touched) makes the dispatch worthwhile.
///
/// Callers split by column (feature) or by parameter index, never by batch row: every output is
/// then computed by the same sequence of operations whatever the number of pieces, so training is
/// bitwise identical on any core count (row splits would change the order of batch-norm sums).
func forEachPiece(of count: Int, work: Int, _ body: (Range<Int>) -> Void) {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let pieces = forcedPieceCount.map { min($0, max(1, count / 16)) } ?? min(cores, max(1, work / parallelWorkThreshold), max(1, count / 16))
    if pieces == 1 {
        body(0..<count)
        return
    }
    let unit = (count / pieces + 15) & ~15
    withoutActuallyEscaping(body) { body in
        // the pieces write disjoint parts of the caller's buffers
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: pieces) { c in
            let start = min(count, c * unit), end = c == pieces - 1 ? count : min(count, (c + 1) * unit)
            if start < end { work(start..<end) }
        }
    }
}

/// Elements below which one core does an element-wise pass alone: measured with `sgdiff bench
/// mlp` (dispatch costs a few microseconds; a core streams ~16k floats in that time).
let parallelWorkThreshold = 1 << 15

/// Tests set this to split every pass into a given number of pieces, to check that results do
/// not depend on it.
nonisolated(unsafe) var forcedPieceCount: Int?
