import Testing

/// Expects `body` to throw an error whose text contains `fragment` and is a single line (the
/// project's promise for every bad input).
public func expectOneLineError(_ fragment: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected an error containing '\(fragment)'", sourceLocation: sourceLocation)
    } catch {
        let text = "\(error)"
        #expect(text.contains(fragment), "\(text)", sourceLocation: sourceLocation)
        #expect(!text.contains("\n"), sourceLocation: sourceLocation)
    }
}
