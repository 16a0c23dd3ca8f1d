import FiniteSums
import Foundation
import NeuralNets
import Problems
import Randomness

/// A learning problem named by its data and model, so that a configuration (and its JSON) says
/// exactly which finite sum F(x) = (1/M) Σ f_i(x) + (λ/2)|x|² a study ran on.
public struct LearningProblemSpec: Codable, Equatable, Sendable {
    public enum Source: Codable, Equatable, Sendable {
        /// Seeded synthetic data (see `SyntheticData`); `testSamples` held-out samples of the same law.
        case synthetic(samples: Int, features: Int, testSamples: Int, seed: UInt64)
        /// The user's file (CSV, .npy, .npz) and its label column; `testFraction` of the rows held out.
        case file(path: String, label: String?, testFraction: Double, splitSeed: UInt64)
        /// The first `trainSubset` MNIST training images of `digits` (two digits: logistic
        /// regression of the second against the first; more: softmax), the test images of them;
        /// normalised pixels scaled by 1/28.
        case mnist(directory: String?, digits: [Int], trainSubset: Int)
    }

    public var source: Source
    public var model: LinearModel.Loss
    /// Outputs of a softmax model; nil: the number of classes in the data.
    public var classes: Int?
    /// The batch size m, or with `schedule` its smallest value.
    public var batch: Int
    /// m(s) when the batch size changes along the run; nil (and left out of the JSON, so that
    /// earlier configurations keep their fingerprints) for a constant `batch`.
    public var schedule: LearningBatchSchedule?
    public var l2: Double
    public var intercept: Bool
    /// Centre and scale each feature by the training set's statistics (test set with the same).
    public var standardize: Bool
    /// Hidden layer widths of an MLP whose output loss is `model`; nil: the linear model. The
    /// three MLP fields are nil for a linear model, so its configuration JSON has none of them.
    public var hidden: [Int]?
    /// The MLP's activation (nil with `hidden`: tanh).
    public var activation: MLPModel.Activation?
    /// How the MLP's x₀ is drawn (`MLPModel.initialParameters`); a linear model starts at 0.
    public var initialization: MLPModel.Initialization?

    /// With `hidden` and no `initialization`, x₀ is the Glorot draw of seed 0 (recorded).
    public init(source: Source, model: LinearModel.Loss, classes: Int? = nil, batch: Int, l2: Double = 0, intercept: Bool = true,
                standardize: Bool = false, hidden: [Int]? = nil, activation: MLPModel.Activation? = nil,
                initialization: MLPModel.Initialization? = nil) {
        (self.source, self.model, self.classes, self.batch, self.l2, self.intercept, self.standardize) =
            (source, model, classes, batch, l2, intercept, standardize)
        (self.hidden, self.activation) = (hidden, hidden == nil ? activation : activation ?? .tanh)
        self.initialization = hidden == nil ? initialization : initialization ?? .init(seed: 0)
    }

    /// "logistic", or "MLP 8×4 tanh, logistic output".
    public var modelName: String {
        guard let hidden else { return model.rawValue }
        return "MLP \(hidden.map(String.init).joined(separator: "×")) \((activation ?? .tanh).rawValue), \(model.rawValue) output"
    }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case invalid(String)
        public var description: String {
            switch self { case .invalid(let why): return why }
        }
    }

    /// One line for tables: "logistic regression, synthetic M = 1000, d = 101, m = 32".
    public var summary: String { summaryWithoutBatch(", batch m = \(schedule.map { "\($0)" } ?? "\(batch)")") }

    /// The same without the batch size, for the studies that vary it.
    public var summaryWithoutBatch: String { summaryWithoutBatch("") }

    func summaryWithoutBatch(_ batchPart: String) -> String {
        let data: String
        switch source {
        case .synthetic(let n, let p, _, let seed): data = "synthetic data (M = \(n), p = \(p), seed \(seed))"
        case .file(let path, _, _, _): data = "\((path as NSString).lastPathComponent)"
        case .mnist(_, let digits, let n): data = "MNIST digits \(digits.map(String.init).joined(separator: "/")) (first \(n) training images)"
        }
        return "\(modelName) on \(data)" + batchPart + (l2 > 0 ? ", λ = \(l2)" : "")
    }

    /// The problem with its training and test sets; its x₀ is `initialPoint(of:)`.
    public func build(mnist: MNISTSource = MNISTSource(download: false)) throws -> FiniteSumProblem<LearningModel> {
        if hidden == nil, activation != nil { throw Failure.invalid("an activation applies only to an MLP (give hidden layer widths)") }
        if let hidden { _ = try mlp(featureCount: 1, hidden: hidden, classCount: 2) }
        var (train, test) = try loadSets(mnist: mnist)
        if standardize {
            let s = FeatureScaling(train)
            train = s.apply(train)
            test = test.map(s.apply)
        }
        if intercept {
            train = train.withIntercept()
            test = test?.withIntercept()
        }
        let classCount: Int
        if model == .softmax {
            let seen = Int(train.targets.max() ?? 0) + 1
            classCount = classes ?? max(seen, 2)
        } else {
            classCount = 1
        }
        guard batch >= 1, batch <= train.count else {
            throw Failure.invalid("batch size \(batch) must lie in 1…M = \(train.count) (the training set's size)")
        }
        if let schedule {
            // every size the schedule can give, at any η (the log rule's m* bounds it)
            for m in [schedule.smallest, schedule.largest] where m > train.count {
                throw Failure.invalid("--batch-schedule: batch size \(m) exceeds the training set's size M = \(train.count)")
            }
        }
        let model: LearningModel
        if let hidden {
            model = .mlp(try mlp(featureCount: train.featureCount, hidden: hidden, classCount: max(classCount, 2)))
        } else {
            model = .linear(LinearModel(loss: self.model, featureCount: train.featureCount, classCount: max(classCount, 2)))
        }
        return try FiniteSumProblem(model: model, data: train, test: test, l2: l2, batchSchedule: .constant(batch))
    }

    func mlp(featureCount: Int, hidden: [Int], classCount: Int) throws -> MLPModel {
        do {
            return try MLPModel(loss: model, featureCount: featureCount, hidden: hidden, activation: activation ?? .tanh, classCount: classCount)
        } catch let f as MLPModel.Failure { throw Failure.invalid(f.description) }
    }

    /// x₀ of the studies: 0 for a linear model, the recorded Glorot draw for an MLP.
    public func initialPoint(of problem: FiniteSumProblem<LearningModel>) -> [Double] {
        problem.model.defaultInitialPoint(initialization)
    }

    func loadSets(mnist: MNISTSource) throws -> (TrainingSet, TrainingSet?) {
        switch source {
        case .synthetic(let n, let p, let nTest, let seed):
            guard n >= 2, p >= 1, nTest >= 0 else { throw Failure.invalid("synthetic data needs at least 2 samples and 1 feature") }
            guard n.multipliedReportingOverflow(by: p).partialValue <= 1 << 28, !n.multipliedReportingOverflow(by: p).overflow else {
                throw Failure.invalid("synthetic data of \(n) × \(p) values is too large (limit 2^28)")
            }
            let generator = SyntheticData(kind: model, features: p, classes: classes ?? 3, seed: seed)
            return (try generator.samples(n, stream: 0), nTest > 0 ? try generator.samples(nTest, stream: 1) : nil)
        case .file(let path, let label, let fraction, let seed):
            return try loadFile(path: path, label: label, testFraction: fraction, seed: seed)
        case .mnist(let directory, let digits, let subset):
            var source = mnist
            if let directory { source.explicitDirectory = directory }
            return try loadMNIST(source, digits: digits, trainSubset: subset)
        }
    }

    func loadMNIST(_ source: MNISTSource, digits: [Int], trainSubset: Int) throws -> (TrainingSet, TrainingSet?) {
        guard digits.count >= 2, Set(digits).count == digits.count, digits.allSatisfy({ (0...9).contains($0) }) else {
            throw Failure.invalid("--digits needs at least two different digits 0…9, got \(digits)")
        }
        guard trainSubset >= 2 else { throw Failure.invalid("--train-subset must be at least 2, got \(trainSubset)") }
        guard case .available(let data, _) = try source.resolve(trainExamples: trainSubset, log: { _ in }) else {
            throw Failure.invalid("MNIST is not available here: " + MNISTSource.fix)
        }
        let classOf = Dictionary(uniqueKeysWithValues: digits.enumerated().map { (Int($0.element), $0.offset) })
        func pick(_ images: [Float], _ labels: [UInt8], limit: Int) throws -> TrainingSet {
            var f: [Double] = [], y: [Double] = []
            for i in 0..<min(limit, labels.count) {
                guard let c = classOf[Int(labels[i])] else { continue }
                // 1/√784: a unit-size image norm keeps ∇²F of order one (the logistic Hessian is
                // ≈ ¼ E[a aᵀ], whose top eigenvalue for raw normalised pixels is in the hundreds)
                f.append(contentsOf: images[(i * MNIST.pixels)..<((i + 1) * MNIST.pixels)].map { Double($0) / 28 })
                y.append(Double(c))
            }
            return try TrainingSet(features: f, count: y.count, featureCount: MNIST.pixels, targets: y,
                                   source: "MNIST digits \(digits.map(String.init).joined(separator: ","))")
        }
        return (try pick(data.trainImages, data.trainLabels, limit: trainSubset), try pick(data.testImages, data.testLabels, limit: data.testCount))
    }
}

/// Per-feature centring and scaling by a training set's mean and standard deviation; a constant
/// feature is only centred.
struct FeatureScaling {
    var mean: [Double], scale: [Double]

    init(_ set: TrainingSet) {
        let p = set.featureCount, n = Double(set.count)
        mean = [Double](repeating: 0, count: p)
        var square = [Double](repeating: 0, count: p)
        for i in 0..<set.count { for j in 0..<p { mean[j] += set.features[i * p + j] / n } }
        for i in 0..<set.count { for j in 0..<p { let c = set.features[i * p + j] - mean[j]; square[j] += c * c / n } }
        scale = square.map { $0 > 1e-24 ? 1 / $0.squareRoot() : 1 }
    }

    func apply(_ set: TrainingSet) -> TrainingSet {
        let p = set.featureCount
        var f = set.features
        for i in 0..<set.count { for j in 0..<p { f[i * p + j] = (f[i * p + j] - mean[j]) * scale[j] } }
        return (try? TrainingSet(features: f, count: set.count, featureCount: p, targets: set.targets, source: set.source)) ?? set
    }
}
