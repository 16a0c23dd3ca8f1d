extension GaussianStream {
    /// Fills `buffer[j * stride + i] = normal(path: paths[i], draw: firstDraws[i] + j)` for
    /// i in 0..<stride and j in 0..<draws: every lane with its own path and its own position in
    /// it, for engines whose lanes run different paths at different times (exit-time ensembles
    /// refill a lane as soon as its path has exited).
    ///
    /// - Precondition: `stride` is a multiple of 8, `paths`/`firstDraws` hold `stride` entries,
    ///   and for Box–Muller every `firstDraws[i]` and `draws` are even (draws come in pairs).
    @inlinable
    public func fill(paths: UnsafePointer<UInt64>, firstDraws: UnsafePointer<UInt64>, draws: Int, stride: Int,
                     into buffer: UnsafeMutablePointer<Double>) {
        if method == .ziggurat {
            precondition(stride % 8 == 0, "stride must be a multiple of 8")
            return zigguratFill(paths: paths, firstDraws: firstDraws, draws: draws, stride: stride, into: buffer)
        }
        precondition(stride % 8 == 0 && draws % 2 == 0, "stride must be a multiple of 8 and draws even")
        kernelFill(level: RandomKernel.level, paths: paths, firstDraws: firstDraws, draws: draws, stride: stride, into: buffer)
    }

    /// The Swift per-lane Box–Muller fill the C kernels reproduce.
    @inlinable
    public func referenceFill(paths: UnsafePointer<UInt64>, firstDraws: UnsafePointer<UInt64>, draws: Int, stride: Int,
                              into buffer: UnsafeMutablePointer<Double>) {
        precondition(stride % 8 == 0 && draws % 2 == 0, "stride must be a multiple of 8 and draws even")
        var lane = 0
        while lane < stride {
            let p = UnsafeRawPointer(paths + lane).loadUnaligned(as: LaneWords.self)
            let first = UnsafeRawPointer(firstDraws + lane).loadUnaligned(as: LaneWords.self) &>> 1
            var pair = 0
            while 2 * pair < draws {
                let w = laneWords(paths: p, counters: first &+ LaneWords(repeating: UInt64(pair)))
                let (c, s) = boxMullerDoubles(w)
                UnsafeMutableRawPointer(buffer + (2 * pair) * stride + lane).storeBytes(of: c, as: LaneDoubles.self)
                UnsafeMutableRawPointer(buffer + (2 * pair + 1) * stride + lane).storeBytes(of: s, as: LaneDoubles.self)
                pair += 1
            }
            lane += 8
        }
    }

    /// Raw words with per-lane paths and positions: `buffer[j * stride + i] = bits(path: paths[i], draw: firstDraws[i] + j)`.
    @inlinable
    public func fillBits(paths: UnsafePointer<UInt64>, firstDraws: UnsafePointer<UInt64>, draws: Int, stride: Int,
                         into buffer: UnsafeMutablePointer<UInt64>) {
        precondition(stride % 8 == 0 && draws % 2 == 0, "stride must be a multiple of 8 and draws even")
        var lane = 0
        while lane < stride {
            let p = UnsafeRawPointer(paths + lane).loadUnaligned(as: LaneWords.self)
            let first = UnsafeRawPointer(firstDraws + lane).loadUnaligned(as: LaneWords.self) &>> 1
            var pair = 0
            while 2 * pair < draws {
                let w = laneWords(paths: p, counters: first &+ LaneWords(repeating: UInt64(pair)))
                UnsafeMutableRawPointer(buffer + (2 * pair) * stride + lane).storeBytes(of: (w.0 &<< 32) | w.1, as: LaneWords.self)
                UnsafeMutableRawPointer(buffer + (2 * pair + 1) * stride + lane).storeBytes(of: (w.2 &<< 32) | w.3, as: LaneWords.self)
                pair += 1
            }
            lane += 8
        }
    }
}

extension PhiloxGenerator {
    /// Two independent standard normals by Box–Muller (scalar libm; for sequential code such as
    /// rare-event splitting, not for ensemble lanes).
    public mutating func nextGaussianPair() -> (Double, Double) {
        let u1 = nextUnit(), u2 = nextUnit()
        let r = (-2 * Foundation.log(u1)).squareRoot()
        let angle = 2 * Double.pi * u2
        return (r * Foundation.cos(angle), r * Foundation.sin(angle))
    }
}

import Foundation
