import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import ShoalMetrics

/// What an SVG holds once parsed: each series path's name and drawing commands, every text.
final class SVGContents: NSObject, XMLParserDelegate {
    var paths: [(series: String, commands: [Character])] = []
    var texts: [String] = []
    var panels: [String] = []
    private var text: String?

    /// Parses `svg`; nil when it is not well-formed XML.
    static func parse(_ svg: String) -> SVGContents? {
        let contents = SVGContents()
        let parser = XMLParser(data: Data(svg.utf8))
        parser.delegate = contents
        return parser.parse() ? contents : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        switch name {
        case "path" where attributes["class"] == "series":
            paths.append((attributes["data-series"] ?? "", (attributes["d"] ?? "").filter { $0.isLetter }))
        case "g" where attributes["class"] == "panel":
            panels.append(attributes["data-panel"] ?? "")
        case "text":
            text = ""
        default:
            break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text? += string }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "text", let text { texts.append(text) }
        text = nil
    }

    /// The number of points of each series: one M or L command a point.
    var pointCounts: [String: Int] {
        Dictionary(uniqueKeysWithValues: paths.map { ($0.series, $0.commands.count) })
    }
}

/// The curves SVG parses, has one path per series with a vertex per finite value, and names its
/// series in the legend.
@Suite struct CurvePlotTests {
    /// 10 train records (one loss NaN) every 10 steps and 2 validation records, with accuracy.
    static let classifierRun: [MetricsRecord] = (1...10).map { (index: Int) -> MetricsRecord in
        let loss: Double = index == 4 ? .nan : 2 / Double(index), accuracy: Double = 0.5 + Double(index) / 25
        return MetricsRecord(kind: "train", step: index * 10, epoch: 1 + index / 6, wallTime: Double(index),
                             values: ["loss": loss, "accuracy": accuracy, "learning_rate": 0.001])
    } + [
        MetricsRecord(kind: "validation", step: 50, epoch: 1, wallTime: 11, values: ["loss": 0.6, "accuracy": 0.7]),
        MetricsRecord(kind: "validation", step: 100, epoch: 2, wallTime: 12, values: ["loss": 0.4, "accuracy": 0.8]),
        MetricsRecord(kind: "test", step: 100, wallTime: 13, values: ["loss": 0.45, "accuracy": 0.79]),
        MetricsRecord(kind: "epoch", step: 100, epoch: 2, wallTime: 13, values: ["samples_per_second": 5000]),
    ]

    static func contents(_ records: [MetricsRecord], title: String? = nil) throws -> SVGContents {
        let svg = try CurvePlot(records: records, title: title).svg()
        #expect(!svg.contains("nan") && !svg.contains("inf"))
        return try #require(SVGContents.parse(svg), "not well-formed XML:\n\(svg)")
    }

    @Test func onePathPerSeriesWithAPointPerFiniteValue() throws {
        let svg = try Self.contents(Self.classifierRun)
        #expect(svg.panels == ["loss", "accuracy"])
        #expect(svg.paths.map(\.series) == ["train loss", "validation loss", "train accuracy", "validation accuracy"])
        #expect(svg.pointCounts == ["train loss": 9, "validation loss": 2, "train accuracy": 10, "validation accuracy": 2])
        for path in svg.paths { #expect(path.commands.first == "M" && path.commands.dropFirst().allSatisfy { $0 == "L" }) }
    }

    @Test func legendAndAxisTitlesAreThere() throws {
        let texts = try Self.contents(Self.classifierRun).texts
        for label in ["train loss", "validation loss", "train accuracy", "validation accuracy", "step", "loss", "accuracy"] {
            #expect(texts.contains(label), "no text \(label)")
        }
        // Tick labels on both axes: steps 0...100 and losses around 0.2...2.
        #expect(texts.contains("0") && texts.contains("100"))
        #expect(texts.contains("2.0"))
    }

    @Test func perplexityWhenThereIsNoAccuracy() throws {
        let records = (1...3).map { MetricsRecord(kind: "validation", step: $0 * 100, wallTime: 0, values: ["loss": 1.0 / Double($0), "perplexity": 3.0 / Double($0)]) }
            + [MetricsRecord(kind: "train", step: 50, wallTime: 0, values: ["loss": 1.5])]
        let svg = try Self.contents(records)
        #expect(svg.panels == ["loss", "perplexity"])
        #expect(svg.pointCounts == ["train loss": 1, "validation loss": 3, "validation perplexity": 3])
    }

    @Test func onlyTheLossPanelWithoutAccuracyOrPerplexity() throws {
        let records = (1...4).map { MetricsRecord(kind: "train", step: $0, wallTime: 0, values: ["loss": Double($0)]) }
        let svg = try Self.contents(records)
        #expect(svg.panels == ["loss"])
        #expect(svg.pointCounts == ["train loss": 4])
    }

    @Test func aSinglePoint() throws {
        let svg = try Self.contents([MetricsRecord(kind: "validation", step: 0, wallTime: 0, values: ["loss": 0.7])])
        #expect(svg.pointCounts == ["validation loss": 1])
    }

    @Test(arguments: [0.0, 0.5, -3, 1e6])
    func constantValuesGetARange(_ value: Double) throws {
        let records = (1...5).map { MetricsRecord(kind: "train", step: $0 * 10, wallTime: 0, values: ["loss": value]) }
        let plot = try CurvePlot(records: records)
        let svg = try Self.contents(records)
        #expect(svg.pointCounts == ["train loss": 5])
        // Every vertex at one height, on an axis with several distinct tick labels.
        let numbers = plot.svg().split(separator: "\n").first { $0.contains(#"class="series""#) }!
            .split(separator: "\"")[5].split(separator: " ").compactMap { Double($0) }
        let heights = Set(stride(from: 1, to: numbers.count, by: 2).map { numbers[$0] })
        #expect(heights.count == 1)
        #expect(Set(svg.texts.filter { Double($0) != nil }).count > 2)
    }

    @Test func aRepeatedStepKeepsTheLaterRecord() throws {
        let records = [10, 20, 30, 20, 30, 40].enumerated().map { index, step in
            MetricsRecord(kind: "train", step: step, wallTime: Double(index), values: ["loss": Double(index)])
        }
        let plot = try CurvePlot(records: records)
        #expect(plot.panels[0].series[0].points.map(\.step) == [10, 20, 30, 40])
        #expect(plot.panels[0].series[0].points.map(\.value) == [0, 3, 4, 5])
    }

    @Test func textIsEscaped() throws {
        let svg = try Self.contents(Self.classifierRun, title: #"a<b> & "c's""#)
        #expect(svg.texts.first == #"a<b> & "c's""#)
    }

    @Test func noRecordsIsAnError() {
        #expect(throws: MetricsError.nothingToPlot("no records")) { try CurvePlot(records: []) }
    }

    @Test func nothingFiniteIsAnError() {
        let records = [MetricsRecord(kind: "train", step: 1, wallTime: 0, values: ["loss": .nan]),
                       MetricsRecord(kind: "epoch", step: 1, wallTime: 0, values: ["samples_per_second": 10])]
        let error = #expect(throws: MetricsError.self) { try CurvePlot(records: records) }
        #expect(error?.description == "nothing to plot: 2 records, none with a finite train or validation loss, accuracy or perplexity")
    }
}
