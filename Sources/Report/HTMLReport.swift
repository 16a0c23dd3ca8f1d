import Foundation

/// A self-contained HTML report: sections of prose, tables, inline SVG figures and verdicts.
public struct HTMLReport: Sendable {
    public struct Table: Sendable {
        public var caption: String
        public var header: [String]
        public var rows: [[String]]
        public init(caption: String, header: [String], rows: [[String]]) {
            self.caption = caption
            self.header = header
            self.rows = rows
        }
    }

    public enum Block: Sendable {
        /// A paragraph; may contain inline HTML (the caller escapes user text).
        case paragraph(String)
        case table(Table)
        case figure(svg: String, caption: String)
        case verdict(label: String, outcome: String, detail: String)
        case preformatted(String)
    }

    public struct Section: Sendable {
        public var title: String
        public var blocks: [Block]
        public init(title: String, blocks: [Block]) {
            self.title = title
            self.blocks = blocks
        }
    }

    public var title: String
    public var subtitle: String
    public var sections: [Section] = []

    public init(title: String, subtitle: String) {
        self.title = title
        self.subtitle = subtitle
    }

    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    public var html: String {
        var out = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
        <style>
        body { font-family: Helvetica, Arial, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
        h1 { margin-bottom: 0.2em; } .subtitle { color: #666; margin-top: 0; }
        h2 { border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 2em; }
        table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
        th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
        th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
        caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.3em; }
        figure { margin: 1em 0; } figcaption { color: #555; font-size: 0.9em; }
        .verdict { padding: 0.5em 0.8em; border-radius: 4px; margin: 0.5em 0; }
        .pass { background: #e6f4ea; border-left: 5px solid #2ca02c; }
        .inconclusive { background: #fff6e0; border-left: 5px solid #ff9f0e; }
        .fail { background: #fde8e8; border-left: 5px solid #d62728; }
        .not-run { background: #eeeeee; border-left: 5px solid #777; }
        pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; font-size: 0.85em; }
        </style></head><body>
        <h1>\(Self.escape(title))</h1><p class="subtitle">\(Self.escape(subtitle))</p>

        """
        out += "<nav><ul>" + sections.enumerated().map { "<li><a href=\"#s\($0.offset)\">\(Self.escape($0.element.title))</a></li>" }.joined() + "</ul></nav>\n"
        var ids = ElementIDs(reserved: Set(sections.indices.map { "s\($0)" }))
        for (i, section) in sections.enumerated() {
            out += "<section id=\"s\(i)\"><h2>\(Self.escape(section.title))</h2>\n"
            for block in section.blocks {
                switch block {
                case .paragraph(let text):
                    out += "<p>\(text)</p>\n"
                case .table(let t):
                    out += "<table><caption>\(Self.escape(t.caption))</caption><tr>" + t.header.map { "<th>\(Self.escape($0))</th>" }.joined() + "</tr>\n"
                    for row in t.rows { out += "<tr>" + row.map { "<td>\(Self.escape($0))</td>" }.joined() + "</tr>\n" }
                    out += "</table>\n"
                case .figure(let svg, let caption):
                    out += "<figure>\(ids.unique(svg))<figcaption>\(Self.escape(caption))</figcaption></figure>\n"
                case .verdict(let label, let outcome, let detail):
                    out += "<div class=\"verdict \(outcome)\"><strong>\(Self.escape(label)): \(Self.escape(outcome.replacingOccurrences(of: "-", with: " ").uppercased()))</strong> — \(Self.escape(detail))</div>\n"
                case .preformatted(let text):
                    out += "<pre>\(Self.escape(text))</pre>\n"
                }
            }
            out += "</section>\n"
        }
        out += "</body></html>\n"
        return out
    }
}

/// Keeps element ids unique across the figures inlined in one page: an id seen before (the same
/// figure twice) is renamed, with the references to it, by a numbered suffix.
struct ElementIDs {
    var used: Set<String>

    init(reserved: Set<String>) { used = reserved }

    mutating func unique(_ svg: String) -> String {
        var out = svg
        for id in Self.ids(in: svg) {
            guard used.contains(id) else { used.insert(id); continue }
            var n = 2
            while used.contains("\(id)-\(n)") { n += 1 }
            let renamed = "\(id)-\(n)"
            used.insert(renamed)
            for (a, b) in [("id=\"\(id)\"", "id=\"\(renamed)\""), ("url(#\(id))", "url(#\(renamed))"), ("href=\"#\(id)\"", "href=\"#\(renamed)\"")] {
                out = out.replacingOccurrences(of: a, with: b)
            }
        }
        return out
    }

    static func ids(in text: String) -> [String] {
        var found: [String] = []
        var rest = text[...]
        while let start = rest.range(of: " id=\"") {
            rest = rest[start.upperBound...]
            guard let end = rest.firstIndex(of: "\"") else { break }
            found.append(String(rest[..<end]))
            rest = rest[end...]
        }
        return found
    }
}
