import FlyingFox
import FlyingSocks
import Foundation
import Shoal

/// `shoal serve`: a trained model behind HTTP, on FlyingFox (a small async HTTP server over BSD
/// sockets, from this machine's package list). FlyingFox rather than Hummingbird or Vapor: it
/// needs no SwiftNIO, so it adds seconds, not minutes, to a fresh build of the suite, and a JSON
/// endpoint needs nothing more.
///
/// - `POST /predict`: `{"inputs": [[...], ...]}` (raw samples, as the training files hold them)
///   or the seed's `{"image": [...]}` (raw 0–255 pixels, flat or nested); answers
///   `{"predictions": [...], "probabilities": [[...], ...]}` (a regression: `{"predictions": [[values]]}`).
/// - `POST /generate` (a language model): `{"prompt": "The ", "tokens": 100, "temperature": 0.8, "top_k": 40, "seed": 1}`.
/// - `GET /health`, `GET /metadata` (model summary, input shape, classes).
///
/// A bad request gets a 4xx with `{"error": "..."}` naming what is wrong; the server stays up.
///
/// ```swift
/// let server = try PredictionServer(checkpoint: "runs/fashion-mlp", host: "127.0.0.1", port: 8080)
/// try await server.run()
/// ```
public final class PredictionServer: Sendable {
    /// The most bytes a request body may hold, and the most samples one request may send.
    public static let maxBodyBytes = 8 << 20
    public static let maxSamples = 4096
    public static let maxTokens = 10_000

    let server: HTTPServer
    let queue: PredictionQueue
    let metadata: Data
    let featureCount: Int
    let scalesImages: Bool
    let isLanguageModel: Bool
    let classNames: [String]?
    let classCount: Int
    let port: UInt16

    public init(checkpoint: String, host: String, port: UInt16) throws {
        self.port = port
        let trained = try TrainedModel(checkpoint: checkpoint)
        let generator = trained.vocabulary == nil ? nil : try TextGenerator(model: trained)
        queue = PredictionQueue(model: trained, generator: generator)
        featureCount = trained.config.model.input.reduce(1, *)
        scalesImages = trained.config.data.normalize == .scale
        isLanguageModel = generator != nil
        classNames = trained.classNames
        classCount = trained.classCount
        let kind = generator != nil ? "language model" : trained.classCount > 0 ? "classifier" : "regression"
        var info: [String: Any] = [
            "name": trained.config.name, "kind": kind, "input_shape": trained.config.model.input,
            "output_shape": trained.model.outputShape, "parameters": trained.model.parameterCount,
            "step": trained.state.step, "checkpoint": trained.directory.path, "summary": trained.model.summary(),
            "max_batch": trained.model.maxBatch,
        ]
        if trained.classCount > 0 { info["classes"] = (0..<trained.classCount).map { trained.classNames?[safe: $0] ?? String($0) } }
        metadata = try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys])
        let address: any SocketAddress = host.contains(":") ? try sockaddr_in6.inet6(ip6: host, port: port)
                                                             : try sockaddr_in.inet(ip4: host, port: port)
        server = HTTPServer(address: address, timeout: 30, logger: .disabled)
    }

    /// Serves until ``stop()``.
    public func run() async throws {
        await server.appendRoute("GET /health") { _ in Self.json(["status": "ok"]) }
        await server.appendRoute("GET /metadata") { [metadata] _ in HTTPResponse(statusCode: .ok, headers: [.contentType: "application/json"], body: metadata) }
        await server.appendRoute("POST /predict") { [self] request in await answer { try await predict(request) } }
        await server.appendRoute("POST /generate") { [self] request in await answer { try await generate(request) } }
        for path in ["/predict", "/generate", "/health", "/metadata"] {
            await server.appendRoute(HTTPRoute(path)) { request in
                Self.error(.methodNotAllowed, "\(request.method.rawValue) \(path) is not served; use " + (path.hasPrefix("/health") || path.hasPrefix("/metadata") ? "GET" : "POST"))
            }
        }
        await server.appendRoute("*") { request in
            Self.error(.notFound, "no route \(request.method.rawValue) \(request.path); the routes are POST /predict, POST /generate, GET /health, GET /metadata")
        }
        try await server.run()
    }

    /// Waits until the socket listens (for tests and the start message), then turns Nagle's
    /// algorithm off on it.
    public func waitUntilListening() async throws {
        try await server.waitUntilListening()
        Self.disableNagle(port: port)
    }

    /// FlyingFox writes a response's header and body in two writes: with Nagle's algorithm the
    /// body waits for the client's delayed ACK, 40 ms a request. It offers no option for this,
    /// but Linux copies TCP_NODELAY from the listening socket to each accepted one, so it is set
    /// on our listening socket, found among this process's descriptors by its port.
    static func disableNagle(port: UInt16) {
        for fd in Int32(3)..<Int32(1024) {
            var address = sockaddr_storage(), length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let found = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
            }
            guard found else { continue }
            var listening: Int32 = 0, size = socklen_t(MemoryLayout<Int32>.size)
            guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) == 0, listening != 0 else { continue }
            let family = Int32(address.ss_family)
            let boundPort: UInt16 = withUnsafePointer(to: &address) { pointer in
                switch family {
                case AF_INET: pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
                case AF_INET6: pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
                default: 0
                }
            }
            guard boundPort == port else { continue }
            var on: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    public func stop() async { await server.stop(timeout: 3) }

    /// A request that failed on what the client sent, with the status to answer.
    struct BadRequest: Error {
        let status: HTTPStatusCode
        let message: String
        init(_ message: String, _ status: HTTPStatusCode = .badRequest) { self.message = message; self.status = status }
    }

    private func answer(_ body: () async throws -> HTTPResponse) async -> HTTPResponse {
        do { return try await body() } catch let bad as BadRequest {
            return Self.error(bad.status, bad.message)
        } catch let error as PredictionError {
            return Self.error(.badRequest, error.description)
        } catch let error as GenerationError {
            return Self.error(.badRequest, error.description)
        } catch {
            return Self.error(.internalServerError, "\(error)")
        }
    }

    /// The body as a JSON object, refusing an oversized, empty or malformed one.
    private func object(_ request: HTTPRequest) async throws -> [String: Any] {
        guard let length = request.headers[.contentLength].flatMap(Int.init) else {
            throw BadRequest("a request body needs a Content-Length", .lengthRequired)
        }
        guard length <= Self.maxBodyBytes else {
            throw BadRequest("the body holds \(length) bytes; at most \(Self.maxBodyBytes) are accepted", .payloadTooLarge)
        }
        let data = try await request.bodyData
        guard !data.isEmpty else { throw BadRequest("the body is empty; send a JSON object") }
        let parsed: Any
        do { parsed = try JSONSerialization.jsonObject(with: data) } catch {
            throw BadRequest("the body is not valid JSON (\(error.localizedDescription))")
        }
        guard let object = parsed as? [String: Any] else { throw BadRequest("the body must be a JSON object, e.g. {\"inputs\": [[...]]}") }
        return object
    }

    private func predict(_ request: HTTPRequest) async throws -> HTTPResponse {
        if isLanguageModel { throw BadRequest("this is a language model: POST /generate with {\"prompt\": ...}") }
        let body = try await object(request)
        var rows: [[Float]]
        if let image = body["image"] {
            var values: [Float] = []
            try Self.flatten(image, into: &values, path: "image")
            guard values.allSatisfy({ (0...255).contains($0) }) else { throw BadRequest("image: pixels must be raw values in 0...255") }
            rows = [values]
        } else if let inputs = body["inputs"] as? [Any] {
            rows = try inputs.enumerated().map { i, sample in
                var values: [Float] = []
                try Self.flatten(sample, into: &values, path: "inputs[\(i)]")
                return values
            }
        } else {
            throw BadRequest(body["inputs"] == nil ? "expected {\"inputs\": [[...], ...]} or {\"image\": [...]}"
                                                   : "inputs: expected a list of samples")
        }
        guard !rows.isEmpty else { throw BadRequest("inputs: no samples") }
        guard rows.count <= Self.maxSamples else { throw BadRequest("\(rows.count) samples; at most \(Self.maxSamples) a request", .payloadTooLarge) }
        for (i, row) in rows.enumerated() where row.count != featureCount {
            throw BadRequest("\(body["image"] != nil ? "image" : "inputs[\(i)]"): \(row.count) values; the model reads \(featureCount)", .unprocessableContent)
        }
        let outputs = try await queue.predict(rows)
        if classCount > 0 {
            let labels = outputs.map(TrainedModel.label(of:))
            var answer: [String: Any] = ["predictions": labels, "probabilities": outputs.map { $0.map(Double.init) }]
            if let classNames { answer["labels"] = labels.map { classNames[safe: $0] ?? String($0) } }
            return Self.json(answer)
        }
        return Self.json(["predictions": outputs.map { $0.map(Double.init) }])
    }

    private func generate(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard isLanguageModel else { throw BadRequest("/generate needs a language model; this model answers POST /predict") }
        let body = try await object(request)
        guard let prompt = body["prompt"] as? String else { throw BadRequest("prompt: expected a string") }
        func number(_ key: String, _ fallback: Double) throws -> Double {
            guard let value = body[key] else { return fallback }
            guard !Self.isBool(value), let n = value as? NSNumber else { throw BadRequest("\(key): expected a number") }
            return n.doubleValue
        }
        let tokens = try number("tokens", 200), temperature = try number("temperature", 0.8), topK = try number("top_k", 40), seed = try number("seed", 1)
        guard tokens >= 0, tokens <= Double(Self.maxTokens), tokens == tokens.rounded() else { throw BadRequest("tokens: an integer in 0...\(Self.maxTokens)") }
        guard topK >= 1, topK == topK.rounded(), topK < 1e9 else { throw BadRequest("top_k: an integer ≥ 1") }
        guard seed >= 0, seed == seed.rounded(), seed < 1.8e19 else { throw BadRequest("seed: a non-negative integer") }
        let text = try await queue.generate(prompt: prompt, tokens: Int(tokens), temperature: temperature, topK: Int(topK), seed: UInt64(seed))
        return Self.json(["prompt": prompt, "text": prompt + text])
    }

    /// Numbers of `value` (a number or nested lists of them) appended in order.
    static func flatten(_ value: Any, into values: inout [Float], path: String) throws {
        if let list = value as? [Any] {
            for (i, item) in list.enumerated() { try flatten(item, into: &values, path: "\(path)[\(i)]") }
            return
        }
        guard !Self.isBool(value), let number = value as? NSNumber else {
            throw BadRequest("\(path): expected a number, got \(type(of: value) == NSNull.self ? "null" : "\(value)")")
        }
        let v = number.floatValue
        guard v.isFinite else { throw BadRequest("\(path): \(number) is not a finite Float") }
        values.append(v)
    }

    /// JSON's true and false, which Foundation also offers as numbers.
    static func isBool(_ value: Any) -> Bool { type(of: value) == Bool.self }

    static func json(_ object: [String: Any], status: HTTPStatusCode = .ok) -> HTTPResponse {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return HTTPResponse(statusCode: status, headers: [.contentType: "application/json"], body: data)
    }

    static func error(_ status: HTTPStatusCode, _ message: String) -> HTTPResponse {
        json(["error": message], status: status)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
