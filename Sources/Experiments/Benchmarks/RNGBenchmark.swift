import Dispatch
import Foundation
import Randomness

/// Raw Gaussian throughput of `GaussianStream` on T threads, per normal method and precision:
/// the bound no SDE ensemble that draws one variate per path-step can beat.
public enum RNGBenchmark {
    public struct Measurement: Sendable, Codable {
        public var method: String
        /// Which implementation filled: a C kernel level ("avx512", "avx2", "baseline") or "swift".
        public var kernel: String
        public var precision: String
        public var threads: Int
        /// The best round's rate.
        public var numbersPerSecond: Double
        /// The median round's rate: on a machine that is not quiet, the figure to compare (ratios use it).
        public var medianNumbersPerSecond: Double
    }

    /// What one timed fill runs: a method through the default path (the C kernel of `RandomKernel.level`),
    /// a method on a chosen kernel level, or a method's Swift reference fill (the definition the kernels
    /// reproduce bit for bit), so old and new are timed in one run.
    enum Variant {
        case method(NormalMethod)
        case level(NormalMethod, Int32)
        case swiftReference(NormalMethod)

        var method: NormalMethod {
            switch self {
            case .method(let m), .level(let m, _), .swiftReference(let m): return m
            }
        }
    }

    /// Every (method, precision) pair through the default path, then every method on every other kernel
    /// level and through its Swift reference, timed in interleaved rounds so that a noisy machine's slow
    /// spells hit all of them alike; each reports its best and its median round. The first row of each precision is the default.
    public static func run(threads: Int, methods: [NormalMethod] = NormalMethod.allCases, variatesPerThread: Int = 1 << 25,
                           repeats: Int = 3) -> [Measurement] {
        var variants: [(Variant, String)] = methods.map { (.method($0), RandomKernel.name(RandomKernel.level)) }
        for m in methods {
            for level in RandomKernel.supportedLevels.reversed() where level != RandomKernel.level {
                variants.append((.level(m, level), RandomKernel.name(level)))
            }
            variants.append((.swiftReference(m), "swift"))
        }
        var plan: [(Int, Bool)] = []
        for k in variants.indices { plan += [(k, false), (k, true)] }
        var rounds = [[Double]](repeating: [], count: plan.count)
        for _ in 0..<repeats {
            for (k, (v, float)) in plan.enumerated() {
                let seconds = float ? time(Float.self, variants[v].0, threads: threads, count: variatesPerThread)
                                    : time(Double.self, variants[v].0, threads: threads, count: variatesPerThread)
                rounds[k].append(seconds)
            }
        }
        let lanes = 512, draws = 16
        let total = Double(threads * ((variatesPerThread + lanes * draws - 1) / (lanes * draws)) * lanes * draws)
        let rows = plan.enumerated().map { k, p in
            Measurement(method: variants[p.0].0.method.rawValue, kernel: variants[p.0].1, precision: p.1 ? "float32" : "float64", threads: threads,
                        numbersPerSecond: total / rounds[k].min()!, medianNumbersPerSecond: total / median(rounds[k]))
        }
        return rows.filter { $0.precision == "float64" } + rows.filter { $0.precision == "float32" }
    }

    static func median(_ x: [Double]) -> Double {
        let s = x.sorted(), n = s.count
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2
    }

    static func time<S: GaussianScalar>(_: S.Type, _ variant: Variant, threads: Int, count: Int) -> Double {
        let lanes = 512, draws = 16
        let stream = GaussianStream(seed: 7, method: variant.method)
        let t0 = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let buffer = UnsafeMutablePointer<S>.allocate(capacity: lanes * draws)
            defer { buffer.deallocate() }
            var block = t
            var produced = 0
            while produced < count {
                let firstPath = (block * lanes) % (1 << 31)
                switch variant {
                case .method:
                    S.fill(stream, firstPath: firstPath, lanes: lanes, firstDraw: 0, draws: draws, stride: lanes, into: buffer)
                case .level(let m, let level):
                    if let d = buffer as? UnsafeMutablePointer<Double> {
                        if m == .ziggurat {
                            stream.kernelZigguratFill(level: level, firstPath: firstPath, padded: lanes, firstDraw: 0, draws: draws, stride: lanes, into: d)
                        } else {
                            stream.kernelFill(level: level, firstPath: firstPath, padded: lanes, firstDraw: 0, draws: draws, stride: lanes, into: d)
                        }
                    } else if let f = buffer as? UnsafeMutablePointer<Float> {
                        if m == .ziggurat {
                            stream.kernelZigguratFill(level: level, firstPath: firstPath, padded: lanes, firstDraw: 0, draws: draws, stride: lanes, into: f)
                        } else {
                            stream.kernelFill(level: level, firstPath: firstPath, padded: lanes, firstDraw: 0, draws: draws, stride: lanes, into: f)
                        }
                    }
                case .swiftReference(let m):
                    if let d = buffer as? UnsafeMutablePointer<Double> {
                        if m == .ziggurat {
                            stream.zigguratReferenceFill(firstPath: firstPath, lanes: lanes, firstDraw: 0, draws: draws, stride: lanes, into: d)
                        } else {
                            stream.referenceFill(firstPath: firstPath, lanes: lanes, firstDraw: 0, draws: draws, stride: lanes, into: d)
                        }
                    } else if let f = buffer as? UnsafeMutablePointer<Float> {
                        if m == .ziggurat {
                            stream.zigguratReferenceFill(firstPath: firstPath, lanes: lanes, firstDraw: 0, draws: draws, stride: lanes, into: f)
                        } else {
                            stream.referenceFill(firstPath: firstPath, lanes: lanes, firstDraw: 0, draws: draws, stride: lanes, into: f)
                        }
                    }
                }
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
