import Foundation

/// A self-contained SVG chart: linear or logarithmic axes, series of points with optional
/// vertical error bars, dashed reference lines, a legend. Pure Swift, no dependencies.
public struct SVGPlot: Sendable {
    public enum Scale: Sendable { case linear, logarithmic }

    public struct Series: Sendable {
        public var label: String
        public var x: [Double]
        public var y: [Double]
        /// (lower, upper) of each point's error bar, if any.
        public var errorBars: [(Double, Double)]?
        public var color: String
        public var dashed: Bool
        public var markers: Bool
        public var lines: Bool
        /// Open markers, so a second estimate of the same curve (e.g. the SDE beside SGD) keeps its colour.
        public var hollow: Bool

        public init(label: String, x: [Double], y: [Double], errorBars: [(Double, Double)]? = nil, color: String,
                    dashed: Bool = false, markers: Bool = true, lines: Bool = true, hollow: Bool = false) {
            precondition(x.count == y.count, "x and y differ in length")
            self.label = label
            self.x = x
            self.y = y
            self.errorBars = errorBars
            self.color = color
            self.dashed = dashed
            self.markers = markers
            self.lines = lines
            self.hollow = hollow
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var xScale: Scale
    public var yScale: Scale
    public var series: [Series] = []
    public var width = 640.0
    public var height = 420.0

    public static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"]

    public init(title: String, xLabel: String, yLabel: String, xScale: Scale = .linear, yScale: Scale = .linear) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.xScale = xScale
        self.yScale = yScale
    }

    public mutating func add(_ s: Series) { series.append(s) }

    // MARK: - Rendering

    let margin = (left: 78.0, right: 20.0, top: 40.0, bottom: 56.0)

    func usable(_ v: Double, _ scale: Scale) -> Bool { v.isFinite && (scale == .linear || v > 0) }

    func range(_ values: [Double], _ scale: Scale) -> (Double, Double) {
        let finite = values.filter { usable($0, scale) }
        guard var lo = finite.min(), var hi = finite.max() else { return scale == .linear ? (0, 1) : (1, 10) }
        if scale == .logarithmic {
            lo = log10(lo); hi = log10(hi)
            if hi - lo < 1e-9 { lo -= 0.5; hi += 0.5 }
            let pad = 0.05 * (hi - lo)
            return (lo - pad, hi + pad)
        }
        // data near ±1.8e308 would overflow the span and its padding: clip the axis instead
        let limit = Double.greatestFiniteMagnitude / 4
        lo = min(max(lo, -limit), limit); hi = min(max(hi, -limit), limit)
        if hi - lo < 1e-12 * max(1, abs(hi)) { lo -= 0.5 * max(1, abs(lo)); hi += 0.5 * max(1, abs(hi)) }
        let pad = 0.05 * (hi - lo)
        return (lo - pad, hi + pad)
    }

    func transform(_ v: Double, _ scale: Scale) -> Double { scale == .logarithmic ? log10(v) : v }

    static func niceStep(_ span: Double, target: Int) -> Double {
        let raw = span / Double(max(target, 1))
        let magnitude = pow(10, floor(log10(raw)))
        for m in [1.0, 2, 2.5, 5, 10] where m * magnitude >= raw { return m * magnitude }
        return 10 * magnitude
    }

    func ticks(_ lo: Double, _ hi: Double, _ scale: Scale) -> [(Double, String)] {
        if scale == .logarithmic {
            var out: [(Double, String)] = []
            let decades = Int(ceil(hi)) - Int(floor(lo))
            let multipliers: [Double] = decades <= 2 ? [1, 2, 5] : [1]
            for e in Int(floor(lo))...Int(ceil(hi)) {
                for m in multipliers {
                    let t = log10(m) + Double(e)
                    if t >= lo && t <= hi { out.append((t, Self.format(m * pow(10, Double(e))))) }
                }
            }
            return out
        }
        let step = Self.niceStep(hi - lo, target: 6)
        var t = ceil(lo / step) * step
        var out: [(Double, String)] = []
        while t <= hi + 1e-9 * step {
            out.append((t, Self.format(abs(t) < 1e-12 * step ? 0 : t)))
            t += step
        }
        return out
    }

    static func format(_ v: Double) -> String {
        if v == 0 { return "0" }
        guard v.isFinite else { return "\(v)" }
        let a = abs(v)
        if a >= 1e5 || a < 1e-3 {
            let e = Int(floor(log10(a)))
            let m = v / pow(10, Double(e))
            let mantissa = abs(m - m.rounded()) < 1e-9 ? String(Int(m.rounded())) : String(format: "%.2g", m)
            return mantissa == "1" ? "1e\(e)" : "\(mantissa)e\(e)"
        }
        return String(format: "%g", v)
    }

    private func markerPaint(_ s: Series) -> String {
        s.hollow ? "fill=\"white\" stroke=\"\(s.color)\" stroke-width=\"1.5\"" : "fill=\"\(s.color)\""
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    /// Pixel positions the data occupy: markers, error-bar ends, and points along each line.
    func occupiedPoints(px: (Double) -> Double, py: (Double) -> Double) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        for s in series {
            let points = zip(s.x, s.y).filter { usable($0.0, xScale) && usable($0.1, yScale) }.map { (px($0.0), py($0.1)) }
            out += points
            if s.lines {
                for (a, b) in zip(points, points.dropFirst()) {
                    for k in 1..<16 { let t = Double(k) / 16; out.append((a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1))) }
                }
            }
            for (i, bar) in (s.errorBars ?? []).enumerated() where i < s.x.count && usable(s.x[i], xScale) {
                for v in [bar.0, bar.1] where usable(v, yScale) { out.append((px(s.x[i]), py(v))) }
            }
        }
        return out
    }

    /// The legend goes in the corner of the plot area that hides no data (ties: top left, top
    /// right, bottom right, bottom left); when every corner hides some, beside the plot instead,
    /// so it never sits on the points a figure is about. Returns the legend's size and either a
    /// corner (0–3) or nil for "beside".
    func legendPlacement(plotWidth pw: Double, plotHeight ph: Double, points: [(Double, Double)]) -> (width: Double, height: Double, corner: Int?) {
        let longest = series.map(\.label.count).max() ?? 0
        let w = 44 + 6.8 * Double(longest), h = 8 + 16 * Double(series.count)
        let corners = (0..<4).map { legendOrigin(corner: $0, plot: (margin.left, margin.top, pw, ph), size: (w, h)) }
        func hidden(_ c: (Double, Double)) -> Int {
            points.filter { $0.0 >= c.0 - 4 && $0.0 <= c.0 + w + 4 && $0.1 >= c.1 - 4 && $0.1 <= c.1 + h + 4 }.count
        }
        let corner = (0..<4).first { w <= pw - 12 && h <= ph - 12 && hidden(corners[$0]) == 0 }
        return (w, h, corner)
    }

    func legendOrigin(corner: Int, plot: (x: Double, y: Double, width: Double, height: Double), size: (Double, Double)) -> (Double, Double) {
        let inset = 6.0
        let left = plot.x + inset, right = plot.x + plot.width - inset - size.0
        let top = plot.y + inset, bottom = plot.y + plot.height - inset - size.1
        return [(left, top), (right, top), (right, bottom), (left, bottom)][corner]
    }

    public var svg: String {
        let allX = series.flatMap(\.x)
        var allY = series.flatMap(\.y)
        for s in series { if let bars = s.errorBars { allY += bars.flatMap { [$0.0, $0.1] } } }
        let (x0, x1) = range(allX, xScale), (y0, y1) = range(allY, yScale)
        let ph = height - margin.top - margin.bottom
        let pw = width - margin.left - margin.right
        func px(_ v: Double) -> Double { margin.left + (transform(v, xScale) - x0) / (x1 - x0) * pw }
        func py(_ v: Double) -> Double { margin.top + (1 - (transform(v, yScale) - y0) / (y1 - y0)) * ph }
        let legend = series.isEmpty ? nil : legendPlacement(plotWidth: pw, plotHeight: ph, points: occupiedPoints(px: px, py: py))
        // no free corner: the plot narrows and the legend stands to its right, the figure widening to keep the plot usable
        let canvasWidth = width + (legend.map { $0.corner == nil ? $0.width + 10 : 0 } ?? 0)
        func f(_ v: Double) -> String { String(format: "%.2f", v) }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(canvasWidth))" height="\(Int(height))" viewBox="0 0 \(Int(canvasWidth)) \(Int(height))" font-family="Helvetica, Arial, sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(canvasWidth / 2))" y="22" text-anchor="middle" font-size="15" font-weight="bold">\(Self.escape(title))</text>
        <rect x="\(f(margin.left))" y="\(f(margin.top))" width="\(f(pw))" height="\(f(ph))" fill="none" stroke="#333"/>

        """
        for (t, label) in ticks(x0, x1, xScale) {
            let x = margin.left + (t - x0) / (x1 - x0) * pw
            out += "<line x1=\"\(f(x))\" y1=\"\(f(margin.top))\" x2=\"\(f(x))\" y2=\"\(f(margin.top + ph))\" stroke=\"#e5e5e5\"/>\n"
            out += "<text x=\"\(f(x))\" y=\"\(f(margin.top + ph + 16))\" text-anchor=\"middle\">\(label)</text>\n"
        }
        for (t, label) in ticks(y0, y1, yScale) {
            let y = margin.top + (1 - (t - y0) / (y1 - y0)) * ph
            out += "<line x1=\"\(f(margin.left))\" y1=\"\(f(y))\" x2=\"\(f(margin.left + pw))\" y2=\"\(f(y))\" stroke=\"#e5e5e5\"/>\n"
            out += "<text x=\"\(f(margin.left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(label)</text>\n"
        }
        out += "<text x=\"\(f(margin.left + pw / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        out += "<text transform=\"translate(16,\(f(margin.top + ph / 2))) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        out += "<g clip-path=\"url(#\(clipID))\">\n<clipPath id=\"\(clipID)\"><rect x=\"\(f(margin.left))\" y=\"\(f(margin.top))\" width=\"\(f(pw))\" height=\"\(f(ph))\"/></clipPath>\n"
        for s in series {
            let points = zip(s.x, s.y).filter { usable($0.0, xScale) && usable($0.1, yScale) }
            if s.lines && points.count > 1 {
                let path = points.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
                out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.8\"\(s.dashed ? " stroke-dasharray=\"6,4\"" : "")/>\n"
            }
            if let bars = s.errorBars {
                for (i, bar) in bars.enumerated() where i < s.x.count && usable(s.x[i], xScale) {
                    let lo = usable(bar.0, yScale) ? bar.0 : nil, hi = usable(bar.1, yScale) ? bar.1 : nil
                    guard let hi else { continue }
                    let x = px(s.x[i])
                    let yLow = lo.map(py) ?? (margin.top + ph)
                    out += "<line x1=\"\(f(x))\" y1=\"\(f(yLow))\" x2=\"\(f(x))\" y2=\"\(f(py(hi)))\" stroke=\"\(s.color)\" stroke-width=\"1.2\"/>\n"
                    out += "<line x1=\"\(f(x - 4))\" y1=\"\(f(py(hi)))\" x2=\"\(f(x + 4))\" y2=\"\(f(py(hi)))\" stroke=\"\(s.color)\"/>\n"
                    if lo != nil { out += "<line x1=\"\(f(x - 4))\" y1=\"\(f(yLow))\" x2=\"\(f(x + 4))\" y2=\"\(f(yLow))\" stroke=\"\(s.color)\"/>\n" }
                }
            }
            if s.markers {
                for p in points { out += "<circle cx=\"\(f(px(p.0)))\" cy=\"\(f(py(p.1)))\" r=\"3.2\" \(markerPaint(s))/>\n" }
            }
        }
        out += "</g>\n"
        if !series.isEmpty {
            let legend = legend!
            let origin = legend.corner.map { legendOrigin(corner: $0, plot: (margin.left, margin.top, pw, ph), size: (legend.width, legend.height)) }
                ?? (margin.left + pw + 10, margin.top)
            out += "<rect x=\"\(f(origin.0))\" y=\"\(f(origin.1))\" width=\"\(f(legend.width))\" height=\"\(f(legend.height))\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n"
            var ly = origin.1 + 16
            for s in series {
                let lx = origin.0 + 8
                out += "<line x1=\"\(f(lx))\" y1=\"\(f(ly - 4))\" x2=\"\(f(lx + 22))\" y2=\"\(f(ly - 4))\" stroke=\"\(s.color)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"6,4\"" : "")/>\n"
                if s.markers { out += "<circle cx=\"\(f(lx + 11))\" cy=\"\(f(ly - 4))\" r=\"3\" \(markerPaint(s))/>\n" }
                out += "<text x=\"\(f(lx + 28))\" y=\"\(f(ly))\">\(Self.escape(s.label))</text>\n"
                ly += 16
            }
        }
        out += "</svg>\n"
        // the id is a digest of the figure itself: deterministic, and distinct for every distinct
        // figure in a page that inlines many (a fixed id would make all of them clip to the first's area)
        return out.replacingOccurrences(of: clipID, with: "plot-area-" + Self.digest(out))
    }

    /// Stands for the clip path's id until the figure is complete.
    let clipID = "plot-area-@"

    /// FNV-1a, 64 bits, as hex: stable across runs and platforms (Hasher is seeded per process).
    static func digest(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 16)
    }
}
