import Foundation
import Problems

/// A built-in problem chosen by name, with its noise model, starting point and parameters: the
/// serialisable description from which every experiment builds concrete, specialised types.
public struct ProblemSpec: Sendable, Equatable, Codable {
    public var name: String
    public var noise: NoiseSpec
    /// x₀, one value per coordinate.
    public var initial: [Double]
    /// Problem-specific parameters (see `ProblemCatalog.entries`).
    public var parameters: [String: Double]

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

    public func parameter(_ key: String) -> Double { parameters[key] ?? .nan }

    public func validate() throws {
        guard let entry = ProblemCatalog.entry(named: name) else { throw ProblemError.unknownProblem(name) }
        guard initial.count == entry.dimension else {
            throw ProblemError.wrongDimension(expected: entry.dimension, got: initial.count, what: "initial point x0")
        }
        guard initial.allSatisfy(\.isFinite) else { throw ProblemError.invalidValue("x0", initial.description) }
        for (k, v) in parameters where !v.isFinite { throw ProblemError.invalidValue(k, "\(v)") }
        try noise.validate(dimension: entry.dimension, allowed: entry.allowedNoise)
        try entry.validate(self)
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

    public var description: String {
        switch self {
        case .unknownProblem(let n):
            return "unknown problem '\(n)'; choose one of: \(ProblemCatalog.entries.map(\.name).joined(separator: ", "))"
        case .unknownParameter(let k, let p, let known):
            return "problem '\(p)' has no parameter '\(k)'; its parameters are: \(known.isEmpty ? "(none)" : known.joined(separator: ", "))"
        case .wrongDimension(let e, let g, let what): return "\(what) needs \(e) values, got \(g)"
        case .invalidValue(let k, let v): return "invalid \(k): \(v)"
        case .unsupportedNoise(let k, let allowed): return "noise '\(k)' is not available for this problem; choose one of: \(allowed.joined(separator: ", "))"
        }
    }
}
