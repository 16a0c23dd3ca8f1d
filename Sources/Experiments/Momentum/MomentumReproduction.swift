import Foundation
import Report

/// The `momentum` section of `sgdiff reproduce`.
public enum MomentumReproduction {
    public static let name = "momentum"
    public static let title = "Beyond the paper: heavy-ball momentum against SGD at the matched step η/(1 − β), with its underdamped SDE"
    public static let intro = "Heavy ball v<sub>k+1</sub> = βv<sub>k</sub> − η∇f(x<sub>k</sub>), x<sub>k+1</sub> = x<sub>k</sub> + v<sub>k+1</sub> against plain SGD at η<sub>eff</sub> = η/(1 − β), times in effective time τ = kη/(1 − β). Its SDE by central differences: dX = V ds, m dV = −((1 − β)V + ∇F) ds + √η S dB with m = η(1 + β)/2 (SME-2's drift at β = 0, plain SGD's SDE at η<sub>eff</sub> as m → 0). Saddle F = (−x² + y²)/2, σ = 1, the unit ball: heavy ball's exact linear law from the unstable root θ of z² − (1 + β + ηγ₁)z + β = 0. Minimum: the double well from x = −1 to x = +1, against the Kramers–Grote–Hynes inertial factor κ = (√(¼ + q) − ½)/q, q = m|F″<sub>b</sub>|/(1 − β)². The paper leaves momentum \"for future research\" (the remark after Theorem 2)."

    /// Quick: three saddle η (8000 paths), two minimum η_eff (2000 paths); paper: four η down to 3e-4 (16000 paths), three η_eff (8000).
    /// The β = 0 SDE dominates the cost: its relaxation time η/2 sets h = η/10.
    public static func configuration(_ fidelity: Reproduction.Fidelity, seed: UInt64) -> MomentumConfiguration {
        if fidelity == .quick {
            return MomentumConfiguration(saddleEtas: [1e-2, 3e-3, 1e-3], minimumEtas: [0.25, 0.2], saddlePaths: 8000, minimumPaths: 2000, seed: seed)
        }
        return MomentumConfiguration(saddleEtas: [1e-2, 3e-3, 1e-3, 3e-4], minimumEtas: [0.25, 0.2, 0.15], saddlePaths: 16000, minimumPaths: 8000, seed: seed)
    }

    public static func run(_ fidelity: Reproduction.Fidelity, seed: UInt64, directory: URL, options: RunOptions) throws -> (Verdict, HTMLReport.Section) {
        let result = try MomentumStudy.run(configuration(fidelity, seed: seed), options: options)
        try MomentumArtifacts.write(result, to: directory)
        return (result.verdict, MomentumArtifacts.section(result, title: title, intro: intro))
    }
}
