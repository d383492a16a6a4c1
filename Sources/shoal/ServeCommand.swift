import ArgumentParser
import Foundation

/// `shoal serve ARGS` runs `shoal-serve ARGS`, the server's own program beside this one (built
/// apart so that training links no HTTP stack): the same process, so its signals and exit code
/// are the server's.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a trained model over HTTP (shoal serve --help for its options).",
        discussion: "Runs the shoal-serve program next to this one; `swift build -c release --product shoal-serve` builds it.",
        helpNames: []
    )

    @Argument(parsing: .captureForPassthrough, help: "The server's arguments: a checkpoint, --host, --port.")
    var arguments: [String] = []

    func run() throws {
        let program = URL(fileURLWithPath: CommandLine.executablePath).deletingLastPathComponent().appendingPathComponent("shoal-serve").path
        guard access(program, X_OK) == 0 else {
            throw CommandError(description: "shoal serve runs \(program), which is not built: "
                + "swift build -c release --product shoal-serve (launch/build builds both programs)")
        }
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        execv(program, argv)
        throw CommandError(description: "cannot start \(program): \(String(cString: strerror(errno)))")
    }
}

extension CommandLine {
    /// This program's own file (`/proc/self/exe`), whatever name or relative path it was started by.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}
