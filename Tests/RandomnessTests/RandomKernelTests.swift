import Testing
@testable import Randomness

/// The C kernel levels against the Swift reference, word for word and variate for variate: any
/// difference (an FMA the compiler fused, a constant rounded differently, a lane mixed up) shows
/// as a bit pattern that differs, so equality is exact, not a tolerance.
@Suite struct RandomKernelTests {
    /// Windows that start mid-pair and mid-quad, end early, pad the lanes and leave a wider stride.
    static let windows: [(firstPath: Int, lanes: Int, firstDraw: Int, draws: Int, stride: Int)] = [
        (0, 8, 0, 1, 8), (0, 64, 0, 16, 64), (5, 13, 3, 7, 24), ((1 << 32) - 40, 40, 1 << 40, 9, 40), (123_456, 100, 1, 33, 112),
    ]

    @Test func levelsIncludeBaselineAndDefaultIsSupported() {
        #expect(RandomKernel.supportedLevels.first == 0)
        #expect(RandomKernel.supportedLevels.contains(RandomKernel.level))
    }

    @Test(arguments: [UInt64(7), 0xdead_beef_cafe_f00d])
    func doubleFillsEqualReference(seed: UInt64) {
        for stream in [StreamID.driving, .independent(3)] {
            let g = GaussianStream(seed: seed, stream: stream)
            for w in Self.windows {
                let n = w.draws * w.stride
                var reference = [Double](repeating: .nan, count: n)
                reference.withUnsafeMutableBufferPointer { g.referenceFill(firstPath: w.firstPath, lanes: w.lanes, firstDraw: w.firstDraw, draws: w.draws, stride: w.stride, into: $0.baseAddress!) }
                for level in RandomKernel.supportedLevels {
                    var out = [Double](repeating: .nan, count: n)
                    out.withUnsafeMutableBufferPointer { g.kernelFill(level: level, firstPath: w.firstPath, padded: GaussianStream.paddedLanes(w.lanes), firstDraw: w.firstDraw, draws: w.draws, stride: w.stride, into: $0.baseAddress!) }
                    #expect(out.map(\.bitPattern) == reference.map(\.bitPattern), "level \(RandomKernel.name(level)), window \(w)")
                }
            }
        }
    }

    @Test(arguments: [UInt64(7), 0xdead_beef_cafe_f00d])
    func floatFillsEqualReference(seed: UInt64) {
        let g = GaussianStream(seed: seed, stream: .auxiliary)
        for w in Self.windows {
            let n = w.draws * w.stride
            var reference = [Float](repeating: .nan, count: n)
            reference.withUnsafeMutableBufferPointer { g.referenceFill(firstPath: w.firstPath, lanes: w.lanes, firstDraw: w.firstDraw, draws: w.draws, stride: w.stride, into: $0.baseAddress!) }
            for level in RandomKernel.supportedLevels {
                var out = [Float](repeating: .nan, count: n)
                out.withUnsafeMutableBufferPointer { g.kernelFill(level: level, firstPath: w.firstPath, padded: GaussianStream.paddedLanes(w.lanes), firstDraw: w.firstDraw, draws: w.draws, stride: w.stride, into: $0.baseAddress!) }
                #expect(out.map(\.bitPattern) == reference.map(\.bitPattern), "level \(RandomKernel.name(level)), window \(w)")
            }
        }
    }

    @Test func wordFillsEqualReference() {
        let g = GaussianStream(seed: 42, stream: .sampling)
        for w in Self.windows {
            let n = w.draws * w.stride
            var reference = [UInt64](repeating: 0, count: n)
            reference.withUnsafeMutableBufferPointer { g.referenceFillBits(firstPath: w.firstPath, lanes: w.lanes, firstDraw: w.firstDraw, draws: w.draws, stride: w.stride, into: $0.baseAddress!) }
            for level in RandomKernel.supportedLevels {
                var out = [UInt64](repeating: 0, count: n)
                out.withUnsafeMutableBufferPointer { g.kernelFillBits(level: level, firstPath: w.firstPath, padded: GaussianStream.paddedLanes(w.lanes), firstDraw: w.firstDraw, draws: w.draws, stride: w.stride, into: $0.baseAddress!) }
                #expect(out == reference, "level \(RandomKernel.name(level)), window \(w)")
            }
        }
    }

    @Test func perLaneFillsEqualReference() {
        let g = GaussianStream(seed: 99)
        let stride = 24, draws = 10
        let paths = (0..<stride).map { UInt64($0 * 7919 + 3) }
        let firstDraws: [UInt64] = (0..<stride).map { (i: Int) -> UInt64 in
            let even = UInt64(2 * (i * 31 % 17))
            return even + (UInt64(i) << 36)
        }
        var reference = [Double](repeating: .nan, count: stride * draws)
        reference.withUnsafeMutableBufferPointer { g.referenceFill(paths: paths, firstDraws: firstDraws, draws: draws, stride: stride, into: $0.baseAddress!) }
        for level in RandomKernel.supportedLevels {
            var out = [Double](repeating: .nan, count: stride * draws)
            out.withUnsafeMutableBufferPointer { g.kernelFill(level: level, paths: paths, firstDraws: firstDraws, draws: draws, stride: stride, into: $0.baseAddress!) }
            #expect(out.map(\.bitPattern) == reference.map(\.bitPattern), "level \(RandomKernel.name(level))")
        }
    }

    /// Tails and the extremes of the angle: the words whose radius or angle bits are all zero or
    /// all one are the ones a reordered polynomial or a lost half-unit would change first, so a
    /// long run of windows over many paths is compared too (2^20 variates per precision).
    @Test func longRunEqualsReference() {
        let g = GaussianStream(seed: 2024)
        let lanes = 1024, draws = 512
        var reference = [Double](repeating: 0, count: lanes * draws), out = reference
        reference.withUnsafeMutableBufferPointer { g.referenceFill(firstPath: 1 << 20, lanes: lanes, firstDraw: 77, draws: draws, stride: lanes, into: $0.baseAddress!) }
        var rf = [Float](repeating: 0, count: lanes * draws), of = rf
        rf.withUnsafeMutableBufferPointer { g.referenceFill(firstPath: 1 << 20, lanes: lanes, firstDraw: 77, draws: draws, stride: lanes, into: $0.baseAddress!) }
        for level in RandomKernel.supportedLevels {
            out.withUnsafeMutableBufferPointer { g.kernelFill(level: level, firstPath: 1 << 20, padded: lanes, firstDraw: 77, draws: draws, stride: lanes, into: $0.baseAddress!) }
            of.withUnsafeMutableBufferPointer { g.kernelFill(level: level, firstPath: 1 << 20, padded: lanes, firstDraw: 77, draws: draws, stride: lanes, into: $0.baseAddress!) }
            #expect(zip(out, reference).allSatisfy { $0.bitPattern == $1.bitPattern }, "level \(RandomKernel.name(level)) float64")
            #expect(zip(of, rf).allSatisfy { $0.bitPattern == $1.bitPattern }, "level \(RandomKernel.name(level)) float32")
        }
    }
}
