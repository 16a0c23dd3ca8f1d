import Foundation
import NeuralNets
import Numerics
import Report
import Testing
import TestSupport
@testable import Experiments

final class StopAfter: @unchecked Sendable {
    private let lock = NSLock()
    private var remaining: Int
    init(_ calls: Int) { remaining = calls }
    func next() -> Bool { lock.withLock { remaining -= 1; return remaining >= 0 } }
}

/// The whole §6 pipeline on synthetic 28 x 28 data with the real F1 network, shrunk so that it
/// runs in seconds: planning, training, anchors and warm starts, probes, checks, files, resume.
@Suite(.serialized) struct MNISTStudyTests {
    static func tiny() -> MNISTConfiguration {
        var c = MNISTConfiguration.quick(seed: 4)
        c.trainSubset = nil
        c.batchSizes = [16, 64]
        c.smallBatch = 16
        c.largeBatch = 64
        c.iterations = 6
        c.scheduleSwitch = 3
        c.recordEvery = 2
        c.smallAnchorEpochs = 1
        c.largeAnchorEpochs = 2
        c.warmStartEpochs = 1
        c.sharpnessSamples = 32
        c.sharpnessSteps = 3
        return c
    }

    static func directory() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("sgdiff-mnist-study-\(UUID().uuidString)") }

    @Test func runsEveryPartAndWritesTheFigures() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let c = Self.tiny()
        let data = syntheticMNIST(train: 256, test: 100)
        let r = try MNISTStudy.run(c, data: data, dataDirectory: "synthetic", directory: dir, options: RunOptions(quiet: true))
        #expect(r.runs.count == 2 * 4 + 2 + 4)
        #expect(r.sweep.count == 8 && r.sweep.allSatisfy { $0.sharpness != nil && $0.traceSigma0 != nil })
        // the scheduled run switches batch size where it says
        let scheduled = try #require(r.runs.first { $0.schedule != nil })
        #expect(scheduled.record.samples == 3 * 16 + 3 * 64)
        #expect(r.claims.contains { $0.name == "batch-schedule-rho0.0" })
        // warm starts begin at their anchor's best weights: the first evaluation equals its best accuracy
        let anchor = try #require(r.run("anchor/small")?.record.bestTestAccuracy)
        #expect(r.run("warm/small/b16")?.record.evaluations.first?.testAccuracy == anchor)
        #expect(r.run("warm/small/b64")?.record.evaluations.first?.testAccuracy == anchor)
        #expect(r.checks.contains { $0.name == "proposition-1-batch-scaling" })
        #expect(r.claims.contains { $0.name == "diffusion-by-batch-size-rho0.0" })
        let files = try MNISTArtifacts.write(r, to: dir).map(\.lastPathComponent)
        for name in ["result.json", "runs.csv", "sweep.csv", "curves.csv", "evaluations.csv", "noise-scale.csv", "fig1-distance-rho0.0.svg",
                     "fig2-distance-rho0.9.svg", "fig3-accuracy-rho0.0.svg", "fig4-accuracy-rho0.9.svg", "fig5-warm-start-small.svg",
                     "fig6-warm-start-large.svg", "sharpness.svg", "noise-scale.svg"] {
            #expect(files.contains(name), "\(name)")
        }
        let decoded = try JSONOutput.decoder().decode(MNISTResult.self, from: Data(contentsOf: dir.appendingPathComponent("result.json")))
        #expect(decoded.runs.map(\.record) == r.runs.map(\.record) && decoded.verdict == r.verdict)
    }

    /// Raising --replicates trains only the new seeds, and the sweep then carries error bars across
    /// seeds: accuracies, and the sharpness whose claim is judged against them.
    @Test func moreReplicatesReuseTheTrainedSeeds() throws {
        let dir = Self.directory()
        defer { try? FileManager.default.removeItem(at: dir) }
        var c = Self.tiny()
        c.momenta = [0]
        let data = syntheticMNIST(train: 256, test: 100)
        let one = try MNISTStudy.run(c, data: data, dataDirectory: "synthetic", directory: dir, options: RunOptions(quiet: true))
        c.replicates = 2
        let two = try MNISTStudy.run(c, data: data, dataDirectory: "synthetic", directory: dir, options: RunOptions(quiet: true))
        // a reused run is read back from disk, wall-clock seconds included; a retrained one would differ
        for run in one.runs { #expect(two.run(run.name) == run, "\(run.name)") }
        #expect(two.runs.filter { $0.seed == c.seed + 1 }.count == 4)
        #expect(two.sweep.allSatisfy { $0.replicates == 2 && $0.sharpnessStandardError != nil && $0.errorBars.contains("2 seeds") })
        let row = try #require(two.sweep.first { $0.batchSize == 16 && $0.schedule == nil && $0.injectedNoise == 0 })
        let spectra = two.runs.filter { $0.role == .sweep && $0.batchSize == 16 && $0.schedule == nil && $0.injectedNoise == 0 }.compactMap(\.sharpness?.largest)
        #expect(spectra.count == 2 && row.sharpness == (spectra[0] + spectra[1]) / 2)
        #expect(abs(row.sharpnessStandardError! - abs(spectra[0] - spectra[1]) / 2) < 1e-12 * abs(spectra[0]))
        let claim = try #require(two.claims.first { $0.name == "sharpness-rho0.0" })
        #expect(claim.measured.contains("across 2 seeds"))
    }

    @Test func claimsAcrossSeedsUseStudentT() {
        func row(_ replicates: Int) -> MNISTResult.SweepRow {
            let e = Estimate(mean: 0.98, standardError: 0.001, count: replicates)
            return MNISTResult.SweepRow(momentum: 0, batchSize: 128, schedule: nil, injectedNoise: 0, replicates: replicates, trainAccuracy: e, testAccuracy: e,
                                        errorBars: "", finalDistance: 1, finalLoss: 0.1)
        }
        #expect(MNISTResult.criticalValue(row(1), row(1)) == 2)
        #expect(MNISTResult.criticalValue(row(1), row(3)) == 2)
        // t(0.975; 4 degrees of freedom) = 2.7764 (standard tables)
        #expect(abs(MNISTResult.criticalValue(row(3), row(3)) - 2.7764) < 1e-3)
    }

    /// Stop in the middle of a run, resume, and get the uninterrupted study's numbers exactly.
    @Test func interruptedStudyResumesToTheSameResult() throws {
        let c = Self.tiny()
        let data = syntheticMNIST(train: 256, test: 100)
        let a = Self.directory(), b = Self.directory()
        defer { try? FileManager.default.removeItem(at: a); try? FileManager.default.removeItem(at: b) }
        let reference = try MNISTStudy.run(c, data: data, dataDirectory: "synthetic", directory: a, options: RunOptions(quiet: true))
        var options = RunOptions(quiet: true)
        let stop = StopAfter(40)  // inside the fourth sweep run
        options.shouldContinue = { stop.next() }
        #expect(throws: MNISTStudy.Interrupted.self) { try MNISTStudy.run(c, data: data, dataDirectory: "synthetic", directory: b, options: options) }
        let resumed = try MNISTStudy.run(c, data: data, dataDirectory: "synthetic", directory: b, options: RunOptions(quiet: true))
        func scrub(_ r: MNISTResult) -> [MNISTRun] { r.runs.map { var x = $0; x.seconds = 0; x.record.trainingSeconds = 0; return x } }
        #expect(scrub(resumed) == scrub(reference))
    }

    @Test func invalidConfigurationsAreRejected() {
        let data = syntheticMNIST(train: 100, test: 10)
        func rejects(_ change: (inout MNISTConfiguration) -> Void, _ fragment: String) {
            var c = Self.tiny()
            change(&c)
            #expect { try MNISTStudy.run(c, data: data, dataDirectory: "", directory: Self.directory(), options: RunOptions(quiet: true)) } throws: {
                "\($0)".contains(fragment)
            }
        }
        rejects({ $0.batchSizes = [16, 500] }, "batch sizes")
        rejects({ $0.largeBatch = 8 }, "anchor batch sizes")
        rejects({ $0.momenta = [1] }, "momenta")
        rejects({ $0.learningRate = -1 }, "learning rate")
        rejects({ $0.iterations = 0 }, "counts")
        rejects({ $0.trainSubset = 50 }, "training subset")
        rejects({ $0.sharpnessSteps = 1 }, "sharpness")
        rejects({ $0.scheduleSwitch = 6 }, "schedule switch")
    }
}
