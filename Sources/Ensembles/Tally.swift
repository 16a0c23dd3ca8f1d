import Numerics

/// Named Monte Carlo accumulators for one ensemble task: exact moments of observables and
/// integer event counts. Merging is exact and order-independent.
public struct Tally: Sendable, Equatable, Codable {
    public private(set) var names: [String]
    public var moments: [MomentAccumulator]
    public var counts: [String: Int]

    /// - Parameter observables: (name, shift) pairs; `shift` should be near the mean.
    public init(observables: [(String, Double)]) {
        names = observables.map(\.0)
        moments = observables.map { MomentAccumulator(shift: $0.1) }
        counts = [:]
    }

    /// The same observables and shifts with nothing accumulated.
    public var emptied: Tally {
        var t = self
        t.moments = moments.map { MomentAccumulator(shift: $0.shift) }
        t.counts = [:]
        return t
    }

    public func index(of name: String) -> Int? { names.firstIndex(of: name) }

    public subscript(name: String) -> MomentAccumulator {
        guard let i = index(of: name) else { preconditionFailure("no observable named \(name)") }
        return moments[i]
    }

    @inlinable
    public mutating func add(_ index: Int, _ value: Double) { moments[index].add(value) }

    public mutating func count(_ event: String, by n: Int = 1) { counts[event, default: 0] += n }

    public mutating func merge(_ other: Tally) {
        precondition(names == other.names, "cannot merge tallies of different observables")
        for i in moments.indices { moments[i].merge(other.moments[i]) }
        for (k, v) in other.counts { counts[k, default: 0] += v }
    }
}
