import ArgumentParser
import Coordinator
import Foundation
import ShoalComm

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a checkpoint's tensors, metadata and state, and verify it.",
        discussion: "CHECKPOINT is a checkpoint directory, a checkpoint root (its newest checkpoint) or a .safetensors file. Exits non-zero if verification fails."
    )

    @Argument(help: "A checkpoint directory, checkpoint root or .safetensors file.")
    var checkpoint: String

    func run() throws {
        guard FileManager.default.fileExists(atPath: checkpoint) else {
            throw CommandError(description: "\(checkpoint): no such file or directory")
        }
        let report = inspectReport(path: URL(fileURLWithPath: checkpoint))
        if World.launchRank == 0 { print(report, terminator: report.hasSuffix("\n") ? "" : "\n") }
        if report.contains("verification: FAILED") { throw ExitCode.failure }
    }
}
