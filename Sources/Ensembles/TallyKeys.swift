import Numerics

/// The observables of an estimator whose set is fixed at compile time: one case per observable,
/// `rawValue` its position in the tally. Writing and reading through the enum replaces indices
/// and strings that had to agree by hand between the kernel that fills a tally and the study
/// that reads it.
///
/// `name` is what the tally (and so every checkpoint and partial result) stores: renaming a
/// case's `name` invalidates saved progress, reordering cases changes which accumulator is which.
public protocol TallyObservable: CaseIterable, RawRepresentable, Sendable where RawValue == Int, AllCases == [Self] {
    var name: String { get }
    /// Near the observable's mean, for the accumulator's numerical shift.
    var shift: Double { get }
}

/// An integer event an estimator counts (an outcome of a path, a divergence); `key` is the
/// stored name.
public protocol TallyEvent: Sendable {
    var key: String { get }
}

extension Tally {
    /// A tally of exactly the observables of `O`, in case order.
    public init<O: TallyObservable>(_ observables: O.Type) {
        self.init(observables: O.allCases.map { ($0.name, $0.shift) })
    }

    /// Adds to observable `o`; the tally must have been made by `init(O.self)`.
    @inlinable
    public mutating func add<O: TallyObservable>(_ o: O, _ value: Double) {
        assert(names[o.rawValue] == o.name, "tally was not made for \(O.self)")
        add(o.rawValue, value)
    }

    /// Read by name, so a tally restored from a checkpoint is checked rather than trusted.
    public subscript<O: TallyObservable>(observable: O) -> MomentAccumulator { self[observable.name] }

    public mutating func count<E: TallyEvent>(_ event: E, by n: Int = 1) { count(event.key, by: n) }

    public func count<E: TallyEvent>(of event: E) -> Int { counts[event.key] ?? 0 }
}

/// Paths of a coupled SGD/SDE ensemble that left the finite numbers, by side.
public enum Divergence: String, TallyEvent, CaseIterable {
    case sgd = "sgd-diverged"
    case sde = "sde-diverged"
    public var key: String { rawValue }
}
