import Foundation
import Testing
import TestSupport
@testable import NeuralNets

@Suite struct NetworkTests {
    static func batch(_ n: Int, _ width: Int, seed: Double) -> ([Double], [UInt8]) {
        let x = (0..<(n * width)).map { sin(Double($0) * 0.731 + seed) * 1.3 }
        let y = (0..<n).map { UInt8(($0 * 7 + Int(seed * 10)) % 3) }
        return (x, y)
    }

    static func lossAndGradient(_ net: F1Network<Double>, _ x: [Double], _ y: [UInt8], training: Bool) -> Double {
        x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in
                _ = net.forward(xp.baseAddress!, batch: y.count, training: training, updateRunningStatistics: false)
                let l = net.loss(labels: yp.baseAddress!, batch: y.count).loss
                net.backward(xp.baseAddress!, labels: yp.baseAddress!, batch: y.count, training: training)
                return l
            }
        }
    }

    /// Back-propagation against central differences of the loss for every parameter of a small
    /// network, in both batch-norm modes (Double; error O(h²) ≈ 1e-10, so 1e-6 is a bug).
    @Test(arguments: [true, false])
    func gradientsMatchFiniteDifferences(training: Bool) {
        let net = F1Network<Double>(widths: [6, 5, 4, 3], seed: 3)
        for l in 0..<2 { for j in 0..<net.runningMean[l].count { net.runningMean[l][j] = 0.1 * Double(j); net.runningVariance[l][j] = 1 + 0.2 * Double(j) } }
        let (x, y) = Self.batch(7, 6, seed: 0.5)
        _ = Self.lossAndGradient(net, x, y, training: training)
        let analytic = net.gradients
        var worst = 0.0
        for k in 0..<net.parameterCount {
            let saved = net.parameters[k]
            let h = 1e-5
            net.parameters[k] = saved + h
            let up = Self.lossAndGradient(net, x, y, training: training)
            net.parameters[k] = saved - h
            let down = Self.lossAndGradient(net, x, y, training: training)
            net.parameters[k] = saved
            worst = max(worst, abs((up - down) / (2 * h) - analytic[k]) / max(1e-3, abs(analytic[k])))
        }
        #expect(worst < 1e-6, "worst relative gradient error \(worst)")
    }

    @Test func batchNormModes() {
        let net = F1Network<Double>(widths: [4, 3, 2], seed: 1)
        let (x, _) = Self.batch(64, 4, seed: 1)
        // training mode normalises with batch statistics: pre-activations of layer 1 have mean 0, variance 1
        x.withUnsafeBufferPointer { xp in
            _ = net.forward(xp.baseAddress!, batch: 64, training: true)
            for j in 0..<3 {
                let column = (0..<64).map { net.normalized[0][$0 * 3 + j] }
                let mean = column.reduce(0, +) / 64
                let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 64
                #expect(abs(mean) < 1e-12 && abs(variance - 1) < 1e-3)
            }
        }
        // running statistics moved 10% of the way to the batch's (unbiased variance)
        #expect(net.runningMean[0].allSatisfy { $0 != 0 })
        // inference mode is a per-sample function: a sample's output does not depend on the others
        let single = Array(x[0..<4])
        let a: [Double] = x.withUnsafeBufferPointer { Array(UnsafeBufferPointer(start: net.forward($0.baseAddress!, batch: 64, training: false), count: 2)) }
        let b: [Double] = single.withUnsafeBufferPointer { Array(UnsafeBufferPointer(start: net.forward($0.baseAddress!, batch: 1, training: false), count: 2)) }
        #expect(a == b)
    }

    @Test func initialisationIsSeededAndPyTorchLike() {
        let a = F1Network<Float>(seed: 7), b = F1Network<Float>(seed: 7), c = F1Network<Float>(seed: 8)
        #expect(a.parameters == b.parameters && a.parameters != c.parameters)
        #expect(a.parameterCount == 784 * 512 + 512 + 1024 + 4 * (512 * 512 + 512 + 1024) + 512 * 10 + 10)
        let bound = Float(1 / 784.0.squareRoot())
        #expect(a.parameters[0..<(784 * 512)].allSatisfy { abs($0) <= bound })
    }
}
