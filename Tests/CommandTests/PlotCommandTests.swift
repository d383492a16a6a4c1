import Foundation
import Testing
@testable import shoal

/// `shoal plot RUN_DIR` finds the run's metrics.jsonl and writes curves.svg beside it.
@Suite struct PlotCommandTests {
    static func runDirectory(lines: [String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shoal-plot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        try lines.joined(separator: "\n").write(to: url.appendingPathComponent("metrics.jsonl"), atomically: false, encoding: .utf8)
        return url
    }

    static let lines = [#"{"kind":"train","step":10,"epoch":1,"loss":0.9,"accuracy":0.6,"lr":0.001}"#,
                        #"{"kind":"train","step":20,"epoch":1,"loss":0.7,"accuracy":0.7,"lr":0.001}"#,
                        #"{"kind":"validation","step":20,"loss":0.75,"accuracy":0.68}"#, ""]

    @Test func writesCurvesBesideTheMetrics() throws {
        let run = try Self.runDirectory(lines: Self.lines)
        defer { try? FileManager.default.removeItem(at: run) }
        try PlotCommand.parse([run.path]).run()
        let svg = try String(contentsOf: run.appendingPathComponent("curves.svg"), encoding: .utf8)
        #expect(svg.contains(#"data-series="validation accuracy""#))
        // Only the SVG is left: the temporary file was renamed into place.
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.path).sorted() == ["curves.svg", "metrics.jsonl"])
    }

    @Test func takesTheMetricsFileAndAnOutputPath() throws {
        let run = try Self.runDirectory(lines: Self.lines)
        defer { try? FileManager.default.removeItem(at: run) }
        let output = run.appendingPathComponent("elsewhere.svg").path
        try PlotCommand.parse([run.appendingPathComponent("metrics.jsonl").path, "-o", output]).run()
        #expect(FileManager.default.fileExists(atPath: output))
    }

    @Test func errorsSayWhatIsMissing() throws {
        let missing = #expect(throws: CommandError.self) { try PlotCommand.parse(["/nonexistent/run"]).run() }
        #expect(missing?.description == "/nonexistent/run: no such file or directory")

        let empty = try Self.runDirectory(lines: [#"{"kind":"epoch","step":1,"samples_per_second":9}"#])
        defer { try? FileManager.default.removeItem(at: empty) }
        let nothing = #expect(throws: CommandError.self) { try PlotCommand.parse([empty.path]).run() }
        #expect(nothing?.description.hasSuffix("metrics.jsonl: nothing to plot: 1 record, none with a finite train or validation loss, accuracy or perplexity") == true)

        try FileManager.default.removeItem(at: empty.appendingPathComponent("metrics.jsonl"))
        let noMetrics = #expect(throws: CommandError.self) { try PlotCommand.parse([empty.path]).run() }
        #expect(noMetrics?.description.contains("no metrics.jsonl") == true)
    }
}
