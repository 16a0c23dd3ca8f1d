import ArgumentParser
import Foundation
import SGDDiffusion

extension LinearModel.Loss: ExpressibleByArgument {}
extension MLPModel.Activation: ExpressibleByArgument {}

/// A learning problem from data: with `--model`, `weak-error` runs Theorem 1 on the finite sum
/// F(x) = (1/M) Σ f_i(x) + (λ/2)|x|² instead of a built-in landscape.
struct LearningOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A learning problem instead of a built-in landscape: the model of a finite sum over data (any dimension); with --hidden, the MLP's output loss.",
                               valueName: LinearModel.Loss.allCases.map(\.rawValue).joined(separator: "|")))
    var model: LinearModel.Loss?

    @Option(help: ArgumentHelp("Data file for --model: CSV/TSV with a header row, .npy or .npz (README: Your data).", valueName: "FILE"))
    var data: String?

    @Option(help: ArgumentHelp("Label column: a CSV header name; for .npy a column index or 'last'; for .npz the array name (default y).",
                               valueName: "NAME"))
    var label: String?

    @Option(parsing: .unconditional, help: ArgumentHelp("Seeded synthetic data instead of a file: M samples, p features.", valueName: "M,p"))
    var synthetic: NumberList?

    @Option(name: .customLong("synthetic-test"), parsing: .unconditional, help: "Held-out synthetic samples (test loss).")
    var syntheticTest: Int = 1000

    @Option(parsing: .unconditional, help: ArgumentHelp("MNIST instead of a file: two digits (logistic) or more (softmax).", valueName: "d1,d2,..."))
    var digits: NumberList?

    @Option(name: .customLong("train-subset"), parsing: .unconditional, help: "MNIST training images used (the first N of the training set).")
    var trainSubset: Int = 2048

    @Option(name: .customLong("mnist-dir"), help: "Folder with the four MNIST files (default: the usual places, then the shipped subset).")
    var mnistDir: String?

    @Option(parsing: .unconditional, help: "Mini-batch size m (1…M), drawn without replacement.")
    var batch: Int = 32

    @Option(name: .customLong("batch-schedule"), help: ArgumentHelp(
        "A batch size that changes with the SDE's time s = kη (weak-error and simulate; replaces --batch): sizes, each after the first with the time it starts at, or the paper's min(C log(s+2)/η, m*).",
        valueName: "m0,m1@s1,… | log:C,m*[,min]"))
    var batchSchedule: String?

    @Option(parsing: .unconditional, help: "L2 regularisation λ: F gains (λ/2)|x|².")
    var l2: Double = 0

    @Option(parsing: .unconditional, help: "Outputs of a softmax model (default: the number of classes in the data).")
    var classes: Int?

    @Option(name: .customLong("test-fraction"), parsing: .unconditional, help: "Fraction of a data file's rows held out for the test loss.")
    var testFraction: Double = 0.2

    @Flag(name: .customLong("no-intercept"), help: "No constant feature (by default one is appended: a linear model's intercept, an MLP's first-layer bias).")
    var noIntercept = false

    @Flag(help: "Centre and scale every feature by the training set's mean and standard deviation.")
    var standardize = false

    @Option(parsing: .unconditional, help: ArgumentHelp("An MLP instead of the linear model: one or two hidden layer widths; --model is its output loss.",
                                                        valueName: "W[,W2]"))
    var hidden: NumberList?

    @Option(help: ArgumentHelp("The MLP's hidden activation (needs --hidden; default tanh).",
                               valueName: MLPModel.Activation.allCases.map(\.rawValue).joined(separator: "|")))
    var activation: MLPModel.Activation?

    var isSelected: Bool { model != nil }

    /// nil when no learning problem was asked for; options that belong to one without `--model`
    /// are an error rather than silently ignored.
    /// - Parameter schedules: whether the study takes `--batch-schedule` (the block-engine studies
    ///   do; the escape and §5 studies fix or vary m themselves).
    func spec(seed: UInt64, schedules: Bool = false) throws -> LearningProblemSpec? {
        if batchSchedule != nil {
            guard schedules else { throw ValidationError("--batch-schedule applies to weak-error and simulate; this study takes a constant --batch") }
            guard model != nil else { throw ValidationError("--batch-schedule needs --model (a learning problem)") }
        }
        guard let model else {
            if data != nil || synthetic != nil || digits != nil { throw ValidationError("--data, --synthetic and --digits need --model (\(LinearModel.Loss.allCases.map(\.rawValue).joined(separator: ", ")))") }
            if hidden != nil || activation != nil { throw ValidationError("--hidden and --activation need --model (the MLP's output loss: \(LinearModel.Loss.allCases.map(\.rawValue).joined(separator: ", ")))") }
            return nil
        }
        if activation != nil, hidden == nil { throw ValidationError("--activation needs --hidden (the MLP's hidden layer widths)") }
        if let hidden {
            guard (1...2).contains(hidden.values.count) else {
                throw ValidationError("--hidden takes one or two widths W[,W2] (an MLP of one or two hidden layers), got \(hidden.values.count)")
            }
            for w in hidden.values where !(w == w.rounded() && (1...Double(MLPModel.maximumWidth)).contains(w)) {
                throw ValidationError("--hidden widths must be whole numbers in 1…\(MLPModel.maximumWidth), got \(String(format: "%g", w))")
            }
        }
        let sources = [data != nil, synthetic != nil, digits != nil].filter { $0 }.count
        guard sources <= 1 else { throw ValidationError("give one data source: --data FILE, --synthetic M,p or --digits d1,d2") }
        guard (1...1 << 24).contains(batch) else { throw ValidationError("--batch must be a whole number in 1…M, got \(batch)") }
        guard l2 >= 0, l2.isFinite else { throw ValidationError("--l2 must be non-negative, got \(l2)") }
        if let classes, !(2...100_000).contains(classes) { throw ValidationError("--classes must lie in 2…100000, got \(classes)") }
        guard testFraction >= 0, testFraction < 1 else { throw ValidationError("--test-fraction must lie in [0, 1), got \(testFraction)") }
        let source: LearningProblemSpec.Source
        if let data {
            source = .file(path: data, label: label, testFraction: testFraction, splitSeed: seed)
        } else if let digits {
            guard digits.values.allSatisfy({ $0 == $0.rounded() && (0...9).contains($0) }) else {
                throw ValidationError("--digits takes whole digits 0…9, got \(digits.defaultValueDescription)")
            }
            guard trainSubset >= 2, trainSubset <= 60_000 else { throw ValidationError("--train-subset must lie in 2…60000, got \(trainSubset)") }
            source = .mnist(directory: mnistDir, digits: digits.values.map { Int($0) }, trainSubset: trainSubset)
        } else {
            let mp = synthetic?.values ?? [1000, 100]
            guard mp.count == 2, mp.allSatisfy({ $0 == $0.rounded() && $0 >= 1 && $0 <= 1e8 }), mp[0] >= 2 else {
                throw ValidationError("--synthetic takes two whole numbers M,p (M ≥ 2 samples, p ≥ 1 features)")
            }
            guard (0...10_000_000).contains(syntheticTest) else { throw ValidationError("--synthetic-test must lie in 0…10⁷, got \(syntheticTest)") }
            source = .synthetic(samples: Int(mp[0]), features: Int(mp[1]), testSamples: syntheticTest, seed: seed)
        }
        let schedule: LearningBatchSchedule?
        do { schedule = try batchSchedule.map(LearningBatchSchedule.init(parsing:)) } catch { throw ValidationError("\(error)") }
        // an MLP's x₀ is the Glorot draw of the run's seed (recorded in the configuration)
        var spec = LearningProblemSpec(source: source, model: model, classes: classes, batch: schedule?.smallest ?? batch, l2: l2,
                                       intercept: !noIntercept, standardize: standardize, hidden: hidden.map { $0.values.map { Int($0) } },
                                       activation: activation, initialization: hidden == nil ? nil : MLPModel.Initialization(seed: seed))
        spec.schedule = schedule
        return spec
    }
}
