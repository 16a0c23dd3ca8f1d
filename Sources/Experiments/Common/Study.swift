import Ensembles
import Foundation
import Persistence
import Report

/// What every study's configuration offers the shared machinery: the problem it names, and
/// the checks a command line gets (so a merged partial is held to them too).
public protocol StudyConfiguration: Codable & Sendable & Equatable {
    func validate() throws
}

/// The configuration of a study on a built-in landscape, named by a `ProblemSpec`.
public protocol CataloguedConfiguration: StudyConfiguration {
    var problem: ProblemSpec { get }
}

/// One study of the paper, in the shape every study shares:
///
///     configuration → tasks (ensembles of paths) → exact tallies → result (theory beside
///     measurement, verdicts) → artifacts (result.json, CSV, SVG)
///
/// Written once against this shape: `--shard i/n` partials and their merge (`Studies.merge`),
/// checkpoints (each task's tallies, keyed by the configuration's fingerprint) and the CLI.
/// Each study also has a generic entry point `run(problem:…)` that takes any
/// `StochasticGradientProblem`, so the user's own problem goes through it without a registry.
// SendableMetatype: `Studies.shardable` is a global list of study types, read from any thread.
public protocol Study: SendableMetatype {
    associatedtype Configuration: StudyConfiguration
    associatedtype Result: Codable & Sendable
    /// The folder name under `--out` and the `experiment` of its partial results.
    static var experiment: String { get }
    /// Runs the study on the built-in problem its configuration names.
    static func run(_ configuration: Configuration, options: RunOptions) throws -> StudyOutcome<Result>
    /// The result an unsharded run gives, from the merged tallies of all shards.
    static func finalizeMerged(_ configuration: Configuration, tasks: [String: TaskProgress], threads: Int) throws -> Result
    /// result.json, CSV tables and SVG figures.
    @discardableResult static func write(_ result: Result, to directory: URL) throws -> [URL]
    /// Why the run must end with a non-zero exit status although its files were written
    /// (paths diverged, say); nil when it need not.
    static func failure(_ result: Result) -> (any Error)?
    /// What the user must hear about a result that is not a failure (shown even with --quiet).
    static func warnings(_ result: Result) -> [String]
}

extension Study {
    public static func failure(_ result: Result) -> (any Error)? { nil }
    public static func warnings(_ result: Result) -> [String] { [] }
}

/// The studies that can be sharded, by experiment name.
public enum Studies {
    public static let shardable: [any Study.Type] = [WeakErrorStudy.self, SideBySide.self, EscapeSaddle.self, EscapeMinimum.self, LearningWeakErrorStudy.self, LearningSideBySide.self]

    /// What `merge` produced.
    public struct Merged {
        public var experiment: String
        public var result: any Codable & Sendable
        public var files: [URL]
        public var failure: (any Error)?
        public var warnings: [String]
    }

    /// Why partial results could not be merged, beyond what `PartialResult.merge` checks.
    public enum MergeError: Error, CustomStringConvertible {
        case unknownExperiment(String)
        /// The configuration a partial carries does not decode (`underlying` says where).
        case malformedConfiguration(any Error)
        case fingerprintMismatch

        public var description: String {
            switch self {
            case .unknownExperiment(let name): return "partial results of experiment '\(name)' cannot be merged by this version"
            case .malformedConfiguration(let error): return "the partial results hold a malformed configuration: \(error)"
            case .fingerprintMismatch:
                return "the partial results' configuration does not match their fingerprint (the files were changed after they were written)"
            }
        }
    }

    /// Combines the partial results of one sharded run into exactly the unsharded result, and
    /// writes its artifacts to `output/<experiment>/`.
    public static func merge(_ partials: [PartialResult], output: URL, threads: Int) throws -> Merged {
        let (experiment, configuration, tasks) = try PartialResult.merge(partials)
        guard let study = shardable.first(where: { $0.experiment == experiment }) else { throw Studies.MergeError.unknownExperiment(experiment) }
        return try merge(study, configuration: configuration, fingerprint: partials[0].fingerprint, tasks: tasks,
                         output: output.appendingPathComponent(experiment), threads: threads)
    }

    /// The configuration is decoded, matched against its fingerprint and validated like a
    /// command line, so a damaged file fails here and not deep in a study.
    static func merge<S: Study>(_ study: S.Type, configuration json: String, fingerprint print: String, tasks: [String: TaskProgress],
                                output: URL, threads: Int) throws -> Merged {
        let configuration: S.Configuration
        do { configuration = try JSONOutput.decoder().decode(S.Configuration.self, from: Data(json.utf8)) } catch {
            throw MergeError.malformedConfiguration(error)
        }
        guard (try? fingerprint(configuration)) == print else { throw MergeError.fingerprintMismatch }
        try configuration.validate()
        let result = try S.finalizeMerged(configuration, tasks: tasks, threads: threads)
        let files = try S.write(result, to: output)
        return Merged(experiment: S.experiment, result: result, files: files, failure: S.failure(result), warnings: S.warnings(result))
    }
}

extension WeakErrorConfiguration: CataloguedConfiguration {}
extension SideBySideConfiguration: CataloguedConfiguration {}
extension EscapeSaddleConfiguration: CataloguedConfiguration {}
extension EscapeMinimumConfiguration: CataloguedConfiguration {}

extension WeakErrorStudy: Study {
    public static func finalizeMerged(_ configuration: WeakErrorConfiguration, tasks: [String: TaskProgress], threads: Int) throws -> WeakErrorResult {
        finalize(configuration, tasks: tasks, threads: threads, wallSeconds: 0)
    }
    @discardableResult public static func write(_ result: WeakErrorResult, to directory: URL) throws -> [URL] { try WeakErrorArtifacts.write(result, to: directory) }
    public static func failure(_ result: WeakErrorResult) -> (any Error)? { divergenceError(result) }
}

extension SideBySide: Study {
    public static func finalizeMerged(_ configuration: SideBySideConfiguration, tasks: [String: TaskProgress], threads: Int) throws -> SideBySideResult {
        finalize(configuration, tasks: tasks, threads: threads, wallSeconds: 0)
    }
    public static func failure(_ result: SideBySideResult) -> (any Error)? { divergenceError(result) }
    public static func warnings(_ result: SideBySideResult) -> [String] { divergenceWarning(result).map { [$0] } ?? [] }
}

extension EscapeSaddle: Study {
    public static func finalizeMerged(_ configuration: EscapeSaddleConfiguration, tasks: [String: TaskProgress], threads: Int) throws -> EscapeSaddleResult {
        try finalizeMerged(configuration, tasks: tasks)
    }
    @discardableResult public static func write(_ result: EscapeSaddleResult, to directory: URL) throws -> [URL] { try EscapeArtifacts.write(result, to: directory) }
}

extension EscapeMinimum: Study {
    @discardableResult public static func write(_ result: EscapeMinimumResult, to directory: URL) throws -> [URL] { try EscapeArtifacts.write(result, to: directory) }
}

extension WeakErrorStudy: CataloguedStudy {}
extension SideBySide: CataloguedStudy {}
extension EscapeSaddle: CataloguedStudy {}
extension EscapeMinimum: CataloguedStudy {}

extension LearningWeakErrorConfiguration: StudyConfiguration {}

extension LearningWeakErrorStudy: Study {
    public static func run(_ configuration: LearningWeakErrorConfiguration, options: RunOptions) throws -> Outcome {
        try run(configuration, options: options, mnist: MNISTSource(download: false))
    }
    /// The problem is rebuilt from its description (the data file, the generator, MNIST) to
    /// report its sizes beside the merged tallies.
    public static func finalizeMerged(_ configuration: LearningWeakErrorConfiguration, tasks: [String: TaskProgress], threads: Int) throws
        -> LearningWeakErrorResult {
        finalize(configuration, problem: try configuration.problem.build(), tasks: tasks, threads: threads, wallSeconds: 0)
    }
    @discardableResult public static func write(_ result: LearningWeakErrorResult, to directory: URL) throws -> [URL] {
        try LearningWeakErrorArtifacts.write(result, to: directory)
    }
    public static func failure(_ result: LearningWeakErrorResult) -> (any Error)? { divergenceError(result) }
}



extension LearningSideBySide: Study {
    public static func run(_ configuration: LearningSideBySideConfiguration, options: RunOptions) throws -> StudyOutcome<LearningSideBySideResult> {
        try run(configuration, options: options, mnist: MNISTSource(download: false))
    }
    public static func finalizeMerged(_ configuration: LearningSideBySideConfiguration, tasks: [String: TaskProgress], threads: Int) throws
        -> LearningSideBySideResult {
        guard let tally = tasks["simulate"]?.tally else { throw Studies.MergeError.unknownExperiment(experiment) }
        return finalize(configuration, problem: try configuration.problem.build(), tally: tally, threads: threads, wallSeconds: 0)
    }
    public static func failure(_ result: LearningSideBySideResult) -> (any Error)? { divergenceError(result) }
}
