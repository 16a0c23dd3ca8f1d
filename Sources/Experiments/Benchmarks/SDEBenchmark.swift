import Dispatch
import Dynamics
import Ensembles
import Foundation
import Numerics
import Problems
import Randomness

/// Times Euler–Maruyama ensembles of the standard problems through the production engine
/// (`SDEPathBlock` + `EnsembleRunner`), reporting path-steps per second.
public enum SDEBenchmark {
    public struct Measurement: Sendable, Codable {
        public var problem: String
        public var precision: String
        public var implementation: String
        public var paths: Int
        public var steps: Int
        public var threads: Int
        /// The normal generator (`NormalMethod` raw value).
        public var normals: String
        /// Wall time of each timed repeat (the first, warm-up run excluded).
        public var seconds: [Double]
        /// N K / median(seconds).
        public var pathStepsPerSecond: Double
        public var mean: [Double]
        public var variance: [Double]
    }

    /// Times `repeats` runs after one warm-up run.
    public static func measure(_ problem: Problem, precision: Precision, paths: Int, steps: Int, seed: UInt64, threads: Int,
                               repeats: Int, viaSGDProblem: Bool = false, normals: NormalMethod = .standard) throws -> Measurement {
        func once() throws -> (mean: [Double], variance: [Double]) {
            if viaSGDProblem { return try runProblemAFromSGD(paths: paths, steps: steps, seed: seed, threads: threads, normals: normals) }
            return try run(problem, precision: precision, paths: paths, steps: steps, seed: seed, threads: threads, normals: normals)
        }
        var moments = try once()
        var times: [Double] = []
        for _ in 0..<max(1, repeats) {
            let t0 = DispatchTime.now().uptimeNanoseconds
            moments = try once()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        let median = times.sorted()[times.count / 2]
        return Measurement(problem: problem.rawValue, precision: precision.rawValue,
                           implementation: viaSGDProblem ? "sgdiff, SME-1 built from the SGD problem" : "sgdiff",
                           paths: paths, steps: steps, threads: threads, normals: normals.rawValue, seconds: times,
                           pathStepsPerSecond: Double(paths) * Double(steps) / median, mean: moments.mean, variance: moments.variance)
    }

    public enum Problem: String, Sendable, Codable, CaseIterable { case A, B }
    public enum Precision: String, Sendable, Codable, CaseIterable { case float64, float32 }

    /// One ensemble of a standard problem: final-state mean and variance per coordinate.
    public static func run(_ problem: Problem, precision: Precision, paths: Int, steps: Int, seed: UInt64,
                           threads: Int, normals: NormalMethod = .standard) throws -> (mean: [Double], variance: [Double]) {
        switch (problem, precision) {
        case (.A, .float64):
            return try ensemble(BenchmarkProblemA<Double>(), x0: -1, paths: paths, steps: steps, dt: 0.01, seed: seed, threads: threads, normals: normals)
        case (.A, .float32):
            return try ensemble(BenchmarkProblemA<Float>(), x0: -1, paths: paths, steps: steps, dt: 0.01, seed: seed, threads: threads, normals: normals)
        case (.B, .float64):
            return try ensemble(BenchmarkProblemB<Double>(), x0: Vector2(-1, 0), paths: paths, steps: steps, dt: 0.01, seed: seed, threads: threads, normals: normals)
        case (.B, .float32):
            return try ensemble(BenchmarkProblemB<Float>(), x0: Vector2(-1, 0), paths: paths, steps: steps, dt: 0.01, seed: seed, threads: threads, normals: normals)
        }
    }

    /// Problem A built the product's way: the order-1 SGD diffusion of the double well with
    /// isotropic noise, as a check that the generic path costs nothing.
    public static func runProblemAFromSGD(paths: Int, steps: Int, seed: UInt64, threads: Int, normals: NormalMethod = .standard) throws -> (mean: [Double], variance: [Double]) {
        let process = SGDDiffusionProcess(NoisyObjective(DoubleWell(), noise: AdditiveNoise(sigma: 1)), eta: 0.05, order: .first)
        return try ensemble(process, x0: -1, paths: paths, steps: steps, dt: 0.01, seed: seed, threads: threads, normals: normals)
    }

    /// Runs one ensemble of `process` from `x0` and returns final-state mean and variance.
    static func ensemble<P: DiffusionProcess>(_ process: P, x0: P.State, paths: Int, steps: Int, dt: Double,
                                                     seed: UInt64, threads: Int, normals: NormalMethod) throws -> (mean: [Double], variance: [Double])
    where P.State.Scalar: GaussianScalar {
        let plan = try EnsemblePlan(paths: paths)
        let d = P.State.dimension
        let names = (0..<d).map { ("x\($0)", Double(x0.component($0))) }
        let runner = try EnsembleRunner(threads: threads)
        let block = SDEPathBlock(process: process, stepper: EulerMaruyama(), dt: P.State.Scalar(dt),
                                 noise: GaussianStream(seed: seed, method: normals))
        let result = try runner.run(task: "bench", plan: plan, emptyTally: Tally(observables: names)) { range in
            let states = LaneStorage<P.State>(lanes: range.count, initial: x0)
            block.advance(states, firstPath: range.lowerBound, firstStep: 0, steps: steps)
            var tally = Tally(observables: names)
            for lane in 0..<range.count {
                let x = states[lane]
                for c in 0..<d { tally.add(c, Double(x.component(c))) }
            }
            return tally
        }
        return (result.tally.moments.map(\.mean), result.tally.moments.map(\.variance))
    }
}
