import Testing
@testable import Randomness

@Suite struct PhiloxTests {
    /// Random123 `kat_vectors`, lines "philox4x32 10 ...": counter, key, expected output.
    static let knownAnswers: [((UInt32, UInt32, UInt32, UInt32), (UInt32, UInt32), (UInt32, UInt32, UInt32, UInt32))] = [
        ((0, 0, 0, 0), (0, 0), (0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8)),
        ((0xffff_ffff, 0xffff_ffff, 0xffff_ffff, 0xffff_ffff), (0xffff_ffff, 0xffff_ffff),
         (0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd)),
        ((0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344), (0xa409_3822, 0x299f_31d0),
         (0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1)),
    ]

    @Test func scalarMatchesPublishedVectors() {
        for (counter, key, expected) in Self.knownAnswers {
            let out = Philox4x32.block(counter: counter, key: key)
            #expect(out == expected)
        }
    }

    @Test func laneVersionMatchesPublishedVectors() {
        for (counter, key, expected) in Self.knownAnswers {
            let out = Philox4x32.lanes(LaneWords(repeating: UInt64(counter.0)), LaneWords(repeating: UInt64(counter.1)),
                                       LaneWords(repeating: UInt64(counter.2)), LaneWords(repeating: UInt64(counter.3)), key: key)
            for lane in 0..<8 {
                #expect((UInt32(out.0[lane]), UInt32(out.1[lane]), UInt32(out.2[lane]), UInt32(out.3[lane])) == expected)
            }
        }
    }

    @Test func laneVersionMatchesScalarOnDistinctCounters() {
        let key: (UInt32, UInt32) = (0xdead_beef, 0x0123_4567)
        let c2 = LaneWords(0, 1, 2, 3, 0xffff_fff0, 77, 123_456, 0x8000_0000)
        let out = Philox4x32.lanes(LaneWords(repeating: 9), LaneWords(repeating: 3), c2, LaneWords(repeating: 5), key: key)
        for lane in 0..<8 {
            let s = Philox4x32.block(counter: (9, 3, UInt32(c2[lane]), 5), key: key)
            #expect((UInt32(out.0[lane]), UInt32(out.1[lane]), UInt32(out.2[lane]), UInt32(out.3[lane])) == s)
        }
    }

    @Test func generatorIsSequentialBlocksOfTheStream() {
        var g = PhiloxGenerator(seed: 42, stream: .sampling, path: 7, offset: 3)
        let key = (UInt32(42), UInt32(0))
        for block in 3..<6 {
            let w = Philox4x32.block(counter: (UInt32(block), 0, 7, StreamID.sampling.rawValue), key: key)
            #expect(g.next() == (UInt64(w.0) << 32 | UInt64(w.1)))
            #expect(g.next() == (UInt64(w.2) << 32 | UInt64(w.3)))
        }
    }

    @Test func boundedIntegersAreUniform() {
        // χ² test of 60 000 draws in 0..<6; the 99.9% point of χ²_5 is 20.5.
        var g = PhiloxGenerator(seed: 1, stream: .sampling, path: 0)
        var counts = [Int](repeating: 0, count: 6)
        for _ in 0..<60_000 { counts[g.nextInt(below: 6)] += 1 }
        let chi2 = counts.reduce(0.0) { $0 + pow(Double($1) - 10_000, 2) / 10_000 }
        #expect(chi2 < 20.5)
    }
}

import Foundation
