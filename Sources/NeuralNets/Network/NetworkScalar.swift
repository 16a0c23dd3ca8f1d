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

/// How many chunks `forEachRowChunk` splits `count` rows into.
func rowChunkCount(_ count: Int) -> Int { min(ProcessInfo.processInfo.activeProcessorCount, max(1, count / 256)) }

/// Runs `body(chunk, rows)` on `count` rows split into `rowChunkCount(count)` contiguous chunks,
/// one per core (a single chunk for small batches, where dispatch overhead would dominate).
func forEachRowChunk(_ count: Int, _ body: (Int, Range<Int>) -> Void) {
    let chunks = rowChunkCount(count)
    if chunks == 1 {
        body(0, 0..<count)
        return
    }
    withoutActuallyEscaping(body) { body in
        // the chunks touch disjoint rows of the caller's buffers
        nonisolated(unsafe) let work = body
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            work(c, (c * count / chunks)..<((c + 1) * count / chunks))
        }
    }
}
