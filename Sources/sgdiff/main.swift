import Foundation
import SGDDiffusion
let args = CommandLine.arguments
let threads = Int(args.count > 1 ? args[1] : "2")!
let which = args.count > 2 ? args[2] : "A64"
let N = Int(args.count > 3 ? args[3] : "100000")!
let K = Int(args.count > 4 ? args[4] : "1000")!
let reps = Int(args.count > 5 ? args[5] : "3")!
for _ in 0..<reps {
let t0 = Date()
let r: (mean: [Double], variance: [Double])
switch which {
case "A64": r = try SDEBenchmark.run(.A, precision: .float64, paths: N, steps: K, seed: 1234, threads: threads)
case "A32": r = try SDEBenchmark.run(.A, precision: .float32, paths: N, steps: K, seed: 1234, threads: threads)
case "B64": r = try SDEBenchmark.run(.B, precision: .float64, paths: N, steps: K, seed: 1234, threads: threads)
case "B32": r = try SDEBenchmark.run(.B, precision: .float32, paths: N, steps: K, seed: 1234, threads: threads)
default:
  r = try SDEBenchmark.runProblemAFromSGD(paths: N, steps: K, seed: 1234, threads: threads)
}
let dt = Date().timeIntervalSince(t0)
print(which, String(format: "%.3e path-steps/s", Double(N*K) / dt), r)
}
