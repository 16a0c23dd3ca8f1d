import Foundation
import Numerics
import Problems

/// The built-in problems, by name.
public enum ProblemCatalog {
    /// The one place a family is registered: every use of the catalog (listing, lookup by
    /// name, building the problem) walks this function.
    ///
    /// It calls the visitor with each family's static type, rather than keeping an array of
    /// `any BuiltinProblem.Type`, so that building a problem for a study stays fully specialised:
    /// a call through an existential metatype would run the study's path loops as unspecialised
    /// generic code, about 30x slower.
    static func forEachFamily<V: FamilyVisitor>(_ visitor: inout V) throws {
        try visitor.visit(QuadraticProblem.self)
        try visitor.visit(DoubleWellProblem.self)
        try visitor.visit(DoubleWell2DProblem.self)
        try visitor.visit(SaddleProblem.self)
        try visitor.visit(MaximumProblem.self)
        try visitor.visit(LeastSquaresProblem.self)
    }

    /// Every built-in family, in the order `sgdiff problems` lists them.
    public static let families: [any BuiltinProblem.Type] = {
        struct Collect: FamilyVisitor {
            var all: [any BuiltinProblem.Type] = []
            mutating func visit<F: BuiltinProblem>(_ family: F.Type) { all.append(family) }
        }
        var collect = Collect()
        try? forEachFamily(&collect)
        return collect.all
    }()

    /// What a family declares, as a value (for listings, defaults and validation).
    public struct Entry: Sendable {
        public let family: any BuiltinProblem.Type
        public var name: String { family.name }
        public var summary: String { family.summary }
        public var dimension: Int { family.dimension }
        public var defaultNoise: NoiseSpec { family.defaultNoise }
        public var allowedNoise: [NoiseSpec.Kind] { family.allowedNoise }
        public var defaultInitial: [Double] { family.defaultInitial }
        public var parameters: [ProblemParameter] { family.parameters }
        public var defaultParameters: [String: Double] {
            Dictionary(uniqueKeysWithValues: family.parameters.map { ($0.key, $0.defaultValue) })
        }
        public var stationaryPoints: [String: [Double]] { family.stationaryPoints }
    }

    public static var entries: [Entry] { families.map { Entry(family: $0) } }

    public static func entry(named name: String) -> Entry? {
        families.first { $0.name == name }.map { Entry(family: $0) }
    }
}

/// Receives each registered family with its static type (see `ProblemCatalog.forEachFamily`).
protocol FamilyVisitor {
    mutating func visit<F: BuiltinProblem>(_ family: F.Type) throws
}

/// Builds the problem of the family `spec` names and hands it to `visitor`.
struct BuildProblem<V: ProblemVisitor>: FamilyVisitor {
    let spec: ProblemSpec
    let visitor: V
    var output: V.Output?

    init(spec: ProblemSpec, visitor: V) {
        self.spec = spec
        self.visitor = visitor
    }

    mutating func visit<F: BuiltinProblem>(_ family: F.Type) throws {
        guard output == nil, F.name == spec.name else { return }
        output = try F.make(spec, ProblemParameters(spec.parameters), visitor: visitor)
    }
}

extension ProblemSpec {
    /// Builds the concrete problem this spec names and hands it to `visitor`.
    ///
    /// - Throws: `ProblemError` for an invalid spec, or `.notCatalogued` for a problem described
    ///   with `ProblemSpec(describing:)`: such a problem exists only as a Swift value, so pass it
    ///   to a study's `run(problem:…)` entry point instead.
    public func accept<V: ProblemVisitor>(_ visitor: V) throws -> V.Output {
        try validate()
        guard custom == nil else { throw ProblemError.notCatalogued(name) }
        if let learning { return try learning.visitLandscape(initial: initial, visitor) }
        var build = BuildProblem(spec: self, visitor: visitor)
        try ProblemCatalog.forEachFamily(&build)
        guard let output = build.output else { throw ProblemError.notCatalogued(name) }
        return output
    }
}
