/// The slots ("lanes") through which a block of paths with random stopping times runs: each
/// lane holds one path; when its path stops (exits, is censored) the lane takes the block's next
/// path at the next chunk boundary, so a few long paths do not leave most lanes idle.
///
/// Noise is drawn a chunk at a time for all lanes, by (path, step): `path(lane)` and
/// `firstStep(lane)` name the draws of the current chunk, so a result does not depend on which
/// lane ran which path, on the lane count, or on the chunk length.
public struct StoppedPathLanes: Sendable {
    public let count: Int
    /// Path index per lane, as the generators take it.
    @inlinable public var paths: [UInt64] { pathOf }
    /// Step of the lane's path at the start of the current chunk.
    @inlinable public var firstSteps: [UInt64] { stepOf }
    @usableFromInline var pathOf: [UInt64]
    @usableFromInline var stepOf: [UInt64]
    @usableFromInline var active: [Bool]
    @usableFromInline var stopped: [Bool]
    @usableFromInline var next: Int
    @usableFromInline let end: Int

    /// Lanes `0..<min(count, paths.count)` take the first paths in order.
    public init(count: Int, paths block: Range<Int>) {
        self.count = count
        pathOf = [UInt64](repeating: 0, count: count)
        stepOf = [UInt64](repeating: 0, count: count)
        active = [Bool](repeating: false, count: count)
        stopped = [Bool](repeating: false, count: count)
        next = block.lowerBound
        end = block.upperBound
        for lane in 0..<count where next < end {
            pathOf[lane] = UInt64(next)
            active[lane] = true
            next += 1
        }
    }

    /// Some lane still has a path to run.
    @inlinable public var hasWork: Bool { active.contains(true) }

    /// The lane holds a path that has not stopped in this chunk.
    @inlinable public func isRunning(_ lane: Int) -> Bool { active[lane] && !stopped[lane] }

    @inlinable public func path(_ lane: Int) -> Int { Int(pathOf[lane]) }

    @inlinable public func firstStep(_ lane: Int) -> Int { Int(stepOf[lane]) }

    /// Ends the lane's path; its remaining steps of the chunk are skipped.
    @inlinable public mutating func stop(_ lane: Int) { stopped[lane] = true }

    /// Closes a chunk of `steps` steps: running lanes move on by `steps`, stopped ones take the
    /// next path (in ascending lane order) and `restart(lane)` resets their state.
    @inlinable
    public mutating func endChunk(steps: Int, restart: (Int) -> Void) {
        for lane in 0..<count where active[lane] {
            if stopped[lane] {
                stopped[lane] = false
                if next < end {
                    pathOf[lane] = UInt64(next)
                    stepOf[lane] = 0
                    restart(lane)
                    next += 1
                } else {
                    active[lane] = false
                }
            } else {
                stepOf[lane] += UInt64(steps)
            }
        }
    }
}
