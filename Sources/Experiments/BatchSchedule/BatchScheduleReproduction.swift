import Foundation
import Report

/// The `batch-schedule` section of `sgdiff reproduce`.
public enum BatchScheduleReproduction {
    public static let name = "batch-schedule"
    public static let title = "§5: batch-size schedules — constant, increasing m(s) = min(C log(s+2)/η, m*) and decreasing, from the sharp minimum"
    public static let intro = "The two-basin finite sum of the batch-size section (sharp minimum x ≈ −0.67, flat x ≈ 0.62, barrier x ≈ −0.215). From the sharp minimum, a fixed horizon of K SGD iterations under each schedule; the same <code>BatchSchedule</code> drives SGD on the data and its SDE dX = −F′ ds + √(η c(s) Σ₀) dB with c(s) = 1/m(s) − 1/M. Theory: the two-state master equation dp/ds = (1 − p)/(2 E T<sub>s</sub>(m(s))) − p/(2 E T<sub>f</sub>(m(s))) with E T the exact mean time from each minimum to the barrier at each m (far ends reflecting), and the first-entry law 1 − exp(−∫ ds/E T(m(s))). The paper's claim: an increasing schedule settles in the flat (here: wider, lower-noise) minimum more often than constant large m while ending nearer a minimum than constant small m."

    /// Quick: 1024 paths per method and schedule and h = η/4 (about 14 s on two cores); paper: 8192 paths, h = η/10 (about 210 s).
    public static func configuration(_ fidelity: Reproduction.Fidelity, seed: UInt64) -> BatchScheduleConfiguration {
        var c = BatchScheduleConfiguration.standard(seed: seed)
        if fidelity == .quick {
            (c.sgdPaths, c.sdePaths, c.sdeStep) = (1024, 1024, 0.05)
        } else {
            (c.sgdPaths, c.sdePaths, c.sdeStep) = (8192, 8192, 0.02)
        }
        return c
    }

    public static func run(_ fidelity: Reproduction.Fidelity, seed: UInt64, directory: URL, options: RunOptions) throws -> (Verdict, HTMLReport.Section) {
        let result = try BatchScheduleStudy.run(configuration(fidelity, seed: seed), options: options)
        try BatchScheduleArtifacts.write(result, to: directory)
        return (result.verdict, BatchScheduleArtifacts.section(result, title: title, intro: intro))
    }
}
