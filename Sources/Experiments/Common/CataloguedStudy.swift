import Problems

/// A study whose generic entry point also serves the built-in problems: `runBuiltin` builds the
/// problem the configuration names and hands it to `run(problem:initial:configuration:options:)`.
///
/// The hand-over is a visitor generic over the study type, never a closure or an existential:
/// the whole chain then stays specialised for each built-in problem (a visitor through an
/// existential was measured 30× slower on the weak-error study).
protocol CataloguedStudy: Study where Configuration: CataloguedConfiguration {
    static func run<P: StochasticGradientProblem>(problem: P, initial: P.State, configuration: Configuration,
                                                  options: RunOptions) throws -> StudyOutcome<Result>
}

extension CataloguedStudy {
    static func runBuiltin(_ configuration: Configuration, options: RunOptions) throws -> StudyOutcome<Result> {
        try configuration.problem.accept(StudyEntry<Self>(configuration: configuration, options: options))
    }
}

struct StudyEntry<S: CataloguedStudy>: ProblemVisitor {
    typealias Output = StudyOutcome<S.Result>
    let configuration: S.Configuration
    let options: RunOptions

    func visit<P: StochasticGradientProblem>(_ problem: P, initial: P.State) throws -> StudyOutcome<S.Result> {
        try S.run(problem: problem, initial: initial, configuration: configuration, options: options)
    }
}
