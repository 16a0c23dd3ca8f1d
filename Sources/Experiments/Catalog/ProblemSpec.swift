import Foundation
import Numerics
import Problems

/// The serialisable description of a problem, from which every study builds (built-in
/// problems) or with which it records (the user's own problems) the concrete, specialised type:
/// its name, noise model, starting point and parameters.
public struct ProblemSpec: Sendable, Equatable, Codable {
    public var name: String
    public var noise: NoiseSpec
    /// x₀, one value per coordinate.
    public var initial: [Double]
    /// Problem-specific parameters (see `ProblemCatalog`).
    public var parameters: [String: Double]
    /// Set for a problem that is not in the catalog (see `init(describing:initial:parameters:noise:)`).
    public var custom: CustomProblem?
    /// Set for a finite sum over data of dimension d ≤ 4 (see `init(learning:initial:)`).
    public var learning: LearningProblemSpec?

    /// What a result records of a problem the catalog does not know.
    public struct CustomProblem: Sendable, Equatable, Codable {
        public var dimension: Int
        /// The Swift type, for the record.
        public var type: String
        /// How the noise was modelled, in the user's words.
        public var noise: String
    }

    /// A built-in problem by name, with defaults from its family for what is not given.
    public init(name: String, noise: NoiseSpec? = nil, initial: [Double]? = nil, parameters: [String: Double] = [:]) throws {
        guard let entry = ProblemCatalog.entry(named: name) else { throw ProblemError.unknownProblem(name) }
        self.name = name
        self.noise = noise ?? entry.defaultNoise
        self.initial = initial ?? entry.defaultInitial
        var merged = entry.defaultParameters
        for (k, v) in parameters {
            guard merged[k] != nil else { throw ProblemError.unknownParameter(k, problem: name, known: entry.defaultParameters.keys.sorted()) }
            merged[k] = v
        }
        self.parameters = merged
        try validate()
    }

    /// The description of the user's own problem, so a study can record and fingerprint it.
    ///
    /// - Parameters:
    ///   - parameters: whatever numbers define the problem; they go into the result and the
    ///     checkpoint fingerprint, so two different problems must not share a description.
    ///   - noiseDescription: a few words on the gradient noise, for the record.
    public init<P: StochasticGradientProblem>(describing problem: P, initial: P.State, parameters: [String: Double] = [:],
                                              noiseDescription: String = "") throws {
        name = problem.name
        noise = NoiseSpec(kind: .custom, scale: problem.isotropicNoiseScale ?? 0)
        self.initial = initial.components
        self.parameters = parameters
        custom = CustomProblem(dimension: P.State.dimension, type: String(describing: P.self), noise: noiseDescription)
        try validate()
    }

    /// A learning problem (a finite sum over data, `LearningProblemSpec`) for the catalogued
    /// studies: on the low-dimensional engine for d ≤ 4 (the escape studies, and weak-error and
    /// simulate by the Swift API), and escape-saddle on the block engine for any d. The problem is rebuilt from the spec (its data read again)
    /// when a study runs, so a result records everything that defines it.
    ///
    /// - Parameter initial: x₀; its length is the problem's dimension d (checked when built).
    public init(learning: LearningProblemSpec, initial: [Double]) throws {
        name = FiniteSumLandscapeName.value
        noise = NoiseSpec(kind: .minibatch, scale: 0)
        self.initial = initial
        parameters = [:]
        self.learning = learning
        try validate()
    }

    /// The value of a declared parameter (a family reads its own through `ProblemParameters`).
    public func parameter(_ key: String) -> Double? { parameters[key] }

    /// The problem's dimension d.
    public var dimension: Int? {
        if learning != nil { return initial.count }
        return custom?.dimension ?? ProblemCatalog.entry(named: name)?.dimension
    }

    public func validate() throws {
        guard initial.allSatisfy(\.isFinite) else { throw ProblemError.invalidValue("x0", initial.description) }
        for (k, v) in parameters where !v.isFinite { throw ProblemError.invalidValue(k, "\(v)") }
        if learning != nil {
            // d ≤ 4 runs on the low-dimensional engine (`accept`), larger d on the block engine
            guard !initial.isEmpty else { throw ProblemError.invalidValue("x0", "no coordinates: a learning problem has d ≥ 1 parameters") }
            return
        }
        if let custom {
            guard initial.count == custom.dimension else {
                throw ProblemError.wrongDimension(expected: custom.dimension, got: initial.count, what: "initial point x0")
            }
            return
        }
        guard let entry = ProblemCatalog.entry(named: name) else { throw ProblemError.unknownProblem(name) }
        guard initial.count == entry.dimension else {
            throw ProblemError.wrongDimension(expected: entry.dimension, got: initial.count, what: "initial point x0")
        }
        for parameter in entry.parameters {
            guard let value = parameters[parameter.key] else { throw ProblemError.invalidValue(parameter.key, "missing") }
            try parameter.check(value)
        }
        for key in parameters.keys where !entry.parameters.contains(where: { $0.key == key }) {
            throw ProblemError.unknownParameter(key, problem: name, known: entry.parameters.map(\.key).sorted())
        }
        try noise.validate(dimension: entry.dimension, allowed: entry.allowedNoise)
        try entry.family.validate(ProblemParameters(parameters))
    }
}

/// The gradient-noise model of a built-in problem.
public struct NoiseSpec: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Σ = σ² I.
        case additive
        /// Σ = σ² diag(x²).
        case multiplicative
        /// S = σ diag(1 + a_i sin x_i).
        case modulated
        /// Mini-batches of a finite sum, without replacement (Σ from Proposition 1).
        case minibatch
        /// The user's own noise model (a problem described with `ProblemSpec(describing:…)`);
        /// `scale` is its isotropic σ if it has one, else 0.
        case custom

        /// The models a built-in problem can be given by name.
        public static var selectable: [Kind] { allCases.filter { $0 != .custom } }
    }

    public var kind: Kind
    public var distribution: NoiseDistribution
    /// σ (unused for mini-batches).
    public var scale: Double
    /// a_i for `.modulated`.
    public var amplitudes: [Double]

    public init(kind: Kind, distribution: NoiseDistribution = .gaussian, scale: Double = 1, amplitudes: [Double] = []) {
        self.kind = kind
        self.distribution = distribution
        self.scale = scale
        self.amplitudes = amplitudes
    }

    func validate(dimension: Int, allowed: [Kind]) throws {
        guard allowed.contains(kind) else {
            throw ProblemError.unsupportedNoise(kind.rawValue, allowed: allowed.map(\.rawValue))
        }
        guard scale >= 0, scale.isFinite else { throw ProblemError.invalidValue("noise scale σ", "\(scale)") }
        if kind == .modulated {
            guard amplitudes.count == dimension else {
                throw ProblemError.wrongDimension(expected: dimension, got: amplitudes.count, what: "noise amplitudes")
            }
            guard amplitudes.allSatisfy({ abs($0) < 1 }) else {
                throw ProblemError.invalidValue("noise amplitudes", "\(amplitudes) (need |a_i| < 1 so S(x) stays positive definite)")
            }
        }
        if kind == .minibatch && distribution != .gaussian {
            throw ProblemError.invalidValue("noise distribution", "mini-batch noise has its own law; drop --distribution")
        }
    }
}

public enum ProblemError: Error, CustomStringConvertible, Equatable {
    case unknownProblem(String)
    case unknownParameter(String, problem: String, known: [String])
    case wrongDimension(expected: Int, got: Int, what: String)
    case invalidValue(String, String)
    case unsupportedNoise(String, allowed: [String])
    case notCatalogued(String)

    public var description: String {
        switch self {
        case .unknownProblem(let n):
            return "unknown problem '\(n)'; choose one of: \(ProblemCatalog.entries.map(\.name).joined(separator: ", "))"
        case .unknownParameter(let k, let p, let known):
            return "problem '\(p)' has no parameter '\(k)'; its parameters are: \(known.isEmpty ? "(none)" : known.joined(separator: ", "))"
        case .wrongDimension(let e, let g, let what): return "\(what) needs \(e) values, got \(g)"
        case .invalidValue(let k, let v): return "invalid \(k): \(v)"
        case .unsupportedNoise(let k, let allowed): return "noise '\(k)' is not available for this problem; choose one of: \(allowed.joined(separator: ", "))"
        case .notCatalogued(let n): return "problem '\(n)' is the user's own, not a built-in: run it through a study's run(problem:…) entry point from Swift"
        }
    }
}

extension ProblemSpec {
    /// Checks that this spec describes `problem` started at `initial`, so a result never records
    /// one problem while another was simulated.
    public func requireDescribes<P: StochasticGradientProblem>(_ problem: P, initial: P.State) throws {
        guard dimension == P.State.dimension else {
            throw ProblemError.wrongDimension(expected: P.State.dimension, got: dimension ?? 0, what: "the problem description of '\(name)'")
        }
        guard initial.components == self.initial else {
            throw ProblemError.invalidValue("x0", "the configuration records \(self.initial) but the run starts at \(initial.components)")
        }
        guard name == problem.name else {
            throw ProblemError.invalidValue("problem", "the configuration describes '\(name)' but the problem is '\(problem.name)'")
        }
    }
}

extension ProblemSpec {
    /// The noise model in words, for reports.
    public var noiseSummary: String {
        if let custom { return custom.noise.isEmpty ? "the problem's own model" : custom.noise }
        return "\(noise.kind.rawValue) (\(noise.distribution.rawValue), σ = \(noise.scale))"
    }
}
