import Foundation
import Testing
@testable import Report

@Suite struct ReportTests {
    @Test func csvQuotesWhatNeedsQuoting() {
        var t = CSVTable(header: ["a", "b"])
        t.append(["1,5", "say \"hi\""])
        t.append(["plain", "line\nbreak"])
        #expect(t.text == "a,b\n\"1,5\",\"say \"\"hi\"\"\"\nplain,\"line\nbreak\"\n")
        #expect(csvNumber(Double.nan) == "nan" && csvNumber(-Double.infinity) == "-inf" && csvNumber(0.25) == "0.25")
    }

    // Linux Foundation prints `%-10@` unpadded; tableLine must pad string columns itself and
    // leave numeric conversions, `%%` and unpadded `%@` exactly as String(format:) gives them.
    @Test func tableLinePadsStringColumnsAndKeepsNumericConversions() {
        #expect(tableLine("[%-6@|%6@|%@]", "ab", "cd", "ef") == "[ab    |    cd|ef]")
        #expect(tableLine("%-5d %.3f %ld %% %-4@.", 42, 0.5, 7, "x") == "42    0.500 7 % x   .")
        #expect(tableLine("%-2@|", "longer") == "longer|")
        #expect(tableLine("%@ é %-3@|", "Σ₀", "η") == "Σ₀ é η  |")
        #expect(tableLine("no conversions") == "no conversions")
    }

    @Test func logPlotHasDecadeTicksAndSkipsNonPositiveValues() {
        var plot = SVGPlot(title: "t <&>", xLabel: "η", yLabel: "e", xScale: .logarithmic, yScale: .logarithmic)
        plot.add(.init(label: "s", x: [0.01, 0.1, 1], y: [1e-4, 0, 1e-2], errorBars: [(0, 2e-4), (0, 0), (5e-3, 2e-2)], color: "#000"))
        let svg = plot.svg
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("t &lt;&amp;&gt;"))
        #expect(svg.contains(">0.01<") && svg.contains(">0.1<"))
        #expect(svg.components(separatedBy: "<circle").count - 1 == 2 + 1)  // two finite points and a legend marker
        #expect(!svg.contains("nan") && !svg.contains("inf"))
    }

    /// The legend takes the corner the data leave free: a falling line fills top left and bottom
    /// right, so it goes top right; a rising one fills bottom left and top right, so top left; a plateau
    /// that drops at the end leaves only bottom left.
    @Test func legendAvoidsTheData() {
        func legendCorner(_ y: [Double]) -> (left: Bool, top: Bool) {
            var plot = SVGPlot(title: "", xLabel: "", yLabel: "")
            plot.add(.init(label: "a rather long series label", x: [0, 1, 2, 3, 4], y: y, color: "#000"))
            let svg = plot.svg
            let rect = svg.components(separatedBy: "\n").first { $0.contains("fill-opacity") }!
            func attribute(_ name: String) -> Double {
                Double(rect.components(separatedBy: "\(name)=\"")[1].components(separatedBy: "\"")[0])!
            }
            return (attribute("x") < plot.width / 2, attribute("y") < plot.height / 2)
        }
        #expect(legendCorner([4, 3, 2, 1, 0]) == (left: false, top: true))
        #expect(legendCorner([0, 1, 2, 3, 4]) == (left: true, top: true))
        #expect(legendCorner([4, 4, 4, 4, 0]) == (left: true, top: false))
        // a zigzag touches every corner: the legend stands beside the plot, which keeps its size
        var zigzag = SVGPlot(title: "", xLabel: "", yLabel: "")
        zigzag.add(.init(label: "a rather long series label", x: [0, 1, 2, 3, 4], y: [4, 0, 4, 0, 4], color: "#000"))
        let svg = zigzag.svg
        let rect = svg.components(separatedBy: "\n").first { $0.contains("fill-opacity") }!
        let x = Double(rect.components(separatedBy: "x=\"")[1].components(separatedBy: "\"")[0])!
        #expect(x > zigzag.width - zigzag.margin.right && svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(zigzag.width + 10 + 44 + 6.8 * 26))\""))
    }

    @Test func linearTicksAreNice() {
        let plot = SVGPlot(title: "", xLabel: "", yLabel: "")
        let ticks = plot.ticks(0, 1, .linear).map(\.1)
        #expect(ticks == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        #expect(SVGPlot.format(2.5e-7) == "2.5e-7" && SVGPlot.format(1e6) == "1e6")
    }

    @Test func htmlEscapesAndLinksSections() {
        var report = HTMLReport(title: "R <1>", subtitle: "s")
        report.sections.append(.init(title: "A & B", blocks: [.verdict(label: "x", outcome: "pass", detail: "<ok>"),
                                                           .table(.init(caption: "c", header: ["h"], rows: [["<td>"]]))]))
        let html = report.html
        #expect(html.contains("R &lt;1&gt;") && html.contains("A &amp; B") && html.contains("&lt;ok&gt;") && html.contains("&lt;td&gt;"))
        #expect(html.contains("href=\"#s0\""))
    }

    @Test func atomicWritesReplaceWholeFiles() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("nested/file.txt")
        try AtomicFile.write("one", to: url)
        try AtomicFile.write("two", to: url)
        #expect(try String(contentsOf: url, encoding: .utf8) == "two")
        #expect(try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path) == ["file.txt"])
    }

    /// Every figure's clip path has its own id, the same on every run, and a page that inlines the
    /// same figure twice still has unique ids whose references resolve.
    @Test func figureIdsAreUniqueAndDeterministic() {
        func plot(_ y: [Double]) -> SVGPlot {
            var p = SVGPlot(title: "t", xLabel: "x", yLabel: "y")
            p.add(.init(label: "s", x: [0, 1, 2], y: y, color: "#000"))
            return p
        }
        let a = plot([0, 1, 2]).svg, b = plot([2, 1, 0]).svg
        #expect(a == plot([0, 1, 2]).svg)
        let idA = ElementIDs.ids(in: a), idB = ElementIDs.ids(in: b)
        #expect(idA.count == 1 && idB.count == 1 && idA != idB && idA[0].hasPrefix("plot-area-"))
        #expect(a.contains("clip-path=\"url(#\(idA[0]))\""))

        var report = HTMLReport(title: "r", subtitle: "")
        report.sections = [.init(title: "one", blocks: [.figure(svg: a, caption: ""), .figure(svg: b, caption: "")]),
                           .init(title: "two", blocks: [.figure(svg: a, caption: "")])]
        let html = report.html
        let ids = ElementIDs.ids(in: html)
        #expect(Set(ids).count == ids.count, "\(ids)")
        #expect(ids.contains(idA[0] + "-2") && html.contains("url(#\(idA[0])-2)"))
        for reference in html.components(separatedBy: "url(#").dropFirst().map({ String($0.prefix { $0 != ")" }) }) {
            #expect(ids.contains(reference), "url(#\(reference)) points nowhere")
        }
    }
}
