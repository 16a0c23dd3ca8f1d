/// A model whose per-sample losses f_i(x) = ℓ(a_i, y_i; x) make the finite sum
/// F(x) = (1/M) Σ_i f_i(x), evaluated for a *block* of B parameter vectors at once.
///
/// Every buffer is row-major, and a parameter block is d × ld (column b is path b, ld ≥ B),
/// so that the work over B paths becomes a few matrix products (OpenBLAS GEMM) instead of
/// B matrix-vector products. The three operations are what SGD and its diffusion need:
///
///     forward            the per-sample quantities of every (sample, path)
///     backward           G[:, b] = Σ_i w_ib ∇f_i(x_b)          (any weights: batch means, SME noise)
///     Hessian-vector     H[:, b] = s Σ_i ∇²f_i(x_b) v_b          (exact, for SME-2's drift)
///
/// One weighted backward pass with w_ib = (z_ib − z̄_b) gives an exact sample of
/// N(0, (M − 1) Σ₀(x_b)) (see `FiniteSumDynamics`), which is why the interface takes weights.
public protocol FiniteSumModel: Sendable {
    /// "least-squares", "logistic", "softmax", "mlp".
    var name: String { get }
    /// p, the columns of the design this model reads.
    var featureCount: Int { get }
    /// d.
    var parameterCount: Int { get }
    /// Doubles the model keeps per (sample, path) between forward and backward.
    var activationWidth: Int { get }
    /// Doubles per path of `ModelWorkspace.laneScratch` (0 unless the model needs them).
    var laneScratchCount: Int { get }
    /// Checks that every target suits the model; returns the index of the first row that does
    /// not, and why (a class label out of range, a non-binary label for logistic regression).
    func firstInvalidTarget(_ targets: [Double]) -> (row: Int, reason: String)?
    /// Forward pass of `design` (n × p) for parameter columns 0..<ld of `parameters` (d × ld).
    /// Fills `workspace.activations` and, when `losses` is true, `workspace.losses` (n × ld).
    func forward(_ design: DesignView, parameters: UnsafePointer<Double>, ld: Int, workspace: ModelWorkspace, losses: Bool)
    /// G (d × ld) = Σ_i w_ib ∇f_i(x_b) after `forward` on the same design and parameters.
    func backward(_ design: DesignView, weights: SampleWeights, workspace: ModelWorkspace, into gradient: UnsafeMutablePointer<Double>)
    /// G (d × ld) = Σ_i w_ib ∇f_i(x_b) from the parameters alone, in one fused pass where the model
    /// has one (see `LinearModel`); returns false, having written nothing, where it has not, and
    /// the caller runs `forward` and `backward`. `workspace` is left as it was.
    func fusedWeightedGradient(_ design: DesignView, parameters: UnsafePointer<Double>, ld: Int, weights: UnsafePointer<Double>,
                               into gradient: UnsafeMutablePointer<Double>) -> Bool
    /// H (d × ld) = scale Σ_i ∇²f_i(x_b) v_b after `forward` on the same design and parameters.
    func hessianVectorProduct(_ design: DesignView, parameters: UnsafePointer<Double>, direction: UnsafePointer<Double>, scale: Double,
                              workspace: ModelWorkspace, into product: UnsafeMutablePointer<Double>)

    /// Doubles of scratch that the one-sample functions below need.
    var sampleScratchCount: Int { get }
    /// f_i(x), writing ∇f_i(x) (d doubles) into `gradient`, for one sample and one contiguous
    /// parameter vector. The low-dimensional engine (d ≤ 4, one path per SIMD state) calls this
    /// from many threads at once, so it takes its scratch from the caller instead of a workspace.
    func sampleLossAndGradient(features: UnsafePointer<Double>, target: Double, parameters: UnsafePointer<Double>,
                               gradient: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) -> Double
    /// ∇²f_i(x) v (d doubles) into `product`, for one sample (exact, as the block HVP).
    func sampleHessianVectorProduct(features: UnsafePointer<Double>, target: Double, parameters: UnsafePointer<Double>,
                                    direction: UnsafePointer<Double>, product: UnsafeMutablePointer<Double>,
                                    scratch: UnsafeMutablePointer<Double>)
}

extension FiniteSumModel {
    public var laneScratchCount: Int { 0 }
    public func fusedWeightedGradient(_ design: DesignView, parameters: UnsafePointer<Double>, ld: Int, weights: UnsafePointer<Double>,
                                      into gradient: UnsafeMutablePointer<Double>) -> Bool { false }
}

/// Rows of a design matrix and their targets, borrowed for one call.
public struct DesignView {
    public let rows: Int
    public let features: UnsafePointer<Double>
    public let targets: UnsafePointer<Double>
    public init(rows: Int, features: UnsafePointer<Double>, targets: UnsafePointer<Double>) {
        (self.rows, self.features, self.targets) = (rows, features, targets)
    }
}

/// The weight of sample i in path b's gradient sum.
public enum SampleWeights {
    /// w_ib = w for every sample and path (a full-data or batch mean).
    case uniform(Double)
    /// w_ib = matrix[i * ld + b] (n × ld).
    case matrix(UnsafePointer<Double>)
}

/// Scratch buffers for one block of paths, allocated once so that no step allocates.
public final class ModelWorkspace: @unchecked Sendable {
    public let rowCapacity: Int
    public let ld: Int
    public let activationWidth: Int
    /// rowCapacity × activationWidth·ld: what forward leaves for backward.
    public let activations: UnsafeMutablePointer<Double>
    /// rowCapacity × activationWidth·ld: backward's and the HVP's per-sample terms.
    public let scratch: UnsafeMutablePointer<Double>
    /// rowCapacity × activationWidth·ld: the HVP's directional derivatives.
    public let directional: UnsafeMutablePointer<Double>
    /// rowCapacity × ld.
    public let losses: UnsafeMutablePointer<Double>
    /// laneScratchCount × ld, independent of the rows (an MLP's copy of the parameters).
    public let laneScratch: UnsafeMutablePointer<Double>

    public init(model: some FiniteSumModel, rows: Int, ld: Int) {
        precondition(rows >= 1 && ld >= 1, "a workspace needs at least one row and one lane")
        (rowCapacity, self.ld, activationWidth) = (rows, ld, model.activationWidth)
        let wide = rows * model.activationWidth * ld
        activations = .allocate(capacity: wide)
        scratch = .allocate(capacity: wide)
        directional = .allocate(capacity: wide)
        losses = .allocate(capacity: rows * ld)
        activations.initialize(repeating: 0, count: wide)
        scratch.initialize(repeating: 0, count: wide)
        directional.initialize(repeating: 0, count: wide)
        losses.initialize(repeating: 0, count: rows * ld)
        laneScratch = .allocate(capacity: max(1, model.laneScratchCount * ld))
        laneScratch.initialize(repeating: 0, count: max(1, model.laneScratchCount * ld))
    }

    deinit {
        activations.deallocate()
        scratch.deallocate()
        directional.deallocate()
        losses.deallocate()
        laneScratch.deallocate()
    }
}
