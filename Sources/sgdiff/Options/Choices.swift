import ArgumentParser
import Foundation
import SGDDiffusion

// Choice options are the library's own enums, so `--help` lists the allowed values and an
// unknown value is ArgumentParser's one-line error naming them.
extension StepperKind: ExpressibleByArgument {}
extension NoiseSpec.Kind: ExpressibleByArgument {
    // `custom` describes a user's own problem run from Swift; it cannot be chosen by name.
    public init?(argument: String) {
        guard let kind = Self(rawValue: argument), kind != .custom else { return nil }
        self = kind
    }
    public static var allValueStrings: [String] { selectable.map(\.rawValue) }
}
extension NoiseDistribution: ExpressibleByArgument {}
extension TestFunction: ExpressibleByArgument {}
extension WeakErrorConfiguration.PathScaling: ExpressibleByArgument {}
extension SDEBenchmark.Problem: ExpressibleByArgument {}
extension SDEBenchmark.Precision: ExpressibleByArgument {}

/// `sgdiff mnist --fidelity`.
enum MNISTFidelity: String, CaseIterable, ExpressibleByArgument {
    case quick, paper
}

/// `sgdiff bench mlp --optimizers`.
enum BenchOptimizer: String, CaseIterable, ExpressibleByArgument {
    case sgd, momentum
}

/// A comma-separated list of choices, e.g. `--phi x,x^2`: help lists the choices, and an
/// unknown or empty entry fails parsing with them listed.
struct ChoiceList<Choice: ExpressibleByArgument & CaseIterable & RawRepresentable & Hashable>: ExpressibleByArgument where Choice.RawValue == String {
    var values: [Choice]

    init(_ values: [Choice]) { self.values = values }

    init?(argument: String) {
        var values: [Choice] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let choice = Choice(rawValue: part.trimmingCharacters(in: .whitespaces)) else { return nil }
            values.append(choice)
        }
        guard !values.isEmpty else { return nil }
        self.values = values
    }

    var defaultValueDescription: String { values.map(\.rawValue).joined(separator: ",") }
    static var allValueStrings: [String] { Choice.allCases.map(\.rawValue) }

    /// The first entry given twice, for a one-line error.
    var duplicate: Choice? { firstDuplicate(values) }
}

/// A comma-separated list of finite numbers, e.g. `--etas 0.1,0.05`. The empty string is the
/// empty list (options whose help says "empty: none").
struct NumberList: ExpressibleByArgument, Equatable {
    var values: [Double]

    init(_ values: [Double]) { self.values = values }

    init?(argument: String) {
        if argument.trimmingCharacters(in: .whitespaces).isEmpty {
            values = []
            return
        }
        var values: [Double] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            guard let v = Double(part.trimmingCharacters(in: .whitespaces)), v.isFinite else { return nil }
            values.append(v)
        }
        self.values = values
    }

    var defaultValueDescription: String { values.isEmpty ? "none" : values.map { String(format: "%g", $0) }.joined(separator: ",") }

    /// A grid of distinct values (η, step sizes...), or a one-line error naming the option when
    /// it is empty or repeats a value.
    func grid(_ option: String, allowEmpty: Bool = false) throws -> [Double] {
        if values.isEmpty && !allowEmpty { throw ValidationError("\(option) needs at least one number") }
        if let d = firstDuplicate(values) { throw ValidationError("\(option) lists \(String(format: "%g", d)) twice") }
        return values
    }

    /// Coordinates (a point, a box): any values, at least one.
    func coordinates(_ option: String) throws -> [Double] {
        if values.isEmpty { throw ValidationError("\(option) needs at least one number") }
        return values
    }

    /// Whole numbers, each in `range`, for options that are counts.
    func counts(_ option: String, in range: ClosedRange<Int>) throws -> [Int] {
        try grid(option).map { v in
            guard v == v.rounded(), v >= Double(range.lowerBound), v <= Double(range.upperBound) else {
                throw ValidationError("\(option): \(String(format: "%g", v)) is not a whole number in \(range.lowerBound)...\(range.upperBound)")
            }
            return Int(v)
        }
    }
}

func firstDuplicate<T: Hashable>(_ values: [T]) -> T? {
    var seen = Set<T>()
    return values.first { !seen.insert($0).inserted }
}

/// Seeds: any whole number in 0...2^64-1. A negative value is parsed (not taken for an option
/// name) so the error says what is wrong with it.
@Sendable func parseSeed(_ text: String) throws -> UInt64 {
    guard let seed = UInt64(text) else { throw ValidationError("a seed is a whole number in 0...\(UInt64.max)") }
    return seed
}
