import CFiniteSumKernels
import FiniteSums
import Foundation
import Randomness
import Testing

/// A design, targets, parameters and weights for one call of the weighted gradient, reproducible.
private struct Block {
    let rows: Int, features: Int, ld: Int
    let design: [Double], targets: [Double], parameters: [Double], weights: [Double]

    init(rows: Int, features: Int, ld: Int, loss: LinearModel.Loss, seed: UInt64 = 5) {
        let g = GaussianStream(seed: seed, stream: .independent(9))
        (self.rows, self.features, self.ld) = (rows, features, ld)
        design = (0..<(rows * features)).map { g.normal(path: 0, draw: $0) }
        targets = (0..<rows).map { loss == .logistic ? Double($0 % 2) : g.normal(path: 1, draw: $0) }
        parameters = (0..<(features * ld)).map { 0.5 * g.normal(path: 2, draw: $0) }
        weights = (0..<(rows * ld)).map { g.normal(path: 3, draw: $0) }
    }

    /// The unfused path: forward and backward with OpenBLAS.
    func reference(_ model: LinearModel) -> [Double] {
        let workspace = ModelWorkspace(model: model, rows: rows, ld: ld)
        var gradient = [Double](repeating: 0, count: features * ld)
        design.withUnsafeBufferPointer { a in
            targets.withUnsafeBufferPointer { y in
                let view = DesignView(rows: rows, features: a.baseAddress!, targets: y.baseAddress!)
                parameters.withUnsafeBufferPointer { model.forward(view, parameters: $0.baseAddress!, ld: ld, workspace: workspace, losses: false) }
                weights.withUnsafeBufferPointer { w in
                    gradient.withUnsafeMutableBufferPointer { model.backward(view, weights: .matrix(w.baseAddress!), workspace: workspace, into: $0.baseAddress!) }
                }
            }
        }
        return gradient
    }

    func fused(_ model: LinearModel) -> [Double]? {
        var gradient = [Double](repeating: .nan, count: features * ld)
        let done = design.withUnsafeBufferPointer { a in
            targets.withUnsafeBufferPointer { y in
                parameters.withUnsafeBufferPointer { x in
                    weights.withUnsafeBufferPointer { w in
                        gradient.withUnsafeMutableBufferPointer { g in
                            model.fusedWeightedGradient(DesignView(rows: rows, features: a.baseAddress!, targets: y.baseAddress!),
                                                        parameters: x.baseAddress!, ld: ld, weights: w.baseAddress!, into: g.baseAddress!)
                        }
                    }
                }
            }
        }
        return done ? gradient : nil
    }

    func atLevel(_ level: Int32, loss: Int32) -> [Double]? {
        var gradient = [Double](repeating: .nan, count: features * ld)
        let status = sgd_fs_weighted_gradient_at(level, loss, design, targets, Int64(rows), Int64(features), parameters, Int64(ld), weights, &gradient)
        return status == 0 ? gradient : nil
    }

    /// Forward error bound of G[j, b] = Σ_i a_ij w_ib ℓ'(u_ib), u = Σ_k a_ik x_kb, for two
    /// evaluations that differ only in summation order and in a few ulps of exp: each sum of n
    /// terms is within γ_n Σ|terms| (Higham, Accuracy and Stability, §3.1) of the exact one,
    /// the slope moves by at most |ℓ''| ≤ 1 times u's error plus a few ulp of exp, so two
    /// evaluations differ by at most 2 ε Σ_i |a_ij w_ib| ((rows + 2)|ℓ'| + (features + 4) Σ_k |a_ik x_kb| + 4).
    func bound(_ model: LinearModel) -> [Double] {
        let eps = Double.ulpOfOne
        var out = [Double](repeating: 0, count: features * ld)
        for i in 0..<rows {
            for b in 0..<ld {
                var u = 0.0, absU = 0.0
                for k in 0..<features { u += design[i * features + k] * parameters[k * ld + b]; absU += abs(design[i * features + k] * parameters[k * ld + b]) }
                let slope = model.loss == .logistic ? 1 / (1 + exp(-u)) - targets[i] : u - targets[i]
                let term = abs(weights[i * ld + b]) * (Double(rows + 2) * abs(slope) + Double(features + 4) * absU + 4)
                for j in 0..<features { out[j * ld + b] += 2 * eps * abs(design[i * features + j]) * term }
            }
        }
        return out
    }
}

@Suite("Fused weighted gradient of linear models (SME-1 kernel)")
struct FusedGradientTests {
    static let shapes: [(rows: Int, features: Int, ld: Int)] = [(1, 1, 8), (97, 7, 16), (500, 13, 40), (200, 101, 64), (1000, 6, 32)]

    @Test(arguments: [LinearModel.Loss.leastSquares, .logistic])
    func agreesWithTheBLASPathWithinTheRoundingBound(_ loss: LinearModel.Loss) throws {
        guard LinearModel.fusedKernelAvailable else { return }
        for shape in Self.shapes {
            let model = LinearModel(loss: loss, featureCount: shape.features)
            let block = Block(rows: shape.rows, features: shape.features, ld: shape.ld, loss: loss)
            let fused = try #require(block.fused(model))
            let reference = block.reference(model), bound = block.bound(model)
            let worst = zip(zip(fused, reference), bound).map { abs($0.0 - $0.1) / $1 }.max()!
            #expect(worst <= 1, "\(loss) \(shape): |fused − BLAS| reaches \(worst) × the rounding bound")
        }
    }

    /// A path's gradient must not depend on its neighbours in the block (layout independence):
    /// the first 8 lanes of a 40-lane block equal the same 8 lanes computed alone, bit for bit.
    @Test(arguments: [LinearModel.Loss.leastSquares, .logistic])
    func aLaneDoesNotDependOnTheBlockItIsIn(_ loss: LinearModel.Loss) throws {
        guard LinearModel.fusedKernelAvailable else { return }
        let model = LinearModel(loss: loss, featureCount: 13)
        let wide = Block(rows: 300, features: 13, ld: 40, loss: loss)
        let lanes = { (m: [Double], rows: Int) in (0..<rows).flatMap { r in (0..<8).map { m[r * 40 + $0] } } }
        let copy = Block(rows: 300, features: 13, ld: 8, design: wide.design, targets: wide.targets,
                         parameters: lanes(wide.parameters, 13), weights: lanes(wide.weights, 300))
        let a = try #require(wide.fused(model)), b = try #require(copy.fused(model))
        #expect(lanes(a, 13) == b)
    }

    @Test func everyLevelWritesTheSameBits() throws {
        let block = Block(rows: 333, features: 29, ld: 40, loss: .logistic)
        let levels: [Int32] = [1, 2].filter { block.atLevel($0, loss: Int32(sgd_fs_logistic)) != nil }
        guard let first = levels.first else { return }
        for loss in [sgd_fs_least_squares, sgd_fs_logistic] {
            let expected = block.atLevel(first, loss: Int32(loss))
            for level in levels.dropFirst() { #expect(block.atLevel(level, loss: Int32(loss)) == expected, "level \(level), loss \(loss)") }
        }
    }

    @Test func declinesWhereItDoesNotApply() {
        let block = Block(rows: 10, features: 3, ld: 8, loss: .leastSquares)
        #expect(block.fused(LinearModel(loss: .softmax, featureCount: 1, classCount: 3)) == nil)
        #expect(block.fused(LinearModel(loss: .welsch, featureCount: 3)) == nil)
        let odd = Block(rows: 10, features: 3, ld: 4, loss: .leastSquares)
        #expect(odd.fused(LinearModel(loss: .leastSquares, featureCount: 3)) == nil)
        #expect(block.atLevel(7, loss: Int32(sgd_fs_logistic)) == nil)
        #expect(block.atLevel(1, loss: 5) == nil)
    }

    /// The kernel's exp against glibc's (correctly rounded in practice): at most 2 ulp over the
    /// whole range the logistic function reaches, and clamped outside it.
    @Test func expIsWithinTwoUlpOfTheLibrary() {
        guard LinearModel.fusedKernelAvailable else { return }
        let g = GaussianStream(seed: 3, stream: .independent(1))
        var x = (0..<20_000).map { 300 * g.normal(path: 0, draw: $0) }.filter { abs($0) < 708 }
        x += [0, -0.0, 1e-300, -1e-300, 0.5 * log(2.0), -0.5 * log(2.0), 707.9, -707.9, 1, -1]
        var y = [Double](repeating: 0, count: x.count)
        sgd_fs_exp(x, Int64(x.count), &y)
        let worst = zip(x, y).map { abs($1 - exp($0)) / exp($0).ulp }.max()!
        #expect(worst <= 2, "max error \(worst) ulp")
        var clamped = [Double](repeating: 0, count: 2), edges = [Double](repeating: 0, count: 2)
        sgd_fs_exp([1000, -1000], 2, &clamped)
        sgd_fs_exp([708, -708], 2, &edges)
        #expect(clamped == edges)
    }
}

extension Block {
    fileprivate init(rows: Int, features: Int, ld: Int, design: [Double], targets: [Double], parameters: [Double], weights: [Double]) {
        (self.rows, self.features, self.ld, self.design, self.targets, self.parameters, self.weights) =
            (rows, features, ld, design, targets, parameters, weights)
    }
}
