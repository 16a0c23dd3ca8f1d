/// Where each row of a `Dataset` came from, kept compact (one integer per row) so a 60 000-row set does
/// not carry 60 000 strings, and turned into text only when a message needs it.
enum RowLocator: Sendable, Equatable {
    /// A text file: the 1-based line each row started on, and the 1-based columns of label and features.
    case text(lines: [Int], labelColumn: Int, featureColumns: [Int])
    /// An array file: `"\(prefix)\(r)\(suffix)"` names row r, e.g. `y[16]` or `row 16`; `rows` nil = 0..<M.
    case array(prefix: String, suffix: String, rows: [Int]?)
    /// Locations given by the caller.
    case explicit([String])

    func rows(_ indices: [Int]) -> RowLocator {
        switch self {
        case let .text(lines, labelColumn, featureColumns):
            return .text(lines: indices.map { lines[$0] }, labelColumn: labelColumn, featureColumns: featureColumns)
        case let .array(prefix, suffix, rows):
            return .array(prefix: prefix, suffix: suffix, rows: rows.map { r in indices.map { r[$0] } } ?? indices)
        case let .explicit(names):
            return .explicit(indices.map { names[$0] })
        }
    }

    /// The row's place without the file name: `line 17`, `y[16]`, `row 16`.
    func place(ofRow i: Int) -> String {
        switch self {
        case let .text(lines, _, _): return "line \(lines[i])"
        case let .array(prefix, suffix, rows): return "\(prefix)\(rows?[i] ?? i)\(suffix)"
        case let .explicit(names): return names[i]
        }
    }

    /// An error about row i, in the label (`feature == nil`) or in feature `feature`.
    func error(source: String, row i: Int, feature: Int?, columnName: String, message: String) -> DatasetError {
        switch self {
        case let .text(lines, labelColumn, featureColumns):
            return DatasetError(file: source, line: lines[i], column: feature.map { featureColumns[$0] } ?? labelColumn,
                                columnName: columnName, message: message)
        case .array, .explicit:
            return DatasetError(file: source, columnName: columnName, message: "\(place(ofRow: i)): \(message)")
        }
    }
}
