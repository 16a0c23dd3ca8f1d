import Testing
@testable import Randomness

/// The C ziggurat kernels, on every level this CPU runs, against the Swift reference fills, bit for
/// bit: the fast path (a gather or scalar load per table, a multiply), and the fallback (wedges,
/// rejections replaced by Box–Muller, the inverse-CDF tail), which long runs reach thousands of times.
@Suite struct ZigguratKernelTests {
    static let windows = RandomKernelTests.windows

    @Test(arguments: [UInt64(2024), 0xdead_beef_cafe_f00d])
    func doubleFillsEqualReference(seed: UInt64) {
        for stream in [StreamID.driving, .independent(3)] {
            let g = GaussianStream(seed: seed, stream: stream, method: .ziggurat)
            for w in Self.windows {
                let n = w.draws * w.stride
                var reference = [Double](repeating: .nan, count: n)
                reference.withUnsafeMutableBufferPointer {
                    g.zigguratReferenceFill(firstPath: w.firstPath, lanes: w.lanes, firstDraw: w.firstDraw, draws: w.draws, stride: w.stride,
                                            into: $0.baseAddress!)
                }
                for level in RandomKernel.supportedLevels {
                    var out = [Double](repeating: .nan, count: n)
                    out.withUnsafeMutableBufferPointer {
                        g.kernelZigguratFill(level: level, firstPath: w.firstPath, padded: GaussianStream.paddedLanes(w.lanes),
                                             firstDraw: w.firstDraw, draws: w.draws, stride: w.stride, into: $0.baseAddress!)
                    }
                    #expect(out.map(\.bitPattern) == reference.map(\.bitPattern), "level \(RandomKernel.name(level)), window \(w)")
                }
            }
        }
    }

    @Test(arguments: [UInt64(2024), 0xdead_beef_cafe_f00d])
    func floatFillsEqualReference(seed: UInt64) {
        let g = GaussianStream(seed: seed, stream: .auxiliary, method: .ziggurat)
        for w in Self.windows {
            let n = w.draws * w.stride
            var reference = [Float](repeating: .nan, count: n)
            reference.withUnsafeMutableBufferPointer {
                g.zigguratReferenceFill(firstPath: w.firstPath, lanes: w.lanes, firstDraw: w.firstDraw, draws: w.draws, stride: w.stride,
                                        into: $0.baseAddress!)
            }
            for level in RandomKernel.supportedLevels {
                var out = [Float](repeating: .nan, count: n)
                out.withUnsafeMutableBufferPointer {
                    g.kernelZigguratFill(level: level, firstPath: w.firstPath, padded: GaussianStream.paddedLanes(w.lanes), firstDraw: w.firstDraw,
                                         draws: w.draws, stride: w.stride, into: $0.baseAddress!)
                }
                #expect(out.map(\.bitPattern) == reference.map(\.bitPattern), "level \(RandomKernel.name(level)), window \(w)")
            }
        }
    }

    /// Per-lane paths and positions: all lanes on block boundaries (one block fills four rows), and
    /// misaligned ones (each row its own block), with draws not a multiple of four.
    @Test(arguments: [UInt64(0), 1, 3])
    func perLaneFillsEqualReference(misalignment: UInt64) {
        let g = GaussianStream(seed: 99, method: .ziggurat)
        let stride = 24, draws = 203
        let paths = (0..<stride).map { UInt64($0 * 7919 + 3) }
        let firstDraws: [UInt64] = (0..<stride).map { (i: Int) -> UInt64 in
            UInt64(4 * (i * 31 % 17)) + (i % 3 == 0 ? misalignment : 0) + (UInt64(i) << 36)
        }
        var reference = [Double](repeating: .nan, count: stride * draws)
        reference.withUnsafeMutableBufferPointer {
            g.zigguratReferenceFill(paths: paths, firstDraws: firstDraws, draws: draws, stride: stride, into: $0.baseAddress!)
        }
        for level in RandomKernel.supportedLevels {
            var out = [Double](repeating: .nan, count: stride * draws)
            out.withUnsafeMutableBufferPointer {
                g.kernelZigguratFill(level: level, paths: paths, firstDraws: firstDraws, draws: draws, stride: stride, into: $0.baseAddress!)
            }
            #expect(out.map(\.bitPattern) == reference.map(\.bitPattern), "level \(RandomKernel.name(level))")
        }
    }

    /// 2^20 variates per precision: about 4500 slow words, of them some 57 beyond r (P(|Z| > r) =
    /// 5.4e-5) and the rejections, so every branch of the fallback is compared, not only the fast path.
    @Test func longRunEqualsReference() {
        let g = GaussianStream(seed: 7, method: .ziggurat)
        let lanes = 1024, draws = 1024, first = 1 << 20
        var rd = [Double](repeating: 0, count: lanes * draws), rf = [Float](repeating: 0, count: lanes * draws)
        rd.withUnsafeMutableBufferPointer {
            g.zigguratReferenceFill(firstPath: first, lanes: lanes, firstDraw: 77, draws: draws, stride: lanes, into: $0.baseAddress!)
        }
        rf.withUnsafeMutableBufferPointer {
            g.zigguratReferenceFill(firstPath: first, lanes: lanes, firstDraw: 77, draws: draws, stride: lanes, into: $0.baseAddress!)
        }
        #expect(rd.filter { abs($0) > Ziggurat.r }.count > 20, "the run reaches the tail")
        for level in RandomKernel.supportedLevels {
            var out = [Double](repeating: .nan, count: lanes * draws), of = [Float](repeating: .nan, count: lanes * draws)
            out.withUnsafeMutableBufferPointer {
                g.kernelZigguratFill(level: level, firstPath: first, padded: lanes, firstDraw: 77, draws: draws, stride: lanes, into: $0.baseAddress!)
            }
            of.withUnsafeMutableBufferPointer {
                g.kernelZigguratFill(level: level, firstPath: first, padded: lanes, firstDraw: 77, draws: draws, stride: lanes, into: $0.baseAddress!)
            }
            #expect(zip(out, rd).allSatisfy { $0.bitPattern == $1.bitPattern }, "level \(RandomKernel.name(level)) float64")
            #expect(zip(of, rf).allSatisfy { $0.bitPattern == $1.bitPattern }, "level \(RandomKernel.name(level)) float32")
        }
    }

    /// The production `fill` (the dispatched kernel) against scalar access, the definition by (path, draw).
    @Test func fillIsTheKernelAndAgreesWithScalarAccess() {
        let g = GaussianStream(seed: 2024, method: .ziggurat)
        let lanes = 40, draws = 50
        var d = [Double](repeating: .nan, count: lanes * draws)
        d.withUnsafeMutableBufferPointer { g.fill(firstPath: 300, lanes: lanes, firstDraw: 6, draws: draws, stride: lanes, into: $0.baseAddress!) }
        for j in 0..<draws {
            for i in 0..<lanes { #expect(d[j * lanes + i].bitPattern == g.normal(path: 300 + i, draw: 6 + j).bitPattern) }
        }
    }
}
