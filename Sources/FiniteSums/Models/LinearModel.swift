import Foundation
import Numerics

/// Linear models f_i(x) = ℓ(a_iᵀ W, y_i): least squares, logistic regression and softmax
/// (multinomial logistic) regression. W is p × K (K = 1 but for softmax), stored as
/// x[j K + k], so that a d × ld parameter block *is* the p × (K ld) matrix that one GEMM
/// multiplies by the design: the logits of every (sample, class, path) in one call.
extension LinearModel.Loss {
    /// Turns one sample's output logits u (k of them, `stride` apart) into what backward needs,
    /// in place: u (least squares), σ(u) (logistic), softmax(u) (softmax); returns the loss
    /// ℓ(u, y) when `wantLoss` (else 0: the SDE's steps skip the transcendental functions).
    /// The output layer of every model (linear, MLP; block and one-sample passes) goes through it.
    @inline(__always)
    func applyOutput(_ u: UnsafeMutablePointer<Double>, outputs k: Int, stride: Int, target y: Double, wantLoss: Bool) -> Double {
        switch self {
        case .leastSquares:
            guard wantLoss else { return 0 }
            let r = u[0] - y
            return 0.5 * r * r
        case .welsch:
            guard wantLoss else { return 0 }
            let r = u[0] - y
            return 0.5 * (1 - exp(-r * r))
        case .logistic:
            let z = u[0]
            u[0] = 1 / (1 + exp(-z))
            return wantLoss ? LinearModel.softplus(z) - y * z : 0
        case .softmax:
            let label = Int(y)
            var top = -Double.infinity
            for c in 0..<k { top = max(top, u[c * stride]) }
            var sum = 0.0
            let logitOfLabel = u[label * stride]
            for c in 0..<k {
                let e = exp(u[c * stride] - top)
                u[c * stride] = e
                sum += e
            }
            for c in 0..<k { u[c * stride] /= sum }
            return wantLoss ? top + log(sum) - logitOfLabel : 0
        }
    }

    /// ∂ℓ/∂u for a one-output loss, from what `applyOutput` left (u, or σ(u)) and the target.
    @inline(__always)
    func outputSlope(_ a: Double, target y: Double) -> Double {
        guard self == .welsch else { return a - y }
        let r = a - y
        return r * exp(-r * r)
    }

    /// ∂²ℓ/∂u² for a one-output loss, from what `applyOutput` left and the target.
    @inline(__always)
    func outputCurvature(_ a: Double, target y: Double) -> Double {
        switch self {
        case .leastSquares, .softmax: return 1
        case .logistic: return a * (1 - a)
        case .welsch:
            let r2 = (a - y) * (a - y)
            return exp(-r2) * (1 - 2 * r2)
        }
    }
}

public struct LinearModel: FiniteSumModel {
    public enum Loss: String, Sendable, Codable, CaseIterable {
        /// ½ (aᵀx − y)².
        case leastSquares = "least-squares"
        /// log(1 + e^u) − y u with u = aᵀx and y ∈ {0, 1}.
        case logistic
        /// log Σ_k e^{u_k} − u_y with u = aᵀW and y ∈ {0, …, K−1}.
        case softmax
        /// ½ (1 − e^{−r²}) with r = aᵀx − y: Welsch's robust regression loss at unit scale (scale
        /// the targets for another). Bounded and nonconvex, so data from several regimes give a
        /// finite sum with several minima of different shape: the landscapes of paper §5.
        case welsch
    }

    public let loss: Loss
    public let featureCount: Int
    public let classCount: Int

    public init(loss: Loss, featureCount: Int, classCount: Int = 2) {
        precondition(featureCount >= 1, "a linear model needs at least one feature")
        precondition(loss != .softmax || classCount >= 2, "softmax regression needs at least two classes")
        self.loss = loss
        self.featureCount = featureCount
        self.classCount = loss == .softmax ? classCount : 1
    }

    public var name: String { loss.rawValue }
    public var outputs: Int { classCount }
    public var parameterCount: Int { featureCount * outputs }
    public var activationWidth: Int { outputs }

    public func firstInvalidTarget(_ targets: [Double]) -> (row: Int, reason: String)? {
        switch loss {
        case .leastSquares, .welsch:
            return nil
        case .logistic:
            guard let i = targets.firstIndex(where: { $0 != 0 && $0 != 1 }) else { return nil }
            return (i, "logistic regression needs labels 0 or 1, got \(targets[i])")
        case .softmax:
            guard let i = targets.firstIndex(where: { $0 < 0 || $0 != $0.rounded() || $0 >= Double(classCount) }) else { return nil }
            return (i, "label \(targets[i]) is not a class index 0…\(classCount - 1) (the model has \(classCount) outputs; raise --classes)")
        }
    }

    /// activations[i, k ld + b] = u (least squares), σ(u) (logistic), softmax(u)_k (softmax).
    public func forward(_ design: DesignView, parameters: UnsafePointer<Double>, ld: Int, workspace: ModelWorkspace, losses: Bool) {
        let n = design.rows, wide = outputs * ld
        Double._gemm(transA: false, transB: false, m: n, n: wide, k: featureCount, alpha: 1, a: design.features, lda: featureCount,
                     b: parameters, ldb: wide, beta: 0, c: workspace.activations, ldc: wide)
        let act = workspace.activations, lossRows = workspace.losses, k = outputs
        // least squares and Welsch without losses: the logits are what backward needs
        if (loss == .leastSquares || loss == .welsch) && !losses { return }
        for i in 0..<n {
            let y = design.targets[i]
            for b in 0..<ld {
                let value = loss.applyOutput(act + i * wide + b, outputs: k, stride: ld, target: y, wantLoss: losses)
                if losses { lossRows[i * ld + b] = value }
            }
        }
    }

    public func backward(_ design: DesignView, weights: SampleWeights, workspace: ModelWorkspace, into gradient: UnsafeMutablePointer<Double>) {
        let n = design.rows, ld = workspace.ld, k = outputs, wide = k * ld
        let act = workspace.activations, terms = workspace.scratch
        for i in 0..<n {
            let y = design.targets[i]
            let label = loss == .softmax ? Int(y) : 0
            for c in 0..<k {
                let offset = i * wide + c * ld
                let target = loss == .softmax ? (c == label ? 1.0 : 0.0) : y
                switch weights {
                case .uniform(let w):
                    for b in 0..<ld { terms[offset + b] = w * loss.outputSlope(act[offset + b], target: target) }
                case .matrix(let w):
                    let wRow = w + i * ld
                    for b in 0..<ld { terms[offset + b] = wRow[b] * loss.outputSlope(act[offset + b], target: target) }
                }
            }
        }
        Double._gemm(transA: true, transB: false, m: featureCount, n: wide, k: n, alpha: 1, a: design.features, lda: featureCount,
                     b: terms, ldb: wide, beta: 0, c: gradient, ldc: wide)
    }

    public func hessianVectorProduct(_ design: DesignView, parameters: UnsafePointer<Double>, direction: UnsafePointer<Double>, scale: Double,
                                     workspace: ModelWorkspace, into product: UnsafeMutablePointer<Double>) {
        let n = design.rows, ld = workspace.ld, k = outputs, wide = k * ld
        let act = workspace.activations, s = workspace.directional, terms = workspace.scratch
        Double._gemm(transA: false, transB: false, m: n, n: wide, k: featureCount, alpha: 1, a: design.features, lda: featureCount,
                     b: direction, ldb: wide, beta: 0, c: s, ldc: wide)
        switch loss {
        case .leastSquares:
            for e in 0..<(n * wide) { terms[e] = s[e] }
        case .logistic:
            for e in 0..<(n * wide) {
                let p = act[e]
                terms[e] = p * (1 - p) * s[e]
            }
        case .welsch:
            for i in 0..<n {
                let y = design.targets[i]
                for b in 0..<ld { terms[i * ld + b] = loss.outputCurvature(act[i * ld + b], target: y) * s[i * ld + b] }
            }
        case .softmax:
            // (diag p − p pᵀ) s, per sample and path
            for i in 0..<n {
                let base = i * wide
                for b in 0..<ld {
                    var ps = 0.0
                    for c in 0..<k { ps += act[base + c * ld + b] * s[base + c * ld + b] }
                    for c in 0..<k {
                        let e = base + c * ld + b
                        terms[e] = act[e] * (s[e] - ps)
                    }
                }
            }
        }
        Double._gemm(transA: true, transB: false, m: featureCount, n: wide, k: n, alpha: scale, a: design.features, lda: featureCount,
                     b: terms, ldb: wide, beta: 0, c: product, ldc: wide)
    }

    public var sampleScratchCount: Int { 2 * outputs }

    public func sampleLossAndGradient(features a: UnsafePointer<Double>, target y: Double, parameters x: UnsafePointer<Double>,
                                      gradient: UnsafeMutablePointer<Double>, scratch u: UnsafeMutablePointer<Double>) -> Double {
        let k = outputs
        for c in 0..<k { u[c] = 0 }
        for j in 0..<featureCount { for c in 0..<k { u[c] += a[j] * x[j * k + c] } }
        let value = loss.applyOutput(u, outputs: k, stride: 1, target: y, wantLoss: true)
        // ∂ℓ/∂u: output − target (u − y, σ − y, p − e_y), or Welsch's r e^{−r²}
        if loss == .softmax { u[Int(y)] -= 1 } else { u[0] = loss.outputSlope(u[0], target: y) }
        for j in 0..<featureCount { for c in 0..<k { gradient[j * k + c] = a[j] * u[c] } }
        return value
    }

    public func sampleHessianVectorProduct(features a: UnsafePointer<Double>, target y: Double, parameters x: UnsafePointer<Double>,
                                           direction v: UnsafePointer<Double>, product: UnsafeMutablePointer<Double>,
                                           scratch: UnsafeMutablePointer<Double>) {
        let k = outputs, u = scratch, s = scratch + k
        for c in 0..<k { (u[c], s[c]) = (0, 0) }
        for j in 0..<featureCount {
            for c in 0..<k {
                u[c] += a[j] * x[j * k + c]
                s[c] += a[j] * v[j * k + c]
            }
        }
        switch loss {
        case .leastSquares:
            break
        case .logistic:
            let p = 1 / (1 + exp(-u[0]))
            s[0] *= p * (1 - p)
        case .welsch:
            s[0] *= loss.outputCurvature(u[0], target: y)
        case .softmax:
            var top = -Double.infinity
            for c in 0..<k { top = max(top, u[c]) }
            var sum = 0.0
            for c in 0..<k {
                u[c] = exp(u[c] - top)
                sum += u[c]
            }
            var ps = 0.0
            for c in 0..<k {
                u[c] /= sum
                ps += u[c] * s[c]
            }
            for c in 0..<k { s[c] = u[c] * (s[c] - ps) }
        }
        for j in 0..<featureCount { for c in 0..<k { product[j * k + c] = a[j] * s[c] } }
    }

    /// log(1 + e^u) without overflow.
    @inlinable static func softplus(_ u: Double) -> Double { max(u, 0) + log1p(exp(-abs(u))) }
}
