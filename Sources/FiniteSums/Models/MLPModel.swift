import Foundation
import Numerics

/// A small smooth multilayer perceptron f_i(x) = ℓ(u(a_i; x), y_i): one or two hidden layers of
/// tanh or softplus units and an output layer with the loss of a `LinearModel.Loss` (least
/// squares and logistic: one output; softmax: K). Smooth activations and no batch norm, so f_i
/// is C^∞ and its Hessian (which SME-2's drift needs) is defined everywhere.
///
/// Parameter layout (x is the concatenation of the layers, each a row-major matrix):
///
///     layer 0   W₀   p × h₁              x[j h₁ + c]          (no bias row: see below)
///     layer l   W_l  (h_l + 1) × h_{l+1}  rows 0..<h_l weights, the last row the bias
///
/// with h_{L+1} = K the outputs. Layer 0 has no bias of its own: it reads the design, whose
/// intercept column (appended by `TrainingSet.withIntercept`, on by default in the studies) *is*
/// its bias row. A second bias would duplicate that row exactly, leaving a flat direction of F
/// and a singular Hessian for nothing; with `--no-intercept` the first layer is bias-free, as a
/// linear model is. Later layers read activations, which have no constant, so they keep biases.
///
/// As in `LinearModel`, the first p h₁ rows of a d × ld parameter block are the p × (h₁ ld)
/// matrix that one GEMM multiplies by the design, so the first layer, the widest when p ≫ h,
/// costs one GEMM for all paths (and its gradient and Hessian-vector rows one more). The small
/// later layers have per-path weights; they run as loops whose innermost index is the path b,
/// contiguous in every buffer, so they vectorise across paths without gathering any weights.
public struct MLPModel: FiniteSumModel {
    public enum Activation: String, Sendable, Codable, CaseIterable {
        case tanh
        /// log(1 + e^z).
        case softplus
    }

    public let loss: LinearModel.Loss
    public let featureCount: Int
    public let hidden: [Int]
    public let activation: Activation
    /// K: 1 for least squares and logistic regression.
    public let outputs: Int

    /// Widths of the layers' outputs: hidden..., K.
    let widths: [Int]
    /// Inputs of each layer: p, hidden...
    let inputs: [Int]
    /// First parameter row of each layer.
    let offsets: [Int]
    /// First column (in units of ld) of each layer's output in a row of activations.
    let slots: [Int]

    public static let maximumWidth = 4096

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case invalid(String)
        public var description: String { if case .invalid(let why) = self { return why }; return "" }
    }

    public init(loss: LinearModel.Loss, featureCount: Int, hidden: [Int], activation: Activation = .tanh, classCount: Int = 2) throws {
        guard featureCount >= 1 else { throw Failure.invalid("an MLP needs at least one input feature, got \(featureCount)") }
        guard (1...2).contains(hidden.count) else {
            throw Failure.invalid("an MLP has one or two hidden layers, got \(hidden.count) (widths \(hidden))")
        }
        for w in hidden where !(1...Self.maximumWidth).contains(w) {
            throw Failure.invalid("hidden layer width \(w) must lie in 1…\(Self.maximumWidth)")
        }
        guard loss != .softmax || classCount >= 2 else { throw Failure.invalid("softmax output needs at least two classes, got \(classCount)") }
        let k = loss == .softmax ? classCount : 1
        let widths = hidden + [k], inputs = [featureCount] + hidden
        var offsets: [Int] = [], slots: [Int] = [], rows = 0, slot = 0
        for l in 0..<widths.count {
            offsets.append(rows)
            slots.append(slot)
            let (size, overflow) = (inputs[l] + (l == 0 ? 0 : 1)).multipliedReportingOverflow(by: widths[l])
            guard !overflow, size <= (1 << 28) - rows else { throw Failure.invalid("an MLP with \(featureCount) inputs and hidden widths \(hidden) has too many parameters (limit 2^28)") }
            rows += size
            slot += widths[l]
        }
        (self.loss, self.featureCount, self.hidden, self.activation, self.outputs) = (loss, featureCount, hidden, activation, k)
        (self.widths, self.inputs, self.offsets, self.slots) = (widths, inputs, offsets, slots)
        parameterCount = rows
        activationWidth = slot
    }

    public var name: String { "mlp" }
    public let parameterCount: Int
    /// Σ widths: each (sample, path) keeps every layer's output (the hidden activations, then
    /// the loss's output: u, σ(u) or softmax(u), as `LinearModel`).
    public let activationWidth: Int
    /// A copy of the parameters (backward does not receive them), one sample's directional
    /// activations R{a} and one R{g} for the Hessian-vector product.
    public var laneScratchCount: Int { parameterCount + activationWidth + 1 }
    /// activations, backward terms, directional terms, R{a} and one R{g}: one row each.
    public var sampleScratchCount: Int { 4 * activationWidth + 1 }

    var layers: Int { widths.count }

    public func firstInvalidTarget(_ targets: [Double]) -> (row: Int, reason: String)? {
        LinearModel(loss: loss, featureCount: 1, classCount: max(outputs, 2)).firstInvalidTarget(targets)
    }

    // MARK: - Block passes

    public func forward(_ design: DesignView, parameters: UnsafePointer<Double>, ld: Int, workspace: ModelWorkspace, losses: Bool) {
        workspace.laneScratch.update(from: parameters, count: parameterCount * ld)
        forwardPass(design, parameters: parameters, ld: ld, activations: workspace.activations, losses: losses ? workspace.losses : nil, blas: true)
    }

    public func backward(_ design: DesignView, weights: SampleWeights, workspace: ModelWorkspace, into gradient: UnsafeMutablePointer<Double>) {
        backwardPass(design, parameters: workspace.laneScratch, ld: workspace.ld, weights: weights, activations: workspace.activations,
                     terms: workspace.scratch, into: gradient, blas: true)
    }

    public func hessianVectorProduct(_ design: DesignView, parameters: UnsafePointer<Double>, direction: UnsafePointer<Double>, scale: Double,
                                     workspace: ModelWorkspace, into product: UnsafeMutablePointer<Double>) {
        hessianPass(design, parameters: parameters, direction: direction, ld: workspace.ld, scale: scale, activations: workspace.activations,
                    terms: workspace.scratch, directional: workspace.directional, rowScratch: workspace.laneScratch + parameterCount * workspace.ld,
                    into: product, blas: true)
    }

    // MARK: - One sample (the same passes with one row and one lane, without BLAS)

    public func sampleLossAndGradient(features a: UnsafePointer<Double>, target y: Double, parameters x: UnsafePointer<Double>,
                                      gradient: UnsafeMutablePointer<Double>, scratch: UnsafeMutablePointer<Double>) -> Double {
        withUnsafePointer(to: y) { t in
            let one = DesignView(rows: 1, features: a, targets: t)
            var value = 0.0
            forwardPass(one, parameters: x, ld: 1, activations: scratch, losses: &value, blas: false)
            backwardPass(one, parameters: x, ld: 1, weights: .uniform(1), activations: scratch, terms: scratch + activationWidth, into: gradient,
                         blas: false)
            return value
        }
    }

    public func sampleHessianVectorProduct(features a: UnsafePointer<Double>, target y: Double, parameters x: UnsafePointer<Double>,
                                           direction v: UnsafePointer<Double>, product: UnsafeMutablePointer<Double>,
                                           scratch: UnsafeMutablePointer<Double>) {
        withUnsafePointer(to: y) { t in
            let one = DesignView(rows: 1, features: a, targets: t), w = activationWidth
            forwardPass(one, parameters: x, ld: 1, activations: scratch, losses: nil, blas: false)
            hessianPass(one, parameters: x, direction: v, ld: 1, scale: 1, activations: scratch, terms: scratch + w, directional: scratch + 2 * w,
                        rowScratch: scratch + 3 * w, into: product, blas: false)
        }
    }
}
