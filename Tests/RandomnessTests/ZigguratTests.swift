import Foundation
import Numerics
import Testing
import TestSupport
@testable import Randomness

/// The ziggurat path of `GaussianStream`: its tables, its pinned values, and that fills agree
/// with scalar access for every window, lane split and per-lane layout.
@Suite struct ZigguratTests {
    static let stream = GaussianStream(seed: 2024, stream: .driving, method: .ziggurat)

    /// The literal tables against the defining recurrence, re-derived in double precision: the
    /// tolerances are a few hundred ulp, the error of evaluating the recurrence itself in double
    /// (F differences lose up to three digits near the top layer).
    @Test func tablesSatisfyTheRecurrence() {
        let x = Ziggurat.widths, f = Ziggurat.heights, v = Ziggurat.v, r = Ziggurat.r
        let n = Ziggurat.layers
        #expect(x.count == n + 1 && f.count == n + 1)
        #expect(x[1] == r && x[n] == 0 && f[n] == 1)
        let tail = (Double.pi / 2).squareRoot() * erfc(r / 2.0.squareRoot())
        #expect(isClose(v, r * exp(-r * r / 2) + tail, relative: 1e-13))
        #expect(isClose(Ziggurat.logTailMass, log(erfc(r / 2.0.squareRoot()) / 2), relative: 1e-13))
        #expect(isClose(x[0] * f[1], v, relative: 1e-13))
        for k in 0..<n { #expect(isClose(f[k], exp(-x[k] * x[k] / 2), relative: 1e-13)) }
        for k in 1..<n {
            #expect(isClose(x[k] * (f[k + 1] - f[k]), v, relative: 1e-9), "layer \(k) area")
            #expect(x[k + 1] < x[k])
        }
    }

    /// An independent decoding of the first words of a block (scalar Philox, the documented word
    /// layout) against the generator; and pinned values, including slow-path ones, so that any
    /// change of the mapping from (seed, stream, path, draw) to numbers is caught.
    @Test func knownAnswers() {
        let g = Self.stream
        for path in [0, 1, 77] {
            for draw in 0..<8 {
                let w = Philox4x32.block(counter: (UInt32(draw / 4), 0, UInt32(path), 0), key: (2024, 0))
                let word = [w.0, w.1, w.2, w.3][draw % 4]
                let layer = Int(word & 1023), negative = (word >> 10) & 1 == 1, cell = Double(word >> 11)
                let fastLimit = (Ziggurat.widths[layer + 1] / Ziggurat.widths[layer] * 0x1p21).rounded(.down)
                guard cell < fastLimit else { continue }
                let z = (cell + 0.5) * (Ziggurat.widths[layer] * 0x1p-21)
                #expect(g.normal(path: path, draw: draw) == (negative ? -z : z), "path \(path) draw \(draw)")
            }
        }
        for (path, draw, bits) in Self.pinned {
            let value = Double(bitPattern: bits)
            #expect(g.normal(path: path, draw: draw).bitPattern == bits, "path \(path) draw \(draw)")
            // Float: the same construction, so within one Float rounding of the Double
            #expect(abs(Double(g.normalFloat(path: path, draw: draw)) - value) <= abs(value) * 0x1p-23)
        }
    }

    /// Seed 2024, stream .driving: two fast-path words, three resolved by the fallback (two of
    /// them rejections replaced by Box–Muller variates: 2.33 cannot come from layer 805, whose
    /// width is 1.03), one from the tail beyond r.
    static let pinned: [(Int, Int, UInt64)] = [
        (0, 0, 4602859875929646709),    // 0.5201013380385137, fast
        (0, 1, 4604628200901884778),    // 0.7164248479583482, fast
        (0, 24, 4612421612619465968),   // 2.3266694435302426, layer 805, rejected
        (4, 26, 4603375105833933344),   // 0.5773033483099574, layer 975, accepted
        (7, 37, 13828595675120330649),  // -0.7825316750452088, layer 349, rejected
        (50, 0, 4616388015413082456),   // 4.1762122521889395, tail beyond r
    ]

    @Test func fillAgreesWithScalarAccessForAnyWindow() {
        let g = Self.stream
        for (firstDraw, draws) in [(0, 16), (3, 7), (5, 1), (2, 30)] {
            let lanes = 13, firstPath = 1000
            let stride = GaussianStream.paddedLanes(lanes)
            var doubles = [Double](repeating: .nan, count: stride * draws)
            var floats = [Float](repeating: .nan, count: stride * draws)
            doubles.withUnsafeMutableBufferPointer {
                g.fill(firstPath: firstPath, lanes: lanes, firstDraw: firstDraw, draws: draws, stride: stride, into: $0.baseAddress!)
            }
            floats.withUnsafeMutableBufferPointer {
                g.fill(firstPath: firstPath, lanes: lanes, firstDraw: firstDraw, draws: draws, stride: stride, into: $0.baseAddress!)
            }
            for j in 0..<draws {
                for i in 0..<lanes {
                    #expect(doubles[j * stride + i] == g.normal(path: firstPath + i, draw: firstDraw + j))
                    #expect(floats[j * stride + i] == g.normalFloat(path: firstPath + i, draw: firstDraw + j))
                }
            }
        }
    }

    /// Bitwise identity of a large fill (many slow-path words) however it is split into lane
    /// groups and draw windows, for Double and Float.
    @Test func anyLaneSplitOrDrawOffsetGivesTheSameBits() {
        let g = Self.stream
        let lanes = 256, draws = 64
        var whole = [Double](repeating: 0, count: lanes * draws), parts = whole
        var wholeF = [Float](repeating: 0, count: lanes * draws), partsF = wholeF
        whole.withUnsafeMutableBufferPointer { g.fill(firstPath: 0, lanes: lanes, firstDraw: 0, draws: draws, stride: lanes, into: $0.baseAddress!) }
        wholeF.withUnsafeMutableBufferPointer { g.fill(firstPath: 0, lanes: lanes, firstDraw: 0, draws: draws, stride: lanes, into: $0.baseAddress!) }
        let cuts = [0, 5, 6, 17, 40, 41, 64]
        for laneStart in stride(from: 0, to: lanes, by: 64) {
            for (a, b) in zip(cuts, cuts.dropFirst()) {
                parts.withUnsafeMutableBufferPointer {
                    g.fill(firstPath: laneStart, lanes: 64, firstDraw: a, draws: b - a, stride: lanes, into: $0.baseAddress! + a * lanes + laneStart)
                }
                partsF.withUnsafeMutableBufferPointer {
                    g.fill(firstPath: laneStart, lanes: 64, firstDraw: a, draws: b - a, stride: lanes, into: $0.baseAddress! + a * lanes + laneStart)
                }
            }
        }
        #expect(whole.map(\.bitPattern) == parts.map(\.bitPattern))
        #expect(wholeF.map(\.bitPattern) == partsF.map(\.bitPattern))
    }

    /// Per-lane paths and positions, aligned to blocks or not, against scalar access.
    @Test(arguments: [0, 1, 2]) func perLaneFillAgreesWithScalarAccess(misalignment: UInt64) {
        let g = Self.stream
        let stride = 16, draws = 11
        let paths = (0..<stride).map { UInt64(3 * $0 + 5) }
        let firstDraws: [UInt64] = (0..<stride).map { (i: Int) -> UInt64 in
            let shift: UInt64 = i % 2 == 0 ? misalignment : 0
            return UInt64(4 * (i % 5)) + shift
        }
        var buffer = [Double](repeating: .nan, count: stride * draws)
        buffer.withUnsafeMutableBufferPointer { b in
            g.fill(paths: paths, firstDraws: firstDraws, draws: draws, stride: stride, into: b.baseAddress!)
        }
        for j in 0..<draws {
            for i in 0..<stride {
                #expect(buffer[j * stride + i] == g.normal(path: Int(paths[i]), draw: Int(firstDraws[i]) + j))
            }
        }
    }

    @Test func methodsAreDistinctStreams() {
        let a = GaussianStream(seed: 1), b = GaussianStream(seed: 1, method: .ziggurat)
        #expect(a != b)
        #expect(a.normal(path: 0, draw: 0) != b.normal(path: 0, draw: 0))
        #expect(NormalMethod.standard == .boxMuller)
        #expect(NormalMethod(rawValue: "ziggurat") == .ziggurat && NormalMethod(rawValue: "box-muller") == .boxMuller)
    }

    /// The tail route: z = Q⁻¹(U Q(r)) must satisfy Q(z) = U Q(r) to the accuracy of AS 241
    /// (1e-16 in z, so ~1e-14 relative in Q at z = 9), for U from 1 down to 2^-52 (z up to 9.4).
    /// With U uniform this makes the law beyond r exact, P(Z > t) = Q(t) for every t >= r, which
    /// is how tail probabilities at 5-9σ are checked: no Monte Carlo sample could reach them.
    @Test func tailQuantileInvertsTheNormalTail() {
        let logQr = Ziggurat.logTailMass
        var worst = 0.0
        for e in 0...52 {
            for m in [0.5, 0.61, 0.83, 0.97] {
                let u = m * pow(2, -Double(e))
                let z = ZigguratFallback.tailQuantile(minusTwoLogU: LaneDoubles(repeating: -2 * log(u)))[0]
                #expect(z >= Ziggurat.r)
                let target = u * exp(logQr)
                let q = 0.5 * erfc(z / 2.0.squareRoot())
                worst = max(worst, abs(q / target - 1) / max(1, z))
            }
        }
        #expect(worst < 1e-12, "worst relative tail error per unit z \(worst)")
    }

    /// The vector exp of the wedge test against libm on the range it is used on.
    @Test func wedgeExpIsAccurate() {
        var worst = 0.0
        for k in 0..<4000 {
            let x = Ziggurat.r * Double(k) / 4000
            let e = ZigguratFallback.expNegativeHalfSquare(LaneDoubles(repeating: x))[0]
            worst = max(worst, ulpDistance(e, exp(-x * x / 2)))
        }
        #expect(worst <= 4, "exp error \(worst) ulp")
    }
}
