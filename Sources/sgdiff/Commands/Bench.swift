import ArgumentParser
import Foundation
import SGDDiffusion

extension SGDiff {
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure the engine: SDE ensembles (path-steps/s), Gaussian generation, BLAS kernels.",
            subcommands: [SDE.self, RNG.self, BLAS.self, MLP.self, FiniteSum.self])
    }
}

extension SGDiff.Bench {
    struct SDE: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Euler–Maruyama ensembles of the standard problems A and B (see BENCHMARKS.md).")

        @Option(help: ArgumentHelp("Problems, comma-separated.", valueName: "problem,..."))
        var problems = ChoiceList<SDEBenchmark.Problem>([.A, .B])

        @Option(help: ArgumentHelp("Precisions, comma-separated.", valueName: "precision,..."))
        var precisions = ChoiceList<SDEBenchmark.Precision>([.float64, .float32])

        @Option(name: .customShort("N"), parsing: .unconditional, help: "Paths.")
        var paths: Int = 100_000

        @Option(name: .customShort("K"), parsing: .unconditional, help: "Steps (h = 0.01).")
        var steps: Int = 1000

        @Option(parsing: .unconditional, help: "Timed repeats after one warm-up run; the median is reported.")
        var repeats: Int = 3

        @Option(parsing: .unconditional, help: "Threads.")
        var threads: Int = EnsembleRunner.availableCores

        @Option(parsing: .unconditional, help: "Seed, a whole number in 0...2^64-1 (default: 1234).", transform: parseSeed)
        var seed: UInt64 = 1234

        @Option(help: ArgumentHelp("Standard-normal generators, comma-separated; each is measured in the same run.", valueName: "method,..."))
        var normals = ChoiceList<NormalMethod>([.standard])

        @Flag(help: "Also time problem A built as the SME-1 of the double-well SGD problem.")
        var viaSGD = false

        @Flag(help: "Print one JSON object per measurement.")
        var json = false

        func validate() throws {
            guard paths >= 1, paths <= 1 << 32 else { throw ValidationError("-N must be in 1...2^32, got \(paths)") }
            guard steps >= 1, steps <= 100_000_000 else { throw ValidationError("-K must be in 1...100000000, got \(steps)") }
            guard repeats >= 1, repeats <= 1000 else { throw ValidationError("--repeats must be in 1...1000, got \(repeats)") }
            guard threads >= 1, threads <= 4096 else { throw ValidationError("--threads must be in 1...4096, got \(threads)") }
            if let twice = problems.duplicate { throw ValidationError("--problems lists \(twice.rawValue) twice") }
            if let twice = precisions.duplicate { throw ValidationError("--precisions lists \(twice.rawValue) twice") }
            if let twice = normals.duplicate { throw ValidationError("--normals lists \(twice.rawValue) twice") }
        }

        func run() throws {
            var plan: [(SDEBenchmark.Problem, SDEBenchmark.Precision, Bool, NormalMethod)] = []
            for problem in problems.values {
                for precision in precisions.values {
                    for method in normals.values { plan.append((problem, precision, false, method)) }
                }
                if viaSGD && problem == .A { for method in normals.values { plan.append((.A, .float64, true, method)) } }
            }
            for (problem, precision, viaSGD, method) in plan {
                let m = try SDEBenchmark.measure(problem, precision: precision, paths: paths, steps: steps, seed: seed, threads: threads,
                                                 repeats: repeats, viaSGDProblem: viaSGD, normals: method)
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    emit(String(decoding: try encoder.encode(m), as: UTF8.self))
                } else {
                    emit(tableLine("%@ %@ %-44@ %@ N=%d K=%d  %.3e path-steps/s  mean %@ var %@", m.problem, m.precision, m.implementation, m.normals,
                                m.paths, m.steps, m.pathStepsPerSecond, m.mean.map { String(format: "%.5f", $0) }.joined(separator: ","),
                                m.variance.map { String(format: "%.5f", $0) }.joined(separator: ",")))
                }
            }
        }
    }

    struct RNG: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Gaussian variates per second from the Philox generator, for every normal method (interleaved in one run).")

        @Option(parsing: .unconditional, help: "Threads.")
        var threads: Int = EnsembleRunner.availableCores

        @Option(help: "Timed rounds; each method, kernel and precision reports its median and its best.")
        var repeats: Int = 3

        @Option(name: .customLong("emit"), help: ArgumentHelp("Instead of timing, write an endless raw stream to stdout for scripts/dieharder: words, box-muller or ziggurat.",
                                   valueName: "stream"))
        var emitStream: String?

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            guard threads >= 1, threads <= 4096 else { throw ValidationError("--threads must be in 1...4096, got \(threads)") }
        }

        func run() throws {
            if let emitStream {
                guard let kind = RNGBenchmark.EmittedStream(rawValue: emitStream) else {
                    throw ValidationError("unknown --emit stream '\(emitStream)'; choose \(RNGBenchmark.EmittedStream.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                RNGBenchmark.emit(kind) { bytes in
                    FileHandle.standardOutput.write(Data(bytes))  // a closed pipe ends the process (SIGPIPE)
                    return true
                }
                return
            }
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
            guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
            let results = RNGBenchmark.run(threads: threads, repeats: repeats)
            if json {
                emit(try JSONOutput.string(results))
            } else {
                // ratios of medians against the default Box–Muller row of the same precision
                for r in results {
                    let reference = results.first { $0.method == NormalMethod.boxMuller.rawValue && $0.precision == r.precision }
                    let ratio = reference.map { String(format: "  %.2fx box-muller", r.medianNumbersPerSecond / $0.medianNumbersPerSecond) } ?? ""
                    emit(tableLine("%-10@ %-8@ %@  %d threads  median %.3e (best %.3e) normals/s", r.method, r.kernel, r.precision, r.threads,
                                r.medianNumbersPerSecond, r.numbersPerSecond) + ratio)
                }
            }
        }
    }

    struct BLAS: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Report the OpenBLAS kernel in use and SGEMM/DGEMM GFLOPS; --verify checks products against a naive reference.")

        @Option(parsing: .unconditional, help: ArgumentHelp("Square sizes in 1...8192, comma-separated.", valueName: "n,..."))
        var sizes = NumberList([512, 1024, 2048])

        @Option(parsing: .unconditional, help: "Timed repeats (median reported).")
        var repeats: Int = 5

        @Flag(help: "Compare with the naive triple loop; exit non-zero if the error exceeds the forward-error bound.")
        var verify = false

        @Flag(help: "Print only the kernel sgdiff runs OpenBLAS with (for OPENBLAS_CORETYPE in scripts).")
        var kernel = false

        @Flag(help: "Print JSON.")
        var json = false

        func validate() throws {
            _ = try sizes.counts("--sizes", in: 1...8192)
            guard repeats >= 1, repeats <= 1000 else { throw ValidationError("--repeats must be in 1...1000, got \(repeats)") }
        }

        func run() throws {
            if kernel {
                emit(BLASRuntime.coreName)
                return
            }
            if let kernelNote = BLASRuntime.kernelNote { note(kernelNote, quiet: false) }
            let sizeList = try sizes.counts("--sizes", in: 1...8192)
            let report = BLASBenchmark.run(sizes: sizeList, repeats: repeats, verify: verify)
            if json {
                emit(try JSONOutput.string(report))
            } else {
                var lines = ["OpenBLAS kernel: \(report.kernel)" + (report.userOverride.map { " (OPENBLAS_CORETYPE=\($0))" } ?? "")
                             + (report.recommendedKernel.map { ", recommended for this CPU: \($0)" } ?? ""),
                             "configuration: \(report.configuration), threads: \(report.threads)"]
                for m in report.measurements {
                    lines.append(String(format: "%@ %5d x %5d x %5d  %8.1f GFLOPS", m.precision, m.m, m.k, m.n, m.gflops)
                                 + (m.errorRatio.map { String(format: "   max error / bound = %.3f", $0) } ?? ""))
                }
                emit(lines.joined(separator: "\n"))
            }
            if verify, let bad = report.measurements.first(where: { ($0.errorRatio ?? 0) > 1 }) {
                throw ValidationError("BLAS result disagrees with the naive reference (\(bad.precision) \(bad.m)x\(bad.k)x\(bad.n): error / bound = \(bad.errorRatio!))")
            }
        }
    }

    struct MLP: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Training throughput of the F1 network on MNIST (samples/s), as ../shared/bench/mlp_bench.py measures it.")

        @Option(help: "Folder with the four MNIST files (default: $SGDIFF_MNIST_DIR, ~/.cache/sgd-diffusion/mnist, ./data/mnist).")
        var mnistDir: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Batch sizes in 1...60000, comma-separated.", valueName: "m,..."))
        var batchSizes = NumberList([128, 2048])

        @Option(help: ArgumentHelp("Optimisers, comma-separated.", valueName: "optimizer,..."))
        var optimizers = ChoiceList<BenchOptimizer>([.sgd, .momentum])

        @Option(parsing: .unconditional, help: "Seconds per timed window (at most 3600).")
        var seconds: Double = 2

        @Option(parsing: .unconditional, help: "Timed windows (median reported).")
        var windows: Int = 5

        @Flag(help: "Print one JSON object per measurement.")
        var json = false

        func validate() throws {
            _ = try batchSizes.counts("--batch-sizes", in: 1...60_000)
            if let twice = optimizers.duplicate { throw ValidationError("--optimizers lists \(twice.rawValue) twice") }
            guard windows >= 1, windows <= 1000 else { throw ValidationError("--windows must be in 1...1000, got \(windows)") }
            guard seconds > 0, seconds <= 3600 else { throw ValidationError("--seconds must be in (0, 3600], got \(seconds)") }
        }

        func run() throws {
            if let kernelNote = BLASRuntime.kernelNote { note(kernelNote, quiet: false) }
            let data = try MNIST.load(directory: try MNIST.locate(explicit: mnistDir))
            let batches = try batchSizes.counts("--batch-sizes", in: 1...60_000)
            let opts = optimizers.values.map(\.rawValue)
            for m in try MLPBenchmark.run(data: data, batches: batches, optimizers: opts, seconds: seconds, windows: windows) {
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    emit(String(decoding: try encoder.encode(m), as: UTF8.self))
                } else {
                    emit(tableLine("batch %5d %-9@ %8.0f samples/s (median of %d windows; OpenBLAS %@)", m.batch, m.optimizer, m.median, m.samplesPerSecond.count, m.blasKernel))
                }
            }
        }
    }
}

extension SGDiff.Bench {
    struct FiniteSum: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "finite-sum",
            abstract: "Exact SME-1 of logistic regression by the weighted-gradient step: path-steps/s beside the GEMM rate (issue 9).")

        @Option(name: .customShort("M"), parsing: .unconditional, help: "Samples.")
        var samples: Int = 4096

        @Option(name: .customShort("d"), parsing: .unconditional, help: "Features (= parameters).")
        var features: Int = 256

        @Option(name: .customShort("B"), parsing: .unconditional, help: "Paths.")
        var paths: Int = 64

        @Option(name: .customShort("K"), parsing: .unconditional, help: "Steps.")
        var steps: Int = 200

        @Option(parsing: .unconditional, help: "Timed repeats after one warm-up run; the best is reported.")
        var repeats: Int = 3

        @Option(parsing: .unconditional, help: "Threads.")
        var threads: Int = EnsembleRunner.availableCores

        @Option(parsing: .unconditional, help: "Paths per block (each thread multiplies its own blocks); default B / threads.")
        var block: Int?

        @Option(parsing: .unconditional, help: "Seed, a whole number in 0...2^64-1 (default: 1234).", transform: parseSeed)
        var seed: UInt64 = 1234

        @Flag(help: "Print one JSON object per measurement.")
        var json = false

        func validate() throws {
            guard (2...1 << 20).contains(samples) else { throw ValidationError("-M must be in 2...2^20, got \(samples)") }
            guard (1...1 << 16).contains(features) else { throw ValidationError("-d must be in 1...65536, got \(features)") }
            guard samples.multipliedReportingOverflow(by: features).partialValue <= 1 << 28 else { throw ValidationError("-M × -d is above 2^28 values") }
            guard (1...4096).contains(paths) else { throw ValidationError("-B must be in 1...4096, got \(paths)") }
            guard (1...1_000_000).contains(steps) else { throw ValidationError("-K must be in 1...10^6, got \(steps)") }
            guard (1...100).contains(repeats) else { throw ValidationError("--repeats must be in 1...100, got \(repeats)") }
            guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1...256, got \(threads)") }
            if let block, !(1...paths).contains(block) { throw ValidationError("--block must be in 1...B, got \(block)") }
        }

        func run() throws {
            let size = block ?? max(1, (paths + threads - 1) / threads)
            let m = try FiniteSumBenchmark.run(samples: samples, features: features, paths: paths, steps: steps, repeats: repeats,
                                               threads: threads, blockSize: size, seed: seed)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                emit(String(decoding: try encoder.encode(m), as: UTF8.self))
            } else {
                emit(String(format: "exact SME-1, logistic M = %d, d = %d, B = %d, K = %d, %d threads (blocks of %d): %.3g path-steps/s (best %.3f s); GEMM %.1f GFLOP/s; mean F(X_K) = %.6f",
                            m.M, m.d, m.B, m.K, m.threads, m.blockSize, m.path_steps_per_s, m.best_s, m.gemm_gflops, m.mean_final_loss))
            }
        }
    }
}
