import Foundation
import Numerics
import Randomness

/// The fully connected network "F1" of Keskar et al. (ICLR 2017), also in Hoffer et al.'s code:
///
///     784 → 5 × [Linear(512) → BatchNorm → ReLU] → Linear(10) → softmax cross-entropy
///
/// (widths configurable for tests). All trainable parameters live in one flat array, in the
/// order W₁, b₁, γ₁, β₁, W₂, …, W_L, b_L, so optimisers, noise injection, ‖w - w₀‖ and Hessian-
/// vector products work on a vector. GEMMs go to OpenBLAS; batch norm, ReLU and the loss are
/// fused element-wise passes over preallocated buffers, split across cores for large batches.
///
/// Batch norm (Ioffe & Szegedy, arXiv:1502.03167) follows PyTorch: biased batch variance in
/// training, running statistics updated with momentum 0.1 (unbiased variance), ε = 1e-5.
public final class F1Network<S: NetworkScalar> {
    public let widths: [Int]
    public var parameters: [S]
    public var gradients: [S]
    public var runningMean: [[S]]
    public var runningVariance: [[S]]
    public static var epsilon: S { S(1e-5) }
    public static var momentum: S { S(0.1) }

    @usableFromInline var weightOffset: [Int] = [], biasOffset: [Int] = [], gammaOffset: [Int] = [], betaOffset: [Int] = []
    var capacity = 0
    // per layer l (0-based), batch-major buffers
    var normalized: [[S]] = []   // x̂ (hidden layers)
    var outputs: [[S]] = []      // post-ReLU activations (hidden), logits (last)
    var batchMean: [[S]] = [], inverseStd: [[S]] = []
    var deltaA: [S] = [], deltaZ: [S] = []
    var probabilities: [S] = []

    /// ReLU gates (1 or 0 per hidden unit and sample) frozen at some weights, used instead of
    /// y > 0 while set: the loss is then smooth in the weights, so central differences of its
    /// gradient give the Hessian of the network with its activation pattern fixed (what autograd's
    /// Hessian-vector products compute), free of the spikes (gradient jump)/2h that units
    /// switching between w - hv and w + hv would add.
    var frozenGates: [[S]]?
    /// The row of `frozenGates` the next pass's first sample uses.
    var gateRow = 0

    public var layerCount: Int { widths.count - 1 }
    public var parameterCount: Int { parameters.count }

    /// - Parameters:
    ///   - widths: layer widths, input first (default: F1).
    ///   - seed: PyTorch's default initialisation: W, b ~ U(-1/√fan_in, 1/√fan_in), γ = 1, β = 0,
    ///     drawn from Philox stream (seed, .initial).
    public init(widths: [Int] = [784, 512, 512, 512, 512, 512, 10], seed: UInt64) {
        precondition(widths.count >= 2 && widths.allSatisfy { $0 > 0 }, "invalid widths")
        self.widths = widths
        var count = 0
        for l in 0..<(widths.count - 1) {
            let (fanIn, out) = (widths[l], widths[l + 1])
            weightOffset.append(count); count += fanIn * out
            biasOffset.append(count); count += out
            if l < widths.count - 2 {
                gammaOffset.append(count); count += out
                betaOffset.append(count); count += out
            }
        }
        parameters = [S](repeating: 0, count: count)
        gradients = [S](repeating: 0, count: count)
        runningMean = (1..<(widths.count - 1)).map { [S](repeating: 0, count: widths[$0]) }
        runningVariance = (1..<(widths.count - 1)).map { [S](repeating: 1, count: widths[$0]) }
        var generator = PhiloxGenerator(seed: seed, stream: .initial, path: 0)
        for l in 0..<(widths.count - 1) {
            let bound = 1 / Double(widths[l]).squareRoot()
            for i in 0..<(widths[l] * widths[l + 1]) { parameters[weightOffset[l] + i] = S((2 * generator.nextUnit() - 1) * bound) }
            for i in 0..<widths[l + 1] { parameters[biasOffset[l] + i] = S((2 * generator.nextUnit() - 1) * bound) }
            if l < widths.count - 2 { for i in 0..<widths[l + 1] { parameters[gammaOffset[l] + i] = 1 } }
        }
    }

    /// A copy in another precision (for Hessian-vector products in Double).
    public func converted<T: NetworkScalar>(to: T.Type) -> F1Network<T> {
        let n = F1Network<T>(widths: widths, seed: 0)
        n.parameters = parameters.map { T(Double($0)) }
        n.runningMean = runningMean.map { $0.map { T(Double($0)) } }
        n.runningVariance = runningVariance.map { $0.map { T(Double($0)) } }
        return n
    }

    func reserve(_ batch: Int) {
        guard batch > capacity else { return }
        capacity = batch
        normalized = (1..<widths.count).map { [S](repeating: 0, count: batch * widths[$0]) }
        outputs = (1..<widths.count).map { [S](repeating: 0, count: batch * widths[$0]) }
        batchMean = (1..<widths.count).map { [S](repeating: 0, count: widths[$0]) }
        inverseStd = (1..<widths.count).map { [S](repeating: 0, count: widths[$0]) }
        let widest = widths.max()!
        deltaA = [S](repeating: 0, count: batch * widest)
        deltaZ = [S](repeating: 0, count: batch * widest)
        probabilities = [S](repeating: 0, count: batch * widths.last!)
    }
}
