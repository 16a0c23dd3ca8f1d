import Foundation
import SGDDiffusion
let args = CommandLine.arguments
let which = args.count > 1 ? args[1] : "a"
let N = Int(args.count > 2 ? args[2] : "100000")!
let r = Int(args.count > 3 ? args[3] : "4")!
let config: WeakErrorConfiguration
if which == "a" {
  config = WeakErrorConfiguration(problem: try ProblemSpec(name: "quadratic"), testFunctions: [.square, .x], horizon: 1,
     etas: [0.2, 0.1, 0.05, 0.025], paths: N, substeps: r, seed: 1)
} else {
  config = WeakErrorConfiguration(problem: try ProblemSpec(name: "double-well", noise: NoiseSpec(kind: .additive, distribution: .rademacher), initial: [0.5]), testFunctions: [.x],
     horizon: 1, etas: [0.1, 0.05, 0.025, 0.0125], paths: N, substeps: r, seed: 1)
}
func go() throws {
let t0 = Date()
guard case .complete(let res) = try WeakErrorStudy.run(config, options: RunOptions(threads: 2)) else { fatalError() }
print("wall", Date().timeIntervalSince(t0))
for row in res.rows {
  print(row.testFunction.rawValue, row.eta, row.paths, String(format: "e1=%.4e±%.1e e2=%.4e±%.1e bias1=%.1e±%.1e bias2=%.1e±%.1e", row.error1.mean, row.error1.standardError, row.error2.mean, row.error2.standardError, row.sdeBias1.mean, row.sdeBias1.standardError, row.sdeBias2.mean, row.sdeBias2.standardError), row.exact.map { String(format: "exact e1=%.4e e2=%.4e", $0.error1, $0.error2) } ?? "")
}
for f in res.fits { print(f.testFunction.rawValue, f.approximation, f.slope ?? .nan, f.interval ?? [], f.verdict, f.excluded) }
for c in res.closedFormChecks where c.verdict != .pass { print("FAIL", c) }
print("sde ratio", res.sdeBiasRatio, res.sdeAccuracy, "verdict", res.verdict)

}
try go()
