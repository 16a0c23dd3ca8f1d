import Randomness

extension MLPModel {
    /// How an MLP's starting point x₀ is drawn, recorded in a study's configuration.
    public struct Initialization: Codable, Equatable, Sendable {
        public enum Scheme: String, Codable, Sendable {
            /// Every weight N(0, 2/(fan-in + fan-out)) (Glorot & Bengio 2010), every bias 0.
            case glorotNormal = "glorot-normal"
        }
        public var scheme: Scheme
        public var seed: UInt64
        public init(scheme: Scheme = .glorotNormal, seed: UInt64) { (self.scheme, self.seed) = (scheme, seed) }
    }

    /// A random x₀: at x = 0 every hidden unit is the same (a saddle of F whose gradient
    /// vanishes in all the hidden weights), so SGD from 0 would never break the symmetry.
    /// Glorot scaling keeps the pre-activations of order one for inputs of order one.
    ///
    /// Counter-based: weight e of layer l is normal `(path: l, draw: e)` of stream
    /// `.independent(400)`, so x₀ depends on the seed and the shape only. The first layer's
    /// rows include the design's intercept column (treated as any input, see `MLPModel`).
    public func initialParameters(_ initialization: Initialization) -> [Double] {
        let g = GaussianStream(seed: initialization.seed, stream: .independent(400))
        var x = [Double](repeating: 0, count: parameterCount)
        for l in 0..<layers {
            let weights = inputs[l] * widths[l], sd = (2 / Double(inputs[l] + widths[l])).squareRoot()
            for e in 0..<weights { x[offsets[l] + e] = sd * g.normal(path: l, draw: e) }
        }
        return x
    }
}
