import ArgumentParser
import Coordinator
import Foundation
import ShoalFormats
import ShoalMetrics

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a run's training curves from its metrics.jsonl as an SVG.",
        discussion: """
        Example: shoal plot runs/fashion-mlp/version_0     (writes runs/fashion-mlp/version_0/curves.svg)
                 shoal plot runs/fashion-mlp               (the newest version)

        The top panel is train and validation loss by step; below it, accuracy where the run logs it, else perplexity. Prints the path written.
        """
    )

    @Argument(help: ArgumentHelp("A run directory holding metrics.jsonl (runs/<name>/version_<N>), a run name's directory (its newest version), or the path of a metrics.jsonl.", valueName: "run-dir"))
    var runDirectory: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The SVG to write (default: curves.svg beside metrics.jsonl).", valueName: "file"))
    var output: String?

    func run() throws {
        let metrics = try Self.metricsFile(runDirectory)
        let directory = metrics.deletingLastPathComponent()
        let plot: CurvePlot
        do {
            // runs/<name>/version_<N> is titled "<name>/version_<N>".
            let last = directory.lastPathComponent
            let title = last.hasPrefix(RunDirectory.prefix) ? directory.deletingLastPathComponent().lastPathComponent + "/" + last : last
            plot = try CurvePlot(records: MetricsFile.read(path: metrics.path), title: title)
        } catch let error as MetricsError {
            // A read error names the file itself; "nothing to plot" needs to be told which.
            if case .nothingToPlot = error { throw CommandError(description: "\(metrics.path): \(error)") }
            throw CommandError(description: "\(error)")
        }
        let destination = output.map { URL(fileURLWithPath: $0) } ?? directory.appendingPathComponent("curves.svg")
        // Written beside the target and renamed into place: a browser reloading the file never
        // sees half of it.
        try DurableIO.writeFile(at: destination, data: Data(plot.svg().utf8))
        print(destination.path)
    }

    /// The metrics.jsonl that `argument` names: the file itself, or the one in that directory.
    static func metricsFile(_ argument: String) throws -> URL {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
            throw CommandError(description: "\(argument): no such file or directory")
        }
        let url = URL(fileURLWithPath: argument)
        guard isDirectory.boolValue else { return url }
        var metrics = url.appendingPathComponent("metrics.jsonl")
        if !FileManager.default.fileExists(atPath: metrics.path), let newest = RunDirectory.newest(in: argument) {
            metrics = URL(fileURLWithPath: newest.metrics)
        }
        guard FileManager.default.fileExists(atPath: metrics.path) else {
            throw CommandError(description: "\(argument): no metrics.jsonl in this directory (is it a run directory, runs/<name>/version_<N>?)")
        }
        return metrics
    }
}
