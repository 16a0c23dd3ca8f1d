/// A problem with a data set, printed as one line a user can act on:
/// `data/train.csv: line 17, column 3 (x2): "abc" is not a number`.
///
/// `line` and `column` are 1-based positions in a text file (what an editor shows); array files have
/// neither and name the element in numpy notation in `message` instead (`data.npz: X[16, 2] is NaN`).
public struct DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    public let line: Int?
    public let column: Int?
    /// The column's header name (CSV) or feature name, when the problem is in one column.
    public let columnName: String?
    public let message: String

    public init(file: String, line: Int? = nil, column: Int? = nil, columnName: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.columnName = columnName
        self.message = message
    }

    public var description: String {
        var text = file
        if let line {
            text += ": line \(line)"
            if let column { text += ", column \(column)" }
        } else if let column {
            text += ": column \(column)"
        }
        if let columnName { text += " (\(columnName))" }
        return text + ": " + message
    }
}

/// Names in a message, quoted and comma-separated: `"a", "b", "c"`.
func quotedList(_ names: [String], limit: Int = 40) -> String {
    let shown = names.prefix(limit).map { "\"\($0)\"" }.joined(separator: ", ")
    return names.count > limit ? shown + ", … (\(names.count) in all)" : shown
}
