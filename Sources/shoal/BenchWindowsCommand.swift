import ArgumentParser
import Foundation
import Shoal

/// `shoal bench windows`: what reading a step's training windows costs, to set against the
/// step's time (benchmarks/RESULTS.md, issue 26, sets it against a token-gpt step).
struct BenchWindowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "windows",
        abstract: "Time to read one step's training windows of a language model's config (text or token shards).",
        discussion: """
        Loads the config's data as training does, then reads the windows of --steps consecutive steps, all training.global_batch of them per step (what one rank reads when it trains alone; each of p ranks reads 1/p of them). Prints the median microseconds per step over --runs runs.
        """
    )

    @OptionGroup var options: ConfigOptions

    @Option(help: "Steps read per run.")
    var steps = 1000

    @Option(help: "Timed runs; the line shows their median.")
    var runs = 5

    func validate() throws {
        guard steps > 0, runs > 0 else { throw ValidationError("--steps and --runs must be at least 1") }
    }

    func run() throws {
        let config = try options.load()
        guard let text = try loadSplits(for: config).text else {
            throw CommandError(description: "data.source: \(config.data.source.rawValue) has no windows; use a text or tokens config")
        }
        let B = config.training.globalBatch, T = text.windows.blockSize
        let features = UnsafeMutableBufferPointer<Float>.allocate(capacity: B * T)
        let targets = UnsafeMutableBufferPointer<Float>.allocate(capacity: B * T)
        defer { features.deallocate(); targets.deallocate() }
        var perStep: [Double] = []
        for run in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            for step in run * steps ..< (run + 1) * steps {
                text.windows.gather(step: step, slots: 0..<B, features: features, targets: targets)
            }
            perStep.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e3 / Double(steps))
        }
        let median = perStep.sorted()[runs / 2]
        print(String(format: "windows: %d a step of %d tokens, median %.2f µs per step (all: %@)", B, T + 1, median,
                     perStep.map { String(format: "%.2f", $0) }.joined(separator: " ")))
    }
}
