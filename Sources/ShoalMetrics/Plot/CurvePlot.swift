import Foundation

/// A run's training curves, drawn as an SVG: a loss panel (train and validation by step), and
/// below it an accuracy panel, or a perplexity panel for a language model without accuracy.
///
/// Each series is one `<path class="series" data-series="train loss">` with a vertex a record,
/// so a test or a script can find the curves in the file.
///
/// ```swift
/// let plot = try CurvePlot(records: MetricsFile.read(path: "runs/a/metrics.jsonl"), title: "a")
/// try plot.svg().write(toFile: "runs/a/curves.svg", atomically: true, encoding: .utf8)
/// ```
public struct CurvePlot: Sendable {
    /// One measurement of a series.
    ///
    /// ```swift
    /// let plot = try CurvePlot(records: [MetricsRecord(kind: "train", step: 10, wallTime: 0, values: ["loss": 2.25])])
    /// plot.panels[0].series[0].points.first // Point(step: 10, value: 2.25)
    /// ```
    public struct Point: Equatable, Sendable {
        public let step: Int
        public let value: Double
    }

    /// One curve: e.g. `"validation loss"`, its finite points in step order.
    ///
    /// ```swift
    /// let plot = try CurvePlot(records: [MetricsRecord(kind: "train", step: 10, wallTime: 0, values: ["loss": 2.25]),
    ///                                    MetricsRecord(kind: "validation", step: 10, wallTime: 0, values: ["loss": 2.31])])
    /// plot.panels[0].series.map(\.name) // ["train loss", "validation loss"]
    /// ```
    public struct Series: Equatable, Sendable {
        public let name: String
        /// The record kind it is drawn from, which picks its colour.
        public let kind: String
        public let points: [Point]
    }

    /// One chart: the metric on its y axis and the curves drawn against it.
    ///
    /// ```swift
    /// let plot = try CurvePlot(records: MetricsFile.read(path: "runs/fashion-mlp/metrics.jsonl"))
    /// plot.panels.map(\.metric) // ["loss", "accuracy"]
    /// ```
    public struct Panel: Equatable, Sendable {
        public let metric: String
        public let series: [Series]
    }

    /// The heading above the panels (the run's name), if any.
    public let title: String?
    /// The panels top to bottom, each with at least one point.
    public let panels: [Panel]

    /// The kinds drawn, in legend order, with their colours.
    static let kinds: [(kind: String, colour: String)] = [("train", "#1f77b4"), ("validation", "#d62728")]
    static let gridColour = "#e4e4e4", frameColour = "#333333"

    /// Picks the panels from `records`; throws ``MetricsError/nothingToPlot(_:)`` when there
    /// are no records or none holds a finite loss, accuracy or perplexity. Non-finite values are
    /// skipped; where a step appears twice (a resumed run logs the steps after its checkpoint
    /// again), the later record wins.
    ///
    /// ```swift
    /// let records = try MetricsFile.read(path: "runs/fashion-mlp/metrics.jsonl")
    /// let plot = try CurvePlot(records: records)
    /// // plot.panels.map(\.metric) == ["loss", "accuracy"]
    /// ```
    public init(records: [MetricsRecord], title: String? = nil) throws {
        guard !records.isEmpty else { throw MetricsError.nothingToPlot("no records") }
        let loss = Self.panel("loss", records)
        let second = ["accuracy", "perplexity"].lazy.compactMap { Self.panel($0, records) }.first
        panels = [loss, second].compactMap { $0 }
        guard !panels.isEmpty else {
            let counted = records.count == 1 ? "1 record" : "\(records.count) records"
            throw MetricsError.nothingToPlot("\(counted), none with a finite train or validation loss, accuracy or perplexity")
        }
        self.title = title
    }

    /// The panel of `metric`, or nil when no train or validation record has a finite one.
    private static func panel(_ metric: String, _ records: [MetricsRecord]) -> Panel? {
        let series = kinds.compactMap { kind, _ -> Series? in
            var byStep: [Int: Double] = [:]
            for record in records where record.kind == kind {
                if let value = record.values[metric], value.isFinite { byStep[record.step] = value }
            }
            let points = byStep.sorted { $0.key < $1.key }.map { Point(step: $0.key, value: $0.value) }
            return points.isEmpty ? nil : Series(name: "\(kind) \(metric)", kind: kind, points: points)
        }
        return series.isEmpty ? nil : Panel(metric: metric, series: series)
    }

    /// The SVG document, a standalone file.
    ///
    /// ```swift
    /// let records = try MetricsFile.read(path: "runs/fashion-mlp/metrics.jsonl")
    /// let svg = try CurvePlot(records: records, title: "fashion-mlp").svg()
    /// // <?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" ...
    /// ```
    public func svg() -> String {
        let points = panels.flatMap { $0.series.flatMap(\.points) }
        let xAxis = Axis(low: Double(points.map(\.step).min()!), high: Double(points.map(\.step).max()!), ticks: 8, integral: true)
        let yAxes = panels.map { panel in
            let values = panel.series.flatMap { $0.points.map(\.value) }
            return Axis(low: values.min()!, high: values.max()!, ticks: 5, integral: false)
        }
        // Room left of the plots for the widest y tick label and the rotated axis title.
        let widestLabel = yAxes.flatMap { $0.ticks.map { $0.label.count } }.max() ?? 1
        let layout = Layout(left: 40 + Double(widestLabel) * Layout.characterWidth, titleHeight: title == nil ? 0 : 34)
        let width = Int(layout.width), height = Int(layout.height(panels.count))
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(width)" height="\#(height)" "#
                + #"viewBox="0 0 \#(width) \#(height)" font-family="sans-serif" font-size="12">"#,
            #"<rect width="100%" height="100%" fill="white"/>"#,
        ]
        if let title {
            lines.append(#"<text x="\#(f(layout.left))" y="24" font-size="16" font-weight="bold">\#(escaped(title))</text>"#)
        }
        for (index, panel) in panels.enumerated() {
            lines += draw(panel, x: xAxis, y: yAxes[index], frame: layout.frame(index))
        }
        lines.append("</svg>")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One panel's grid, axes, labels, legend and curves inside `frame`, the plot area.
    private func draw(_ panel: Panel, x: Axis, y: Axis, frame: Frame) -> [String] {
        func px(_ step: Double) -> Double { frame.left + x.fraction(step) * frame.width }
        func py(_ value: Double) -> Double { frame.bottom - y.fraction(value) * frame.height }
        var lines = [#"<g class="panel" data-panel="\#(escaped(panel.metric))">"#]
        for tick in x.ticks {
            lines.append(#"<line x1="\#(f(px(tick.value)))" y1="\#(f(frame.top))" x2="\#(f(px(tick.value)))" y2="\#(f(frame.bottom))" stroke="\#(Self.gridColour)"/>"#)
            lines.append(#"<text x="\#(f(px(tick.value)))" y="\#(f(frame.bottom + 16))" text-anchor="middle">\#(tick.label)</text>"#)
        }
        for tick in y.ticks {
            lines.append(#"<line x1="\#(f(frame.left))" y1="\#(f(py(tick.value)))" x2="\#(f(frame.right))" y2="\#(f(py(tick.value)))" stroke="\#(Self.gridColour)"/>"#)
            lines.append(#"<text x="\#(f(frame.left - 6))" y="\#(f(py(tick.value) + 4))" text-anchor="end">\#(tick.label)</text>"#)
        }
        lines.append(#"<rect x="\#(f(frame.left))" y="\#(f(frame.top))" width="\#(f(frame.width))" height="\#(f(frame.height))" fill="none" stroke="\#(Self.frameColour)"/>"#)
        lines.append(#"<text x="\#(f(frame.left + frame.width / 2))" y="\#(f(frame.bottom + 36))" text-anchor="middle">step</text>"#)
        let middle = f(frame.top + frame.height / 2)
        lines.append(#"<text x="16" y="\#(middle)" transform="rotate(-90 16 \#(middle))" text-anchor="middle">\#(escaped(panel.metric))</text>"#)
        // The legend stands above the plot area, so it never covers a curve.
        var legendX = frame.left
        for series in panel.series {
            let colour = Self.colour(series.kind), legendY = frame.top - 12
            lines.append(#"<g class="legend"><line x1="\#(f(legendX))" y1="\#(f(legendY))" x2="\#(f(legendX + 22))" y2="\#(f(legendY))" stroke="\#(colour)" stroke-width="2"/>"#
                + #"<text x="\#(f(legendX + 28))" y="\#(f(legendY + 4))">\#(escaped(series.name))</text></g>"#)
            legendX += 48 + Double(series.name.count) * Layout.characterWidth
        }
        for series in panel.series {
            let colour = Self.colour(series.kind)
            let vertices = series.points.enumerated().map { index, point in
                "\(index == 0 ? "M" : "L") \(f(px(Double(point.step)))) \(f(py(point.value)))"
            }
            lines.append(#"<path class="series" data-series="\#(escaped(series.name))" d="\#(vertices.joined(separator: " "))" "#
                + #"fill="none" stroke="\#(colour)" stroke-width="1.5" stroke-linejoin="round"/>"#)
            // Dots where the points are few enough to tell apart; a lone point has no line to show it.
            if series.points.count <= 40 {
                let dots = series.points.map { #"<circle cx="\#(f(px(Double($0.step))))" cy="\#(f(py($0.value)))" r="2.5"/>"# }
                lines.append(#"<g class="markers" fill="\#(colour)">"# + dots.joined() + "</g>")
            }
        }
        lines.append("</g>")
        return lines
    }

    private static func colour(_ kind: String) -> String {
        kinds.first { $0.kind == kind }?.colour ?? "#555"
    }

    /// A coordinate with one decimal: enough for a screen, short in the file.
    private func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Text made safe for XML character data and attribute values.
    private func escaped(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// The pixel geometry: panels stacked top to bottom, each with its margins.
private struct Layout {
    static let characterWidth = 7.0   // of a 12 px sans-serif digit or letter, about
    let width = 760.0
    let panelHeight = 300.0
    let left: Double
    let titleHeight: Double
    let right = 24.0, top = 40.0, bottom = 52.0

    func height(_ panels: Int) -> Double { titleHeight + Double(panels) * panelHeight }

    func frame(_ index: Int) -> Frame {
        let top = titleHeight + Double(index) * panelHeight + self.top
        return Frame(left: left, top: top, width: width - left - right, height: panelHeight - self.top - bottom)
    }
}

/// A plot area in pixels.
private struct Frame {
    let left: Double, top: Double, width: Double, height: Double
    var right: Double { left + width }
    var bottom: Double { top + height }
}

/// An axis's range widened to round tick values (1, 2 or 5 times a power of ten), and its ticks.
private struct Axis {
    let low: Double, high: Double
    let ticks: [(value: Double, label: String)]

    /// `ticks`: about how many intervals; `integral`: the axis counts steps, so a tick never
    /// falls between two of them.
    init(low dataLow: Double, high dataHigh: Double, ticks target: Int, integral: Bool) {
        // A constant series (or a single point) still needs a range to draw in.
        var dataLow = dataLow, dataHigh = dataHigh
        if dataHigh - dataLow <= 0 {
            var pad = dataLow == 0 ? 1 : abs(dataLow) * 0.05
            if integral { pad = max(1, pad.rounded(.up)) }
            // Steps count from 0: widening the axis never shows a negative one.
            dataLow = integral && dataLow >= 0 ? max(0, dataLow - pad) : dataLow - pad
            dataHigh += pad
        }
        let raw = (dataHigh - dataLow) / Double(target)
        let power = pow(10, (log10(raw)).rounded(.down))
        var step = [1.0, 2, 5, 10].map { $0 * power }.first { $0 >= raw } ?? 10 * power
        if integral { step = max(1, step.rounded()) }
        // Ticks as whole multiples of the step, so the one at zero is exactly 0 (never "-0.0").
        let first = Int((dataLow / step).rounded(.down)), last = Int((dataHigh / step).rounded(.up))
        low = Double(first) * step
        high = Double(last) * step
        let decimals = max(0, Int(-log10(step).rounded(.down)))
        ticks = (first...last).map { multiple in
            let value = Double(multiple) * step
            return (value, String(format: "%.\(decimals)f", value))
        }
    }

    /// Where `value` falls between the ends, 0 to 1.
    func fraction(_ value: Double) -> Double { (value - low) / (high - low) }
}
