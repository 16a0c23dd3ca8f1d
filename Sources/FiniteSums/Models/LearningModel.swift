/// The models a learning study runs on, as one type: the studies, their kernels and the block
/// engine are then compiled once, and each call dispatches on the case. That switch happens once
/// per block call (a GEMM-sized pass), never per sample, and a linear model receives exactly the
/// calls it received when the studies were concrete on it, so its results stay bitwise the same.
/// (Making every study generic instead would put the model type in each public entry point and
/// duplicate the specialised code for nothing the switch costs.)
public enum LearningModel: FiniteSumModel {
    case linear(LinearModel)
    case mlp(MLPModel)

    public var base: any FiniteSumModel {
        switch self {
        case .linear(let m): return m
        case .mlp(let m): return m
        }
    }

    /// x₀ when the user gave none: 0 for a linear model (F is convex there), a seeded Glorot
    /// draw for an MLP (0 is a saddle).
    public func defaultInitialPoint(_ initialization: MLPModel.Initialization?) -> [Double] {
        switch self {
        case .linear(let m): return [Double](repeating: 0, count: m.parameterCount)
        case .mlp(let m): return m.initialParameters(initialization ?? .init(seed: 0))
        }
    }

    public var name: String { base.name }
    public var featureCount: Int { base.featureCount }
    public var parameterCount: Int { base.parameterCount }
    public var activationWidth: Int { base.activationWidth }
    public var laneScratchCount: Int { base.laneScratchCount }
    public var sampleScratchCount: Int { base.sampleScratchCount }
    public func firstInvalidTarget(_ targets: [Double]) -> (row: Int, reason: String)? { base.firstInvalidTarget(targets) }

    public func forward(_ design: DesignView, parameters: UnsafePointer<Double>, ld: Int, workspace: ModelWorkspace, losses: Bool) {
        switch self {
        case .linear(let m): m.forward(design, parameters: parameters, ld: ld, workspace: workspace, losses: losses)
        case .mlp(let m): m.forward(design, parameters: parameters, ld: ld, workspace: workspace, losses: losses)
        }
    }

    public func backward(_ design: DesignView, weights: SampleWeights, workspace: ModelWorkspace, into gradient: UnsafeMutablePointer<Double>) {
        switch self {
        case .linear(let m): m.backward(design, weights: weights, workspace: workspace, into: gradient)
        case .mlp(let m): m.backward(design, weights: weights, workspace: workspace, into: gradient)
        }
    }

    public func fusedWeightedGradient(_ design: DesignView, parameters: UnsafePointer<Double>, ld: Int, weights: UnsafePointer<Double>,
                                      into gradient: UnsafeMutablePointer<Double>) -> Bool {
        guard case .linear(let m) = self else { return false }
        return m.fusedWeightedGradient(design, parameters: parameters, ld: ld, weights: weights, into: gradient)
    }

    public func hessianVectorProduct(_ design: DesignView, parameters: UnsafePointer<Double>, direction: UnsafePointer<Double>, scale: Double,
                                     workspace: ModelWorkspace, into product: UnsafeMutablePointer<Double>) {
        switch self {
        case .linear(let m):
            m.hessianVectorProduct(design, parameters: parameters, direction: direction, scale: scale, workspace: workspace, into: product)
        case .mlp(let m):
            m.hessianVectorProduct(design, parameters: parameters, direction: direction, scale: scale, workspace: workspace, into: product)
        }
    }

    public func sampleLossAndGradient(features: UnsafePointer<Double>, target: Double, parameters: UnsafePointer<Double>,
                                      gradient: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) -> Double {
        switch self {
        case .linear(let m): m.sampleLossAndGradient(features: features, target: target, parameters: parameters, gradient: gradient, scratch: scratch)
        case .mlp(let m): m.sampleLossAndGradient(features: features, target: target, parameters: parameters, gradient: gradient, scratch: scratch)
        }
    }

    public func sampleHessianVectorProduct(features: UnsafePointer<Double>, target: Double, parameters: UnsafePointer<Double>,
                                           direction: UnsafePointer<Double>, product: UnsafeMutablePointer<Double>,
                                           scratch: UnsafeMutablePointer<Double>) {
        switch self {
        case .linear(let m):
            m.sampleHessianVectorProduct(features: features, target: target, parameters: parameters, direction: direction, product: product,
                                         scratch: scratch)
        case .mlp(let m):
            m.sampleHessianVectorProduct(features: features, target: target, parameters: parameters, direction: direction, product: product,
                                         scratch: scratch)
        }
    }
}
