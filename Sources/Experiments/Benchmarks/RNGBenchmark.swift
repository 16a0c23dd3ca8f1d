import Dispatch
import Foundation
import Randomness

/// Raw Gaussian throughput of `GaussianStream` on T threads: the bound no SDE ensemble that
/// draws one variate per path-step can beat.
public enum RNGBenchmark {
    public struct Measurement: Sendable, Codable {
        public var precision: String
        public var threads: Int
        public var numbersPerSecond: Double
    }

    public static func run(threads: Int, variatesPerThread: Int = 1 << 25, repeats: Int = 3) -> [Measurement] {
        [measure(Double.self, threads: threads, count: variatesPerThread, repeats: repeats),
         measure(Float.self, threads: threads, count: variatesPerThread, repeats: repeats)]
    }

    static func measure<S: GaussianScalar>(_: S.Type, threads: Int, count: Int, repeats: Int) -> Measurement {
        let lanes = 512, draws = 16
        let stream = GaussianStream(seed: 7)
        var best = Double.infinity
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let buffer = UnsafeMutablePointer<S>.allocate(capacity: lanes * draws)
                defer { buffer.deallocate() }
                var block = t
                var produced = 0
                while produced < count {
                    S.fill(stream, firstPath: (block * lanes) % (1 << 31), lanes: lanes, firstDraw: 0, draws: draws, stride: lanes, into: buffer)
                    produced += lanes * draws
                    block += threads
                }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        let total = Double(threads * ((count + lanes * draws - 1) / (lanes * draws)) * lanes * draws)
        return Measurement(precision: S.self == Float.self ? "float32" : "float64", threads: threads, numbersPerSecond: total / best)
    }
}
