import Foundation
import Numerics

/// GEMM throughput and correctness of the OpenBLAS kernel this process runs.
public enum BLASBenchmark {
    public struct Measurement: Sendable, Codable {
        public var precision: String
        public var m: Int
        public var n: Int
        public var k: Int
        public var gflops: Double
        /// Largest |C_fast - C_naive| / bound, where bound is the dot-product forward-error
        /// bound k u max|a| max|b|; must be below 1. Only when verified.
        public var errorRatio: Double?
    }

    public struct Report: Sendable, Codable {
        public var kernel: String
        public var recommendedKernel: String?
        public var userOverride: String?
        public var configuration: String
        public var threads: Int
        public var measurements: [Measurement]
    }

    static func matrix<S: BLASScalar>(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix<S> {
        var state = seed
        return Matrix(rows: rows, columns: columns, elements: (0..<(rows * columns)).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return S(Double(state >> 11) * 0x1p-53 - 0.5)
        })
    }

    static func measure<S: BLASScalar>(_: S.Type, m: Int, n: Int, k: Int, repeats: Int, verify: Bool) -> Measurement {
        let a: Matrix<S> = matrix(m, k, seed: 1), b: Matrix<S> = matrix(k, n, seed: 2)
        _ = a * b
        var times: [Double] = []
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            let c = a * b
            let t1 = DispatchTime.now().uptimeNanoseconds
            precondition(c.rows == m)
            times.append(Double(t1 - t0) * 1e-9)
        }
        times.sort()
        let median = times[times.count / 2]
        var ratio: Double?
        if verify {
            let fast = a * b
            let ad = Matrix(rows: m, columns: k, elements: a.elements.map { Double($0) })
            let bd = Matrix(rows: k, columns: n, elements: b.elements.map { Double($0) })
            let slow = Matrix.naiveProduct(ad, bd)
            let u = Double(S.ulpOfOne) / 2
            let bound = Double(k) * u * 0.25 + 1e-300  // |a|,|b| <= 1/2
            ratio = zip(fast.elements, slow.elements).map { abs(Double($0) - $1) / bound }.max() ?? 0
        }
        return Measurement(precision: S.self == Float.self ? "float32" : "float64", m: m, n: n, k: k,
                           gflops: 2 * Double(m) * Double(n) * Double(k) / median / 1e9, errorRatio: ratio)
    }

    /// Square sizes plus the F1 network's training shapes (batch x 784 x 512, batch x 512 x 512).
    public static func run(sizes: [Int], repeats: Int, verify: Bool) -> Report {
        let decision = BLASRuntime.kernelDecision()
        var results: [Measurement] = []
        for n in sizes {
            results.append(measure(Float.self, m: n, n: n, k: n, repeats: repeats, verify: verify && n <= 1024))
            results.append(measure(Double.self, m: n, n: n, k: n, repeats: repeats, verify: verify && n <= 1024))
        }
        for batch in [128, 2048] {
            results.append(measure(Float.self, m: batch, n: 512, k: 784, repeats: repeats, verify: false))
            results.append(measure(Float.self, m: batch, n: 512, k: 512, repeats: repeats, verify: false))
        }
        return Report(kernel: decision.detected, recommendedKernel: decision.recommended, userOverride: decision.userOverride,
                      configuration: BLASRuntime.configuration, threads: BLASRuntime.threads, measurements: results)
    }
}
