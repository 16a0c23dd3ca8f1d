import Testing
@testable import Numerics

/// A spread beyond the double range must read as an infinite standard error, never as 0 (the
/// overflowed squares used to be dropped, and inf - inf then clamped to a variance of 0).
@Suite struct MomentOverflowTests {
    @Test func overflowingSquaresGiveInfiniteVariance() {
        var m = MomentAccumulator()
        for x in [1e200, -1e200, 3e200] { m.add(x) }
        #expect(m.count == 3)
        #expect(m.variance == .infinity)
        #expect(m.standardError == .infinity)
        #expect(m.mean == 1e200)
    }

    @Test func overflowingSumOfSquaresGivesInfiniteVariance() {
        var m = MomentAccumulator()
        for _ in 0..<4 { m.add(1e154); m.add(-1e154) }
        #expect(m.variance == .infinity)
    }

    /// A square of the sum that overflows on its own while s²/n does not keeps a finite variance.
    @Test func largeButRepresentableSpreadStaysFinite() {
        var m = MomentAccumulator()
        for _ in 0..<10 { m.add(1e153); m.add(2e153) }  // sum 3e154: its square overflows
        #expect(m.variance.isFinite)
        #expect(abs(m.variance / (5e306 / 19) - 1) < 1e-12)
    }

    /// x - shift overflowing is a non-finite observation, not a silently lost one.
    @Test func overflowingShiftIsCountedAsNonFinite() {
        var m = MomentAccumulator(shift: -1e308)
        m.add(1e308)
        m.add(0)
        #expect(m.nonFinite == 1)
        #expect(m.count == 1)
    }
}
