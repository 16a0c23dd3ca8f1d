import Foundation

/// `String(format:)` for summary tables. Foundation on Linux ignores the field width of `%@`
/// (`%-10@` prints its argument unpadded), so tables built from string columns lose their
/// alignment there. This pads every `%N@` / `%-N@` argument itself and hands the rest to
/// `String(format:)` unchanged, so numeric conversions keep their C semantics exactly.
public func tableLine(_ format: String, _ arguments: CVarArg...) -> String {
    var rewritten = ""
    var rewrittenArguments: [CVarArg] = []
    var argumentIndex = 0
    var scanner = format.makeIterator()
    while let character = scanner.next() {
        guard character == "%" else { rewritten.append(character); continue }
        var specifier = "%"
        var conversion: Character?
        while let next = scanner.next() {
            specifier.append(next)
            if next.isLetter || next == "@" || next == "%" {
                // Length modifiers are letters too; keep reading through them.
                if "hlqLzjt".contains(next) { continue }
                conversion = next
                break
            }
        }
        guard let conversion else { rewritten += specifier; break }
        if conversion == "%" { rewritten += specifier; continue }
        precondition(argumentIndex < arguments.count, "tableLine: fewer arguments than conversions in \(format)")
        let argument = arguments[argumentIndex]
        argumentIndex += 1
        if conversion == "@" {
            let flags = specifier.dropFirst().dropLast()
            let leftAligned = flags.contains("-")
            let width = Int(flags.filter(\.isNumber)) ?? 0
            let text = "\(argument)"
            let padding = String(repeating: " ", count: max(0, width - text.count))
            rewritten += "%@"
            rewrittenArguments.append(leftAligned ? text + padding : padding + text)
        } else {
            rewritten += specifier
            rewrittenArguments.append(argument)
        }
    }
    return String(format: rewritten, arguments: rewrittenArguments)
}
