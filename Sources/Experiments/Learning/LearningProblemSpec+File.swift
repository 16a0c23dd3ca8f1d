import Datasets
import FiniteSums

extension LearningProblemSpec {
    /// The user's file, split into a training and (when `testFraction` > 0) a test part by a
    /// seeded permutation; a label that does not suit the model is reported at its file line.
    func loadFile(path: String, label: String?, testFraction: Double, seed: UInt64) throws -> (TrainingSet, TrainingSet?) {
        let all = try DatasetFile.load(path: path, label: label)
        try checkTargets(all)
        guard all.rowCount >= 2 else { throw Failure.invalid("\(path): a finite sum needs at least 2 rows, the file has \(all.rowCount)") }
        if testFraction > 0 {
            let (train, test) = try all.split(testFraction: testFraction, seed: seed)
            return (try trainingSet(train), try trainingSet(test))
        }
        return (try trainingSet(all), nil)
    }

    func trainingSet(_ d: Dataset) throws -> TrainingSet {
        try TrainingSet(features: d.features, count: d.rowCount, featureCount: d.featureCount, targets: d.labels, source: d.source)
    }

    /// The model's label rules, with the file position of the first row that breaks them.
    func checkTargets(_ d: Dataset) throws {
        let outputs = model == .softmax ? (classes ?? Int((d.labels.max() ?? 0) + 1)) : 1
        let probe = LinearModel(loss: model, featureCount: 1, classCount: max(outputs, 2))
        if let bad = probe.firstInvalidTarget(d.labels) { throw d.labelError(row: bad.row, bad.reason) }
    }
}
