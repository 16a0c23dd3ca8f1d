import Dispatch
import FiniteSums
import Foundation
import Numerics
import Randomness
import Synchronization

/// Path-steps/s of the exact SME-1 of logistic regression (issue 9's benchmark): M samples of
/// d features N(0, 1/d), labels from a teacher with logistic noise, no intercept, batch m = 32,
/// η = h = 0.1, x₀ = 0, K steps of B paths, the same computation as
/// `scripts/bench/torch_sme_logistic.py` (two GEMMs and M·B normals per step).
public enum FiniteSumBenchmark {
    public struct Measurement: Sendable, Codable {
        public var kind = "finite-sum"
        public var impl = "sgdiff_f64"
        public var M: Int
        public var d: Int
        public var B: Int
        public var K: Int
        public var threads: Int
        public var blockSize: Int
        public var times_s: [Double]
        public var best_s: Double
        public var path_steps_per_s: Double
        /// The two GEMM shapes of a step alone, with every thread on one product.
        public var gemm_gflops: Double
        public var mean_final_loss: Double
        public var sd_final_loss: Double
        public var blas_core: String
        /// The fused weighted-gradient kernel's level ("avx512", …), or "openblas" when the step
        /// runs as two OpenBLAS products (no FMA hardware, or `SGDIFF_FS_KERNEL=none`).
        public var kernel: String
    }

    public static func problem(samples M: Int, features d: Int, seed: UInt64) throws -> FiniteSumProblem<LinearModel> {
        let g = GaussianStream(seed: seed, stream: .independent(300))
        let scale = 1 / Double(d).squareRoot()
        let features = (0..<(M * d)).map { scale * g.normal(path: $0 / d, draw: $0 % d) }
        let teacher = (0..<d).map { g.normal(path: M, draw: $0) }
        var labels: [Double] = []
        for i in 0..<M {
            var noise = PhiloxGenerator(seed: seed, stream: .independent(301), path: i)
            let v = noise.nextUnit()
            var u = log(v / (1 - v))
            for j in 0..<d { u += features[i * d + j] * teacher[j] }
            labels.append(u > 0 ? 1 : 0)
        }
        let data = try TrainingSet(features: features, count: M, featureCount: d, targets: labels, source: "benchmark logistic data")
        return try FiniteSumProblem(model: LinearModel(loss: .logistic, featureCount: d), data: data, batchSchedule: .constant(32))
    }

    public static func run(samples M: Int, features d: Int, paths B: Int, steps K: Int, repeats: Int, threads: Int, blockSize: Int,
                           seed: UInt64) throws -> Measurement {
        let problem = try problem(samples: M, features: d, seed: seed)
        let eta = 0.1
        let blocks = stride(from: 0, to: B, by: blockSize).map { $0..<min(B, $0 + blockSize) }
        let saved = BLASRuntime.threads
        defer { BLASRuntime.threads = saved }
        BLASRuntime.threads = blocks.count >= threads ? 1 : threads
        var times: [Double] = []
        var finalLosses: [Double] = []
        for repeatIndex in 0...repeats {
            let losses = Mutex([Double](repeating: 0, count: B))
            let start = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: blocks.count) { index in
                let range = blocks[index], lanes = range.count, ld = GaussianStream.paddedLanes(lanes)
                let engine = BlockEngine(problem: problem, ld: ld, maximumBatch: 32)
                let x = ParameterBlock(initial: [Double](repeating: 0, count: d), ld: ld)
                let z = UnsafeMutablePointer<Double>.allocate(capacity: M * ld)
                defer { z.deallocate() }
                let driving = GaussianStream(seed: seed, stream: .driving)
                for k in 0..<K {
                    driving.fill(firstPath: range.lowerBound, lanes: lanes, firstDraw: k * M, draws: M, stride: ld, into: z)
                    engine.diffusionStep(x, order: 1, eta: eta, dt: eta, sgdStep: k, normals: z)
                }
                let observed = engine.observe(x, from: [Double](repeating: 0, count: d), lanes: lanes)
                losses.withLock { for (offset, o) in observed.enumerated() { $0[range.lowerBound + offset] = o.train } }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if repeatIndex > 0 { times.append(seconds) } // the first run warms caches and page tables
            finalLosses = losses.withLock { $0 }
        }
        let mean = finalLosses.reduce(0, +) / Double(B)
        let sd = (finalLosses.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(B - 1, 1))).squareRoot()
        BLASRuntime.threads = threads
        let best = times.min() ?? .nan
        let fused = LinearModel.fusedKernelAvailable && blocks.allSatisfy { GaussianStream.paddedLanes($0.count) % 8 == 0 }
        let kernel = fused ? LinearModel.fusedKernelLevel : "openblas"
        return Measurement(impl: fused ? "sgdiff_f64" : "sgdiff_f64_blas", M: M, d: d, B: B, K: K, threads: threads, blockSize: blockSize, times_s: times, best_s: best,
                           path_steps_per_s: Double(B * K) / best, gemm_gflops: gemmRate(M: M, d: d, B: B), mean_final_loss: mean,
                           sd_final_loss: sd, blas_core: BLASRuntime.coreName, kernel: kernel)
    }

    /// GFLOP/s of U = A X (M×d · d×B) and G = Aᵀ R (d×M · M×B), 2 M d B flops each.
    static func gemmRate(M: Int, d: Int, B: Int, repetitions: Int = 200) -> Double {
        let a = Matrix<Double>(rows: M, columns: d, repeating: 0.5), x = Matrix<Double>(rows: d, columns: B, repeating: 0.25)
        let r = Matrix<Double>(rows: M, columns: B, repeating: 0.125)
        _ = Matrix.product(a, x)
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<repetitions {
            _ = Matrix.product(a, x)
            _ = Matrix.product(a, r, transposeA: true)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        return 4 * Double(M) * Double(d) * Double(B) * Double(repetitions) / seconds / 1e9
    }
}
