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
                let mean = batchMean[l].withUnsafeMutableBufferPointer { $0.baseAddress! }
                let invStd = inverseStd[l].withUnsafeMutableBufferPointer { $0.baseAddress! }
                if training {
                    columnMeans(z, rows: b, columns: out, into: mean)
                    let variance = columnSquaredDeviations(z, rows: b, columns: out, mean: mean)
                    for j in 0..<out {
                        let v = variance[j] / S(b)
                        invStd[j] = 1 / (v + Self.epsilon).squareRoot()
                        if updateRunningStatistics {
                            runningMean[l][j] = (1 - Self.momentum) * runningMean[l][j] + Self.momentum * (mean[j] + bias[j])
                            runningVariance[l][j] = (1 - Self.momentum) * runningVariance[l][j] + Self.momentum * v * S(b) / S(max(b - 1, 1))
                        }
                    }
                } else {
                    for j in 0..<out {
                        mean[j] = runningMean[l][j] - bias[j]  // x̂ = (z + b - μ_run) / σ_run
                        invStd[j] = 1 / (runningVariance[l][j] + Self.epsilon).squareRoot()
                    }
                }
                let xhat = normalized[l].withUnsafeMutableBufferPointer { $0.baseAddress! }
                let gamma = p.baseAddress! + gammaOffset[l], beta = p.baseAddress! + betaOffset[l]
                forEachRowChunk(b) { _, rows in
                    for r in rows {
                        let zr = z + r * out, xr = xhat + r * out
                        for j in 0..<out {
                            let n = (zr[j] - mean[j]) * invStd[j]
                            xr[j] = n
                            zr[j] = max(0, gamma[j] * n + beta[j])
                        }
                    }
                }
                x = UnsafePointer(z)
            }
            fatalError("unreachable: the last layer returns")
        }
    }

    func columnMeans(_ m: UnsafeMutablePointer<S>, rows: Int, columns: Int, into mean: UnsafeMutablePointer<S>) {
        let sums = columnReduce(rows: rows, columns: columns) { r, j in m[r * columns + j] }
        for j in 0..<columns { mean[j] = sums[j] / S(rows) }
    }

    func columnSquaredDeviations(_ m: UnsafeMutablePointer<S>, rows: Int, columns: Int, mean: UnsafeMutablePointer<S>) -> [S] {
        columnReduce(rows: rows, columns: columns) { r, j in let d = m[r * columns + j] - mean[j]; return d * d }
    }

    /// Σ_r f(r, j) for every column j, rows split across cores, partial sums combined in order.
    @inline(__always)
    func columnReduce(rows: Int, columns: Int, _ f: (Int, Int) -> S) -> [S] {
        let chunks = rowChunkCount(rows)
        var partial = [[S]](repeating: [S](repeating: 0, count: columns), count: chunks)
        partial.withUnsafeMutableBufferPointer { parts in
            forEachRowChunk(rows) { c, range in
                parts[c].withUnsafeMutableBufferPointer { acc in
                    for r in range { for j in 0..<columns { acc[j] += f(r, j) } }
                }
            }
        }
        var total = partial[0]
        for c in 1..<chunks { for j in 0..<columns { total[j] += partial[c][j] } }
        return total
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
                    if l < layerCount - 1 {
                        // dA holds ∂L/∂(post-ReLU output) of layer l; turn it into ∂L/∂z in dZ
                        let a = outputs[l].withUnsafeMutableBufferPointer { $0.baseAddress! }
                        let xhat = normalized[l].withUnsafeMutableBufferPointer { $0.baseAddress! }
                        let invStd = inverseStd[l].withUnsafeMutableBufferPointer { $0.baseAddress! }
                        let gamma = p.baseAddress! + gammaOffset[l]
                        let sumDy = columnReduce(rows: b, columns: out) { r, j in a[r * out + j] > 0 ? dA[r * out + j] : 0 }
                        let sumDyX = columnReduce(rows: b, columns: out) { r, j in a[r * out + j] > 0 ? dA[r * out + j] * xhat[r * out + j] : 0 }
                        for j in 0..<out {
                            g[gammaOffset[l] + j] = sumDyX[j]
                            g[betaOffset[l] + j] = sumDy[j]
                        }
                        forEachRowChunk(b) { _, rows in
                            for r in rows {
                                for j in 0..<out {
                                    let k = r * out + j
                                    let dy = a[k] > 0 ? dA[k] : 0
                                    dZ[k] = training
                                        ? gamma[j] * invStd[j] * (dy - scale * sumDy[j] - xhat[k] * scale * sumDyX[j])
                                        : gamma[j] * invStd[j] * dy
                                }
                            }
                        }
                    }
                    // bias: exactly zero in training mode for hidden layers (batch norm removes it)
                    let biasGradient = (l < layerCount - 1 && training) ? [S](repeating: 0, count: out)
                        : columnReduce(rows: b, columns: out) { r, j in dZ[r * out + j] }
                    for j in 0..<out { g[biasOffset[l] + j] = biasGradient[j] }
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
}
