import ArgumentParser
import SGDDiffusion

extension SGDiff {
    struct Problems: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the built-in problems, their noise models and parameters.")

        func run() throws {
            var lines: [String] = []
            for e in ProblemCatalog.entries {
                lines.append("\(e.name)  (d = \(e.dimension))")
                lines.append("    \(e.summary)")
                lines.append("    noise: \(e.allowedNoise.map(\.rawValue).joined(separator: ", ")) (default \(e.defaultNoise.kind.rawValue))")
                lines.append("    x0 default: \(e.defaultInitial.map { "\($0)" }.joined(separator: ","))")
                if !e.defaultParameters.isEmpty {
                    lines.append("    parameters: " + e.defaultParameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
                }
            }
            emit(lines.joined(separator: "\n"))
        }
    }
}
