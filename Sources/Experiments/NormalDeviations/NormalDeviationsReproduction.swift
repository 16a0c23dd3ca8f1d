import Foundation
import Report

/// The `normal-deviations` section of `sgdiff reproduce`: the 2-D and the 1-D landscape, each
/// in its own folder under the section's directory, one report section and one verdict.
public enum NormalDeviationsReproduction {
    public static let name = "normal-deviations"
    public static let title = "Appendix A: gradient-flow limit, normal deviations (Theorems 4–5) and the linear-noise approximation"
    public static let intro = "SGD x<sub>k</sub> against the gradient flow Y(kη) (A.4), and Z<sup>η</sup> = (x<sup>η</sup> − Y)/√η against the Gaussian process dZ = M(s) Z ds + S(Y) dW of (A.6), whose covariance solves the Lyapunov ODE P′ = M P + P Mᵀ + Σ(Y) with M(s) = −∇²F(Y(s)) (the paper leaves M unnamed). Each SGD path carries a linearised twin driven by the same normals, whose covariance is known exactly, as a control variate for Cov Z<sup>η</sup> and for the weak error of x ≈ Y + √η Z. Rates are fitted on log–log axes and fail only when significantly slower than theory: √η for the sup error and E Z<sup>η</sup>, η for the covariance and the linear-noise weak error (the first correction of the expansion; Theorem 5 itself states no rate)."

    /// Quick: 2^18 paths per η (2-D) and 2^19 (1-D), about 12 s on two cores; paper: 2^21 and 2^22, and η down to 0.00625.
    public static func configurations(_ fidelity: Reproduction.Fidelity, seed: UInt64) throws -> [(String, NormalDeviationsConfiguration)] {
        var two = try NormalDeviationsConfiguration.standard2D(seed: seed), one = try NormalDeviationsConfiguration.standard1D(seed: seed)
        if fidelity == .quick {
            (two.paths, one.paths) = (1 << 18, 1 << 19)
        } else {
            (two.paths, one.paths) = (1 << 21, 1 << 22)
            two.etas.append(0.00625)
            one.etas.append(0.00625)
        }
        return [("2d", two), ("1d", one)]
    }

    /// Runs both configurations into `directory/2d` and `directory/1d`.
    public static func run(_ fidelity: Reproduction.Fidelity, seed: UInt64, directory: URL, options: RunOptions) throws
        -> (Verdict, HTMLReport.Section) {
        var results: [NormalDeviationsResult] = []
        for (folder, configuration) in try configurations(fidelity, seed: seed) {
            let result = try NormalDeviationsStudy.run(configuration, options: options)
            try NormalDeviationsArtifacts.write(result, to: directory.appendingPathComponent(folder))
            results.append(result)
        }
        return (Verdict(combining: results.map(\.verdict)), NormalDeviationsArtifacts.section(results, title: title, intro: intro))
    }
}
