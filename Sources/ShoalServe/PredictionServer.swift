import Coordinator
import Foundation
import Hummingbird
import Logging
import Shoal
import ShoalFormats

/// `shoal serve`: a trained model behind HTTP, on Hummingbird 2 (SwiftNIO). Hummingbird rather
/// than FlyingFox, which the first version used: a bare echo of the seed's request answers
/// 11,500 requests/s on one connection and 58,000 on 16 against FlyingFox's 6,500 and 13,000
/// here (benchmarks/RESULTS.md, issue 17), and the server's own share bounds what a model can serve.
/// Requests and answers are read and written by `StrictJSON`, not JSONSerialization: 784 numbers
/// as `[Any]` cost more than the model's forward, and a request's Floats are rounded once from
/// their digits, as the training files' readers round them.
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
/// try await server.run { print("listening") }    // until SIGTERM or SIGINT
/// ```
public final class PredictionServer: Sendable {
    /// The most bytes a request body may hold, and the most samples one request may send.
    public static let maxBodyBytes = 8 << 20
    public static let maxSamples = 4096
    public static let maxTokens = 10_000
    static let routes = "POST /predict, POST /generate, GET /health, GET /metadata"

    let queue: PredictionQueue
    let metadata: [UInt8]
    let featureCount: Int
    let isLanguageModel: Bool
    let classNames: [String]?
    let classCount: Int
    let host: String
    let port: Int

    public init(checkpoint: String, host: String, port: UInt16) throws {
        self.host = host
        self.port = Int(port)
        let trained = try TrainedModel(checkpoint: checkpoint)
        let generator = trained.codec == nil ? nil : try TextGenerator(model: trained)
        queue = PredictionQueue(model: trained, generator: generator)
        featureCount = trained.config.model.input.reduce(1, *)
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
        metadata = Array(try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys]))
    }

    /// Serves until SIGTERM or SIGINT, which let the requests in flight finish; `onListening` runs
    /// once the socket listens. Throws if the address cannot be bound.
    public func run(onListening: @escaping @Sendable () -> Void) async throws {
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { [self] request, _ in await respond(to: request) },
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { _ in onListening() },
            logger: Logger(label: "shoal.serve") { _ in SwiftLogNoOpLogHandler() }
        )
        try await app.runService()
    }

    func respond(to request: Request) async -> Response {
        let path = request.uri.path
        switch (request.method, path) {
        case (.get, "/health"): return Self.json(.object([("status", .string("ok"))]))
        case (.get, "/metadata"): return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: metadata)))
        case (.post, "/predict"): return await answer { try await predict(request) }
        case (.post, "/generate"): return await answer { try await generate(request) }
        case (_, "/predict"), (_, "/generate"), (_, "/health"), (_, "/metadata"):
            let method = path == "/predict" || path == "/generate" ? "POST" : "GET"
            var response = Self.error(.methodNotAllowed, "\(request.method) \(path) is not served; use \(method)")
            response.headers[.allow] = method
            return response
        default:
            return Self.error(.notFound, "no route \(request.method) \(path); the routes are \(Self.routes)")
        }
    }

    /// A request that failed on what the client sent, with the status to answer.
    struct BadRequest: Error {
        let status: HTTPResponse.Status
        let message: String
        init(_ message: String, _ status: HTTPResponse.Status = .badRequest) { self.message = message; self.status = status }
    }

    private func answer(_ body: () async throws -> StrictJSON) async -> Response {
        do { return Self.json(try await body()) } catch let bad as BadRequest {
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
    private func object(_ request: Request) async throws -> StrictJSON {
        let tooLarge = "at most \(Self.maxBodyBytes) are accepted"
        if let length = request.headers[.contentLength].flatMap(Int.init), length > Self.maxBodyBytes {
            throw BadRequest("the body holds \(length) bytes; \(tooLarge)", .contentTooLarge)
        }
        var bytes: [UInt8] = []
        for try await chunk in request.body {    // a chunked body has no length to check beforehand
            guard bytes.count + chunk.readableBytes <= Self.maxBodyBytes else { throw BadRequest("the body holds more than \(Self.maxBodyBytes) bytes; \(tooLarge)", .contentTooLarge) }
            bytes.append(contentsOf: chunk.readableBytesView)
        }
        guard !bytes.isEmpty else { throw BadRequest("the body is empty; send a JSON object") }
        let parsed: StrictJSON
        do { parsed = try StrictJSON.parse(bytes) } catch {
            throw BadRequest("the body is not valid JSON (\(error))")
        }
        guard case .object = parsed else { throw BadRequest("the body must be a JSON object, e.g. {\"inputs\": [[...]]}") }
        return parsed
    }

    private func predict(_ request: Request) async throws -> StrictJSON {
        if isLanguageModel { throw BadRequest("this is a language model: POST /generate with {\"prompt\": ...}") }
        let body = try await object(request)
        var rows: [[Float]]
        if let image = body["image"] {
            var values: [Float] = []
            try Self.flatten(image, into: &values, path: "image")
            guard values.allSatisfy({ (0...255).contains($0) }) else { throw BadRequest("image: pixels must be raw values in 0...255") }
            rows = [values]
        } else if case .array(let inputs)? = body["inputs"] {
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
        guard rows.count <= Self.maxSamples else { throw BadRequest("\(rows.count) samples; at most \(Self.maxSamples) a request", .contentTooLarge) }
        for (i, row) in rows.enumerated() where row.count != featureCount {
            throw BadRequest("\(body["image"] != nil ? "image" : "inputs[\(i)]"): \(row.count) values; the model reads \(featureCount)", .unprocessableContent)
        }
        let outputs = try await queue.predict(rows)
        let rowsOfNumbers = StrictJSON.array(outputs.map { .array($0.map(StrictJSON.init)) })
        guard classCount > 0 else { return .object([("predictions", rowsOfNumbers)]) }
        let labels = outputs.map(TrainedModel.label(of:))
        var members: [(key: String, value: StrictJSON)] = []
        if let classNames { members.append(("labels", .array(labels.map { .string(classNames[safe: $0] ?? String($0)) }))) }
        members.append(("predictions", .array(labels.map(StrictJSON.init))))
        members.append(("probabilities", rowsOfNumbers))
        return .object(members)
    }

    private func generate(_ request: Request) async throws -> StrictJSON {
        guard isLanguageModel else { throw BadRequest("/generate needs a language model; this model answers POST /predict") }
        let body = try await object(request)
        guard case .string(let prompt)? = body["prompt"] else { throw BadRequest("prompt: expected a string") }
        func number(_ key: String, _ fallback: Double) throws -> Double {
            guard let value = body[key] else { return fallback }
            guard let n = value.double else { throw BadRequest("\(key): expected a number, got \(value.kind)") }
            return n
        }
        let defaults = SamplingOptions.default  // shoal generate's
        let tokens = try number("tokens", Double(defaults.tokens)), temperature = try number("temperature", defaults.temperature)
        let topK = try number("top_k", Double(defaults.topK)), seed = try number("seed", Double(defaults.seed))
        guard tokens >= 0, tokens <= Double(Self.maxTokens), tokens == tokens.rounded() else { throw BadRequest("tokens: an integer in 0...\(Self.maxTokens)") }
        guard topK >= 1, topK == topK.rounded(), topK < 1e9 else { throw BadRequest("top_k: an integer ≥ 1") }
        guard seed >= 0, seed == seed.rounded(), seed < 1.8e19 else { throw BadRequest("seed: a non-negative integer") }
        let text = try await queue.generate(prompt: prompt, tokens: Int(tokens), temperature: temperature, topK: Int(topK), seed: UInt64(seed))
        return .object([("prompt", .string(prompt)), ("text", .string(prompt + text))])
    }

    /// Numbers of `value` (a number or nested lists of them) appended in order; `path` names it in errors.
    static func flatten(_ value: StrictJSON, into values: inout [Float], path: String) throws {
        switch value {
        case .number(let literal):
            guard let v = value.float, v.isFinite else { throw BadRequest("\(path): \(literal) is not a finite Float") }
            values.append(v)
        case .array(let items):
            values.reserveCapacity(values.count + items.count)
            for (i, item) in items.enumerated() {
                // The common case without building the item's path.
                if let v = item.float, v.isFinite { values.append(v) } else { try flatten(item, into: &values, path: "\(path)[\(i)]") }
            }
        default:
            throw BadRequest("\(path): expected a number, got \(value.kind)")
        }
    }

    static func json(_ value: StrictJSON, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: value.serialized)))
    }

    static func error(_ status: HTTPResponse.Status, _ message: String) -> Response {
        json(.object([("error", .string(message))]), status: status)
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
