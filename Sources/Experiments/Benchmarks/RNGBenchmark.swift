import Dispatch
import Foundation
import Randomness

/// Raw Gaussian throughput of `GaussianStream` on T threads, per normal method and precision:
/// the bound no SDE ensemble that draws one variate per path-step can beat.
public enum RNGBenchmark {
    public struct Measurement: Sendable, Codable {
        public var method: String
        public var precision: String
        public var threads: Int
        public var numbersPerSecond: Double
    }

    /// Every (method, precision) pair, timed in interleaved rounds so that a noisy machine's
    /// slow spells hit all of them alike; each reports its best round.
    public static func run(threads: Int, methods: [NormalMethod] = NormalMethod.allCases, variatesPerThread: Int = 1 << 25,
                           repeats: Int = 3) -> [Measurement] {
        var plan: [(NormalMethod, Bool)] = []
        for method in methods { plan += [(method, false), (method, true)] }
        var best = [Double](repeating: .infinity, count: plan.count)
        for _ in 0..<repeats {
            for (k, (method, float)) in plan.enumerated() {
                let seconds = float ? time(Float.self, method: method, threads: threads, count: variatesPerThread)
                                    : time(Double.self, method: method, threads: threads, count: variatesPerThread)
                best[k] = min(best[k], seconds)
            }
        }
        let lanes = 512, draws = 16
        let total = Double(threads * ((variatesPerThread + lanes * draws - 1) / (lanes * draws)) * lanes * draws)
        return plan.enumerated().map { k, p in
            Measurement(method: p.0.rawValue, precision: p.1 ? "float32" : "float64", threads: threads, numbersPerSecond: total / best[k])
        }
    }

    static func time<S: GaussianScalar>(_: S.Type, method: NormalMethod, threads: Int, count: Int) -> Double {
        let lanes = 512, draws = 16
        let stream = GaussianStream(seed: 7, method: method)
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
        return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    }
}

extension RNGBenchmark {
    /// What `sgdiff bench rng --emit` writes for statistical batteries such as dieharder.
    public enum EmittedStream: String, CaseIterable, Sendable {
        /// The Philox words GaussianStream reads, 64 bits per (path, draw) as `fillBits` lays them out.
        case words
        /// 16 bits of Φ(z) per variate: uniform exactly when z is standard normal, so a battery
        /// for uniform bits tests the transform too.
        case boxMuller = "box-muller"
        case ziggurat
    }

    /// Writes the stream to `write` in chunks of 8192 values (path blocks of 512, 16 draws each)
    /// until `write` returns false.
    public static func emit(_ kind: EmittedStream, seed: UInt64 = 7, write: (UnsafeRawBufferPointer) -> Bool) {
        let lanes = 512, draws = 16
        let words = UnsafeMutablePointer<UInt64>.allocate(capacity: lanes * draws)
        let normals = UnsafeMutablePointer<Double>.allocate(capacity: lanes * draws)
        let halves = UnsafeMutablePointer<UInt16>.allocate(capacity: lanes * draws)
        defer { words.deallocate(); normals.deallocate(); halves.deallocate() }
        var block = 0
        while true {
            let firstPath = (block % (1 << 23)) * lanes, firstDraw = (block >> 23) * draws
            let ok: Bool
            switch kind {
            case .words:
                GaussianStream(seed: seed).fillBits(firstPath: firstPath, lanes: lanes, firstDraw: firstDraw, draws: draws, stride: lanes, into: words)
                ok = write(UnsafeRawBufferPointer(start: words, count: 8 * lanes * draws))
            case .boxMuller, .ziggurat:
                let stream = GaussianStream(seed: seed, method: kind == .ziggurat ? .ziggurat : .boxMuller)
                stream.fill(firstPath: firstPath, lanes: lanes, firstDraw: firstDraw, draws: draws, stride: lanes, into: normals)
                for k in 0..<(lanes * draws) {
                    let u = 0.5 * erfc(-normals[k] / 2.0.squareRoot())
                    halves[k] = UInt16(min(65535, (u * 65536).rounded(.down)))
                }
                ok = write(UnsafeRawBufferPointer(start: halves, count: 2 * lanes * draws))
            }
            guard ok else { return }
            block += 1
        }
    }
}
