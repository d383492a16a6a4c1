import ArgumentParser
import Foundation
import Shoal
import ShoalServe

/// `shoal serve`, as its own program: the HTTP server is built on SwiftNIO, which training never
/// needs, so `shoal` links none of it and builds minutes faster (benchmarks/RESULTS.md, "Build
/// time"). `shoal serve ARGS` runs this program, `shoal-serve` beside `shoal`, with ARGS.
@main
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shoal serve",
        abstract: "Serve a trained model over HTTP: POST /predict, POST /generate, GET /health, GET /metadata.",
        discussion: """
        Example: shoal serve runs/fashion-mlp --port 8080
                 curl -s localhost:8080/predict -d '{"image": [0, 0, ... 784 pixels 0-255]}'

        Binds only the address given. Bodies are JSON: {"inputs": [[...], ...]} with raw samples as the training files hold them, or {"image": [...]} with raw 0-255 pixels; inputs get training's preprocessing. Concurrent requests share forwards up to the model's micro-batch. A bad request gets a 4xx with {"error": "..."}. SIGTERM or SIGINT stops the server cleanly.
        """,
        version: shoalVersion
    )

    @Argument(help: ArgumentHelp("A checkpoint directory or root, a run directory, or a run name's directory.", valueName: "checkpoint"))
    var checkpoint: String

    @Option(help: "The address to bind (IPv4 or IPv6).")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port: UInt16 = 8080

    func run() async throws {
        let server = try PredictionServer(checkpoint: checkpoint, host: host, port: port)
        let address = "http://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        do {
            // SIGTERM and SIGINT end run() after the requests in flight are answered.
            try await server.run { print("serving \(checkpoint) on \(address)"); fflush(nil) }
        } catch {
            throw ServeError(description: "cannot serve on \(address): \(error)")
        }
        print("stopped")
    }
}

/// A failure to report as "Error: ..." with exit code 1, without the usage text.
struct ServeError: Error, CustomStringConvertible {
    let description: String
}
