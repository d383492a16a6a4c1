import ArgumentParser
import Foundation
import ShoalServe

struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve a trained model over HTTP: POST /predict, POST /generate, GET /health, GET /metadata.",
        discussion: """
        Example: shoal serve runs/fashion-mlp --port 8080
                 curl -s localhost:8080/predict -d '{"image": [0, 0, ... 784 pixels 0-255]}'

        Binds only the address given. Bodies are JSON: {"inputs": [[...], ...]} with raw samples as the training files hold them, or {"image": [...]} with raw 0-255 pixels; inputs get training's preprocessing. Concurrent requests share forwards up to the model's micro-batch. A bad request gets a 4xx with {"error": "..."}. SIGTERM or SIGINT stops the server cleanly.
        """
    )

    @Argument(help: ArgumentHelp("A checkpoint directory or root, a run directory, or a run name's directory.", valueName: "checkpoint"))
    var checkpoint: String

    @Option(help: "The address to bind (IPv4 or IPv6).")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port: UInt16 = 8080

    func run() throws {
        let server = try PredictionServer(checkpoint: checkpoint, host: host, port: port)
        let address = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        let outcome = Outcome()
        Task {
            // SIGTERM and SIGINT end run() after the requests in flight are answered.
            do {
                try await server.run { print("serving \(checkpoint) on \(address)"); fflush(nil) }
            } catch { outcome.failure = error }
            outcome.done.signal()
        }
        // The root command is synchronous: this thread waits while the server's tasks run.
        outcome.done.wait()
        if let failure = outcome.failure { throw CommandError(description: "cannot serve on \(address): \(failure)") }
        print("stopped")
    }
}

/// How the server's task ended, for the waiting command thread.
private final class Outcome: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    var failure: (any Error)?
}
