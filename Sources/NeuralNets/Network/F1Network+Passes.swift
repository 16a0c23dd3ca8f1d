import Foundation
import Numerics

extension F1Network {
    /// Forward pass on `batch` rows of `input` (batch x widths[0], row-major); returns the logits.
    ///
    /// - Parameters:
    ///   - training: batch statistics (and, if `updateRunningStatistics`, running averages) rather
    ///     than running statistics in batch norm.
    public func forward(_ input: UnsafePointer<S>, batch: Int, training: Bool, updateRunningStatistics: Bool = true) -> UnsafePointer<S> {
        reserve(batch)
        let b = batch
        return parameters.withUnsafeBufferPointer { p in
            var x = input
            for l in 0..<layerCount {
                let fanIn = widths[l], out = widths[l + 1]
                let z = outputs[l].withUnsafeMutableBufferPointer { $0.baseAddress! }
                S._gemm(transA: false, transB: true, m: b, n: out, k: fanIn, alpha: 1, a: x, lda: fanIn,
                        b: p.baseAddress! + weightOffset[l], ldb: fanIn, beta: 0, c: z, ldc: out)
                let bias = p.baseAddress! + biasOffset[l]
                if l == layerCount - 1 {
                    for r in 0..<b { let row = z + r * out; for j in 0..<out { row[j] += bias[j] } }
                    return UnsafePointer(z)
                }
                let statistics = ColumnStatistics(
                    mean: batchMean[l].withUnsafeMutableBufferPointer { $0.baseAddress! },
                    inverseStd: inverseStd[l].withUnsafeMutableBufferPointer { $0.baseAddress! },
                    runningMean: runningMean[l].withUnsafeMutableBufferPointer { $0.baseAddress! },
                    runningVariance: runningVariance[l].withUnsafeMutableBufferPointer { $0.baseAddress! })
                let xhat = normalized[l].withUnsafeMutableBufferPointer { $0.baseAddress! }
                let gamma = p.baseAddress! + gammaOffset[l], beta = p.baseAddress! + betaOffset[l]
                let update = training && updateRunningStatistics
                let gates = gatePointer(layer: l, width: out)
                forEachPiece(of: out, work: b * out) { columns in
                    if training {
                        Self.batchStatistics(z, rows: b, stride: out, columns: columns, bias: bias, into: statistics, updateRunning: update)
                    } else {
                        for j in columns {
                            statistics.mean[j] = statistics.runningMean[j] - bias[j]  // x̂ = (z + b - μ_run) / σ_run
                            statistics.inverseStd[j] = 1 / (statistics.runningVariance[j] + Self.epsilon).squareRoot()
                        }
                    }
                    let (lo, hi) = (columns.lowerBound, columns.upperBound)
                    let mean = statistics.mean, invStd = statistics.inverseStd
                    if let gates {
                        for r in 0..<b {
                            let zr = z + r &* out, xr = xhat + r &* out, gr = gates + r &* out
                            for j in lo..<hi {
                                let n = (zr[j] - mean[j]) * invStd[j]
                                xr[j] = n
                                zr[j] = gr[j] * (gamma[j] * n + beta[j])
                            }
                        }
                    } else {
                        for r in 0..<b {
                            let zr = z + r &* out, xr = xhat + r &* out
                            for j in lo..<hi {
                                let n = (zr[j] - mean[j]) * invStd[j]
                                xr[j] = n
                                zr[j] = max(0, gamma[j] * n + beta[j])
                            }
                        }
                    }
                }
                x = UnsafePointer(z)
            }
            fatalError("unreachable: the last layer returns")
        }
    }

    /// Where the frozen gates of this pass's first sample start, if gates are frozen.
    func gatePointer(layer l: Int, width: Int) -> UnsafePointer<S>? {
        guard frozenGates != nil else { return nil }
        return UnsafePointer(frozenGates![l].withUnsafeBufferPointer { $0.baseAddress! }) + gateRow * width
    }

    struct ColumnStatistics {
        var mean, inverseStd, runningMean, runningVariance: UnsafeMutablePointer<S>
    }

    /// Batch mean and 1/√(biased variance + ε) of `columns` (two passes: the one-pass formula
    /// loses digits in float32 when |mean| ≫ std), and PyTorch's running averages.
    @inline(__always)
    static func batchStatistics(_ z: UnsafeMutablePointer<S>, rows b: Int, stride: Int, columns: Range<Int>, bias: UnsafePointer<S>,
                                into s: ColumnStatistics, updateRunning: Bool) {
        let (lo, hi) = (columns.lowerBound, columns.upperBound)
        for j in lo..<hi { s.mean[j] = 0; s.inverseStd[j] = 0 }
        for r in 0..<b {
            let zr = z + r &* stride
            for j in lo..<hi { s.mean[j] += zr[j] }
        }
        let inverseRows = 1 / S(b)
        for j in lo..<hi { s.mean[j] *= inverseRows }
        for r in 0..<b {
            let zr = z + r &* stride
            for j in lo..<hi { let d = zr[j] - s.mean[j]; s.inverseStd[j] += d * d }
        }
        let unbiased = S(b) / S(max(b - 1, 1))
        for j in lo..<hi {
            let v = s.inverseStd[j] * inverseRows
            s.inverseStd[j] = 1 / (v + epsilon).squareRoot()
            if updateRunning {
                s.runningMean[j] = (1 - momentum) * s.runningMean[j] + momentum * (s.mean[j] + bias[j])
                s.runningVariance[j] = (1 - momentum) * s.runningVariance[j] + momentum * v * unbiased
            }
        }
    }

    /// Mean softmax cross-entropy of the last forward pass against `labels`, the number of
    /// correct predictions, and (for `backward`) the loss gradient with respect to the logits.
    public func loss(labels: UnsafePointer<UInt8>, batch b: Int) -> (loss: Double, correct: Int) {
        let classes = widths.last!
        let logits = outputs[layerCount - 1].withUnsafeMutableBufferPointer { $0.baseAddress! }
        let probs = probabilities.withUnsafeMutableBufferPointer { $0.baseAddress! }
        var total = 0.0, correct = 0
        for r in 0..<b {
            let row = logits + r * classes, pr = probs + r * classes
            var best = 0
            var m = row[0]
            for j in 1..<classes where row[j] > m { m = row[j]; best = j }
            var s: S = 0
            for j in 0..<classes { pr[j] = S.exp(row[j] - m); s += pr[j] }
            for j in 0..<classes { pr[j] /= s }
            let y = Int(labels[r])
            total -= Double(S.log(max(pr[y], S.leastNormalMagnitude)))
            if best == y { correct += 1 }
        }
        return (total / Double(b), correct)
    }

    /// Gradients of the mean loss of the last `forward`/`loss` with respect to all parameters,
    /// into `gradients`. `training` must match the forward pass (batch-statistics batch norm
    /// differentiates through the statistics; inference mode treats them as constants).
    public func backward(_ input: UnsafePointer<S>, labels: UnsafePointer<UInt8>, batch b: Int, training: Bool) {
        let classes = widths.last!
        parameters.withUnsafeBufferPointer { p in
            gradients.withUnsafeMutableBufferPointer { g in
                let dZ = deltaZ.withUnsafeMutableBufferPointer { $0.baseAddress! }
                let dA = deltaA.withUnsafeMutableBufferPointer { $0.baseAddress! }
                let probs = probabilities.withUnsafeMutableBufferPointer { $0.baseAddress! }
                let scale = 1 / S(b)
                for r in 0..<b {
                    for j in 0..<classes { dZ[r * classes + j] = probs[r * classes + j] * scale }
                    dZ[r * classes + Int(labels[r])] -= scale
                }
                for l in stride(from: layerCount - 1, through: 0, by: -1) {
                    let fanIn = widths[l], out = widths[l + 1]
                    let previous = l == 0 ? input : UnsafePointer(outputs[l - 1].withUnsafeMutableBufferPointer { $0.baseAddress! })
                    let dGamma = l < layerCount - 1 ? g.baseAddress! + gammaOffset[l] : nil
                    let dBeta = l < layerCount - 1 ? g.baseAddress! + betaOffset[l] : nil
                    let dBias = g.baseAddress! + biasOffset[l]
                    if let dGamma, let dBeta {
                        // dA holds ∂L/∂(post-ReLU output) of layer l; turn it into ∂L/∂z in dZ
                        let a = outputs[l].withUnsafeMutableBufferPointer { $0.baseAddress! }
                        let xhat = normalized[l].withUnsafeMutableBufferPointer { $0.baseAddress! }
                        let invStd = inverseStd[l].withUnsafeMutableBufferPointer { $0.baseAddress! }
                        let gamma = p.baseAddress! + gammaOffset[l]
                        let gates = gatePointer(layer: l, width: out)
                        forEachPiece(of: out, work: b * out) { columns in
                            Self.batchNormBackward(rows: b, stride: out, columns: columns, output: a, gates: gates, xhat: xhat, dA: dA, dZ: dZ,
                                                   gamma: gamma, inverseStd: invStd, dGamma: dGamma, dBeta: dBeta, training: training)
                        }
                    }
                    if l < layerCount - 1 && training {
                        // batch norm subtracts the batch mean, so the hidden biases have no effect
                        for j in 0..<out { dBias[j] = 0 }
                    } else {
                        for j in 0..<out { dBias[j] = 0 }
                        for r in 0..<b { let row = dZ + r &* out; for j in 0..<out { dBias[j] += row[j] } }
                    }
                    S._gemm(transA: true, transB: false, m: out, n: fanIn, k: b, alpha: 1, a: dZ, lda: out, b: previous, ldb: fanIn,
                            beta: 0, c: g.baseAddress! + weightOffset[l], ldc: fanIn)
                    if l > 0 {
                        S._gemm(transA: false, transB: false, m: b, n: fanIn, k: out, alpha: 1, a: dZ, lda: out,
                                b: p.baseAddress! + weightOffset[l], ldb: fanIn, beta: 0, c: dA, ldc: fanIn)
                    }
                }
            }
        }
    }

    /// ReLU and batch-norm backward for `columns`: with dy = 1[a > 0] ∂L/∂a (or the frozen gate),
    /// ∂L/∂γ = Σ dy x̂, ∂L/∂β = Σ dy and (training) ∂L/∂z = γ/σ (dy - mean(dy) - x̂ mean(dy x̂)).
    @inline(__always)
    static func batchNormBackward(rows b: Int, stride: Int, columns: Range<Int>, output a: UnsafePointer<S>, gates: UnsafePointer<S>?, xhat: UnsafePointer<S>,
                                  dA: UnsafeMutablePointer<S>, dZ: UnsafeMutablePointer<S>, gamma: UnsafePointer<S>,
                                  inverseStd: UnsafePointer<S>, dGamma: UnsafeMutablePointer<S>, dBeta: UnsafeMutablePointer<S>, training: Bool) {
        let (lo, hi) = (columns.lowerBound, columns.upperBound)
        for j in lo..<hi { dGamma[j] = 0; dBeta[j] = 0 }
        for r in 0..<b {
            let o = r &* stride
            let ar = a + o, dr = dA + o, xr = xhat + o
            if let gates {
                let gr = gates + o
                for j in lo..<hi {
                    let dy = gr[j] * dr[j]
                    dr[j] = dy
                    dBeta[j] += dy
                    dGamma[j] += dy * xr[j]
                }
            } else {
                for j in lo..<hi {
                    let dy = ar[j] > 0 ? dr[j] : 0
                    dr[j] = dy
                    dBeta[j] += dy
                    dGamma[j] += dy * xr[j]
                }
            }
        }
        let scale = 1 / S(b)
        for r in 0..<b {
            let o = r &* stride
            let dr = dA + o, xr = xhat + o, zr = dZ + o
            if training {
                for j in lo..<hi {
                    let c0 = gamma[j] * inverseStd[j]
                    zr[j] = c0 * (dr[j] - scale * dBeta[j] - xr[j] * (scale * dGamma[j]))
                }
            } else {
                for j in lo..<hi { zr[j] = gamma[j] * inverseStd[j] * dr[j] }
            }
        }
    }
}
