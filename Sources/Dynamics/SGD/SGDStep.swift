import Numerics
import Problems
import Randomness

/// The SGD iteration and its variants (paper (2.2), (3.2), §6):
///
///     g_k = ∇f(x_k; ζ_k) (+ ε_k, ε_k ~ N(0, σ_inj² I) when noise is injected)
///     plain:        x_{k+1} = x_k - η g_k
///     heavy ball:   v_{k+1} = ρ v_k + g_k,  x_{k+1} = x_k - η v_{k+1}   (PyTorch's convention)
public struct SGDMethod: Sendable, Equatable, Codable {
    public var eta: Double
    /// ρ in [0, 1); 0 is plain SGD.
    public var momentum: Double
    /// σ_inj; 0 means no injected noise.
    public var injectedNoise: Double

    public init(eta: Double, momentum: Double = 0, injectedNoise: Double = 0) {
        self.eta = eta
        self.momentum = momentum
        self.injectedNoise = injectedNoise
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case nonPositiveEta(Double)
        case momentumOutOfRange(Double)
        case negativeInjectedNoise(Double)
        public var description: String {
            switch self {
            case .nonPositiveEta(let e): return "learning rate η must be positive and finite, got \(e)"
            case .momentumOutOfRange(let r): return "momentum ρ must lie in [0, 1), got \(r)"
            case .negativeInjectedNoise(let s): return "injected noise σ must be non-negative, got \(s)"
            }
        }
    }

    public func validate() throws {
        guard eta > 0, eta.isFinite else { throw Failure.nonPositiveEta(eta) }
        guard momentum >= 0, momentum < 1 else { throw Failure.momentumOutOfRange(momentum) }
        guard injectedNoise >= 0, injectedNoise.isFinite else { throw Failure.negativeInjectedNoise(injectedNoise) }
    }

    /// One iteration; `velocity` is ignored (and left alone) for plain SGD.
    @inlinable @inline(__always)
    public func step<P: StochasticGradientProblem>(_ problem: P, from x: P.State, velocity: inout P.State, step k: Int,
                                                   driving xi: P.State, injected z: P.State,
                                                   generator: inout PhiloxGenerator) -> P.State {
        var g = problem.stochasticGradient(at: x, step: k, driving: xi, generator: &generator)
        if injectedNoise > 0 { g = g + injectedNoise * z }
        if momentum > 0 {
            velocity = momentum * velocity + g
            return x - eta * velocity
        }
        return x - eta * g
    }
}
