import Escape
import FiniteSums
import Foundation

/// The 1-D finite sum both §5 studies run on (`batch-size`, `batch-schedule`): the problem, its
/// exact landscape, the Hermite table of F′ and Σ₀ over the scan (5% margin each side) and the
/// two basins found on it.
struct TwoBasinProblem {
    let problem: FiniteSumProblem<LearningModel>
    let exact: FiniteSumLandscape<LearningModel, Double>
    let table: TabulatedLandscape1D
    let landscape: BatchSizeLandscape

    /// - Parameters:
    ///   - study: the command, for the error a problem that is not 1-D gets (thrown by `invalid`);
    ///   - checkSamples: the study's checks that need M, run before the table is built.
    init(_ spec: LearningProblemSpec, scan: [Double], tableNodes: Int, study: String, mnist: MNISTSource,
         invalid: (String, String) -> any Error, checkSamples: (Int) throws -> Void) throws {
        problem = try spec.build(mnist: mnist)
        guard problem.dimension == 1 else {
            throw invalid("problem", "the learning problem has d = \(problem.dimension) parameters; \(study) takes a 1-D finite sum (1 feature, --no-intercept)")
        }
        try checkSamples(problem.count)
        exact = try FiniteSumLandscape<LearningModel, Double>(problem)
        let margin = 0.05 * (scan[1] - scan[0])
        table = TabulatedLandscape1D(exact, lower: scan[0] - margin, upper: scan[1] + margin, count: tableNodes, covarianceFactor: 1)
        landscape = try BatchSizeLandscape.analyse(exact, table: table, scan: scan)
    }
}
