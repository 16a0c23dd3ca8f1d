import Foundation
import Numerics

/// The three passes over raw buffers, shared by the block functions (a workspace, BLAS) and the
/// one-sample ones (caller's scratch, one row, one lane, no BLAS: the d ≤ 4 engine calls them
/// from many threads). Every buffer of per-(sample, path) values has rows of
/// `activationWidth · ld` doubles; layer l's output c of path b sits at column (slots[l] + c) ld + b.
extension MLPModel {
    // MARK: - Layer 0: the design times a p × (h₁ ld) block (one GEMM for every path)

    /// out[i, e] = Σ_j a_ij w[j, e] for e < h₁ ld, rows of `out` `stride` apart.
    func firstLayer(_ design: DesignView, _ w: UnsafePointer<Double>, ld: Int, into out: UnsafeMutablePointer<Double>, stride: Int, blas: Bool) {
        let n = design.rows, p = featureCount, wide = widths[0] * ld
        if blas {
            Double._gemm(transA: false, transB: false, m: n, n: wide, k: p, alpha: 1, a: design.features, lda: p, b: w, ldb: wide, beta: 0,
                         c: out, ldc: stride)
            return
        }
        for i in 0..<n {
            let row = out + i * stride
            row.update(repeating: 0, count: wide)
            for j in 0..<p {
                let a = design.features[i * p + j], wj = w + j * wide
                for e in 0..<wide { row[e] += a * wj[e] }
            }
        }
    }

    /// g[j, e] = alpha Σ_i a_ij terms[i, e] for the first p h₁ parameter rows.
    func firstLayerTransposed(_ design: DesignView, _ terms: UnsafePointer<Double>, ld: Int, stride: Int, alpha: Double,
                              into g: UnsafeMutablePointer<Double>, blas: Bool) {
        let n = design.rows, p = featureCount, wide = widths[0] * ld
        if blas {
            Double._gemm(transA: true, transB: false, m: p, n: wide, k: n, alpha: alpha, a: design.features, lda: p, b: terms, ldb: stride,
                         beta: 0, c: g, ldc: wide)
            return
        }
        g.update(repeating: 0, count: p * wide)
        for i in 0..<n {
            let row = terms + i * stride
            for j in 0..<p {
                let a = alpha * design.features[i * p + j], gj = g + j * wide
                for e in 0..<wide { gj[e] += a * row[e] }
            }
        }
    }

    // MARK: - Forward

    /// Every layer's output into `act`; the last is u (least squares), σ(u) or softmax(u), as in
    /// `LinearModel`, and `losses` (n × ld) gets f_i when given.
    func forwardPass(_ design: DesignView, parameters x: UnsafePointer<Double>, ld: Int, activations act: UnsafeMutablePointer<Double>,
                     losses: UnsafeMutablePointer<Double>?, blas: Bool) {
        let n = design.rows, rs = activationWidth * ld
        firstLayer(design, x, ld: ld, into: act, stride: rs, blas: blas)
        for l in 0..<layers {
            let out = widths[l]
            if l > 0 {
                let inW = inputs[l], w = x + offsets[l] * ld, bias = w + inW * out * ld
                for i in 0..<n {
                    let a = act + i * rs + slots[l - 1] * ld, z = act + i * rs + slots[l] * ld
                    z.update(from: bias, count: out * ld)
                    for c in 0..<inW {
                        let ac = a + c * ld
                        for o in 0..<out {
                            let zo = z + o * ld, wco = w + (c * out + o) * ld
                            for b in 0..<ld { zo[b] += ac[b] * wco[b] }
                        }
                    }
                }
            }
            guard l < layers - 1 else { break }
            for i in 0..<n {
                let a = act + i * rs + slots[l] * ld
                for e in 0..<(out * ld) { a[e] = activate(a[e]) }
            }
        }
        outputPass(design, ld: ld, activations: act, losses: losses)
    }

    func outputPass(_ design: DesignView, ld: Int, activations act: UnsafeMutablePointer<Double>, losses: UnsafeMutablePointer<Double>?) {
        let n = design.rows, rs = activationWidth * ld, k = outputs, slot = slots[layers - 1] * ld
        if (loss == .leastSquares || loss == .welsch) && losses == nil { return }
        for i in 0..<n {
            let u = act + i * rs + slot, y = design.targets[i]
            for b in 0..<ld {
                let value = loss.applyOutput(u + b, outputs: k, stride: ld, target: y, wantLoss: losses != nil)
                losses?[i * ld + b] = value
            }
        }
    }

    // MARK: - Backward

    /// ∂f_i/∂u = (output − target) per (sample, output, path), times the sample's weight.
    func outputTerms(_ design: DesignView, ld: Int, weight: (Int, Int) -> Double, activations act: UnsafePointer<Double>,
                     terms: UnsafeMutablePointer<Double>) {
        let rs = activationWidth * ld, slot = slots[layers - 1] * ld
        for i in 0..<design.rows {
            let y = design.targets[i], label = loss == .softmax ? Int(y) : 0
            let p = act + i * rs + slot, d = terms + i * rs + slot
            for c in 0..<outputs {
                let target = loss == .softmax ? (c == label ? 1.0 : 0.0) : y
                for b in 0..<ld { d[c * ld + b] = weight(i, b) * loss.outputSlope(p[c * ld + b], target: target) }
            }
        }
    }

    func backwardPass(_ design: DesignView, parameters x: UnsafePointer<Double>, ld: Int, weights: SampleWeights,
                      activations act: UnsafePointer<Double>, terms: UnsafeMutablePointer<Double>, into g: UnsafeMutablePointer<Double>, blas: Bool) {
        let n = design.rows, rs = activationWidth * ld
        switch weights {
        case .uniform(let w): outputTerms(design, ld: ld, weight: { _, _ in w }, activations: act, terms: terms)
        case .matrix(let w): outputTerms(design, ld: ld, weight: { i, b in w[i * ld + b] }, activations: act, terms: terms)
        }
        for l in stride(from: layers - 1, through: 1, by: -1) {
            let inW = inputs[l], out = widths[l], w = x + offsets[l] * ld, gl = g + offsets[l] * ld, gBias = gl + inW * out * ld
            gl.update(repeating: 0, count: (inW + 1) * out * ld)
            for i in 0..<n {
                let a = act + i * rs + slots[l - 1] * ld, d = terms + i * rs + slots[l] * ld, dIn = terms + i * rs + slots[l - 1] * ld
                for e in 0..<(out * ld) { gBias[e] += d[e] }
                for c in 0..<inW {
                    let ac = a + c * ld, dc = dIn + c * ld
                    dc.update(repeating: 0, count: ld)
                    for o in 0..<out {
                        let dO = d + o * ld, gco = gl + (c * out + o) * ld, wco = w + (c * out + o) * ld
                        for b in 0..<ld {
                            gco[b] += ac[b] * dO[b]
                            dc[b] += wco[b] * dO[b]
                        }
                    }
                    for b in 0..<ld { dc[b] *= slope(ac[b]) }
                }
            }
        }
        firstLayerTransposed(design, terms, ld: ld, stride: rs, alpha: 1, into: g, blas: blas)
    }

    // MARK: - Hessian-vector product (Pearlmutter's R-operator)

    /// H = scale Σ_i ∇²f_i(x_b) v_b, exact: the forward and backward passes differentiated along v
    /// (R{·} = d/dε ·(x + εv) at ε = 0). Forward: R{z₀} = A V₀, R{a} = σ'(z) R{z},
    /// R{z_{l+1}} = R{a_l} W + a_l V + V_bias; at the output R{δ_u} = ∇²ℓ(u) R{u}. Backward, with
    /// δ_l = σ'(z_l) ⊙ g_l and g_l = W δ_{l+1}: R{∇W} = R{a}ᵀ δ + aᵀ R{δ}, R{g} = W R{δ} + V δ,
    /// R{δ} = σ''(z) R{z} ⊙ g + σ'(z) R{g}; the first layer's rows are Aᵀ R{δ₀} (one GEMM).
    ///
    /// `act` holds `forwardPass` at x; `terms` gets the δ's, `directional` R{z} then R{δ},
    /// `rowScratch` (activationWidth ld + ld) one sample's R{a} and an R{g}.
    func hessianPass(_ design: DesignView, parameters x: UnsafePointer<Double>, direction v: UnsafePointer<Double>, ld: Int, scale: Double,
                     activations act: UnsafePointer<Double>, terms: UnsafeMutablePointer<Double>, directional dir: UnsafeMutablePointer<Double>,
                     rowScratch ra: UnsafeMutablePointer<Double>, into h: UnsafeMutablePointer<Double>, blas: Bool) {
        let n = design.rows, rs = activationWidth * ld, last = layers - 1, k = outputs
        let rg = ra + activationWidth * ld
        firstLayer(design, v, ld: ld, into: dir, stride: rs, blas: blas)
        let later = offsets[1] * ld
        (h + later).update(repeating: 0, count: (parameterCount - offsets[1]) * ld)
        outputTerms(design, ld: ld, weight: { _, _ in 1 }, activations: act, terms: terms)
        for i in 0..<n {
            let aRow = act + i * rs, tRow = terms + i * rs, dRow = dir + i * rs
            for l in 0..<last {
                let a = aRow + slots[l] * ld, rz = dRow + slots[l] * ld, r = ra + slots[l] * ld
                for e in 0..<(widths[l] * ld) { r[e] = slope(a[e]) * rz[e] }
                let inW = widths[l], out = widths[l + 1], w = x + offsets[l + 1] * ld, vl = v + offsets[l + 1] * ld
                let next = dRow + slots[l + 1] * ld
                next.update(from: vl + inW * out * ld, count: out * ld)
                for c in 0..<inW {
                    for o in 0..<out {
                        let e = (c * out + o) * ld, zo = next + o * ld
                        for b in 0..<ld { zo[b] += r[c * ld + b] * w[e + b] + a[c * ld + b] * vl[e + b] }
                    }
                }
            }
            // R{δ_u} = ∇²ℓ(u) R{u}, in place of R{u}
            let p = aRow + slots[last] * ld, ru = dRow + slots[last] * ld
            switch loss {
            case .leastSquares:
                break
            case .logistic:
                for b in 0..<ld { ru[b] *= p[b] * (1 - p[b]) }
            case .welsch:
                let y = design.targets[i]
                for b in 0..<ld { ru[b] *= loss.outputCurvature(p[b], target: y) }
            case .softmax:
                for b in 0..<ld {
                    var ps = 0.0
                    for c in 0..<k { ps += p[c * ld + b] * ru[c * ld + b] }
                    for c in 0..<k { ru[c * ld + b] = p[c * ld + b] * (ru[c * ld + b] - ps) }
                }
            }
            for l in stride(from: last, through: 1, by: -1) {
                let inW = inputs[l], out = widths[l], w = x + offsets[l] * ld, vl = v + offsets[l] * ld
                let hl = h + offsets[l] * ld, hBias = hl + inW * out * ld
                let a = aRow + slots[l - 1] * ld, r = ra + slots[l - 1] * ld, d = tRow + slots[l] * ld, rd = dRow + slots[l] * ld
                let dIn = tRow + slots[l - 1] * ld, rdIn = dRow + slots[l - 1] * ld
                for e in 0..<(out * ld) { hBias[e] += rd[e] }
                for c in 0..<inW {
                    let g = dIn + c * ld
                    g.update(repeating: 0, count: ld)
                    rg.update(repeating: 0, count: ld)
                    for o in 0..<out {
                        let e = (c * out + o) * ld, dO = d + o * ld, rdO = rd + o * ld, hco = hl + e
                        for b in 0..<ld {
                            hco[b] += r[c * ld + b] * dO[b] + a[c * ld + b] * rdO[b]
                            g[b] += w[e + b] * dO[b]
                            rg[b] += w[e + b] * rdO[b] + vl[e + b] * dO[b]
                        }
                    }
                    for b in 0..<ld {
                        let (s1, s2) = slopes(a[c * ld + b])
                        rdIn[c * ld + b] = s2 * rdIn[c * ld + b] * g[b] + s1 * rg[b]
                        g[b] *= s1
                    }
                }
            }
        }
        for e in later..<(parameterCount * ld) { h[e] *= scale }
        firstLayerTransposed(design, dir, ld: ld, stride: rs, alpha: scale, into: h, blas: blas)
    }
}
