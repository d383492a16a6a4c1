import Foundation
import Testing

/// `shoal serve` under a real HTTP client (curl) on loopback (issue 17): known answers, every bad
/// request its 4xx, concurrent clients, only the address asked for bound, a clean SIGTERM.
@Suite(.serialized) struct ServeTests {
    /// curl's status code and body for one request.
    static func request(_ url: String, _ arguments: [String] = []) throws -> (status: Int, body: String) {
        let curl = try ChildProcess.run("/usr/bin/curl", ["-s", "-m", "30", "-w", "\n%{http_code}", url] + arguments, timeout: 60)
        let text = String(decoding: curl.output, as: UTF8.self)
        let status = Int(text.split(separator: "\n").last ?? "") ?? -1
        return (status, String(text[..<(text.lastIndex(of: "\n") ?? text.endIndex)]))
    }

    func request(_ url: String, _ arguments: [String] = []) throws -> (status: Int, body: String) { try Self.request(url, arguments) }

    static func json(_ text: String) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    func json(_ text: String) -> [String: Any] { Self.json(text) }

    /// `shoal serve` on a random loopback port, once it says it serves; killed by `deinit` if
    /// still running. `stop()` sends SIGTERM and returns how it ended.
    final class Server {
        let process: ChildProcess
        let log: String
        let base: String

        init(_ checkpoint: String, log: String) throws {
            let port = Int.random(in: 20_000..<40_000)
            base = "http://127.0.0.1:\(port)"
            self.log = log
            process = try ChildProcess(ShoalProcess.binary, ["serve", checkpoint, "--port", String(port)],
                                       directory: ShoalProcess.root.path, output: log)
            var up = false
            for _ in 0..<200 where !up {
                up = output.contains("serving \(checkpoint) on \(base)")
                if !up { usleep(50_000) }
            }
            #expect(up, "\(output)")
        }

        var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        /// SIGTERM, then up to 10 s for a clean exit: (exited with status 0, its output).
        func stop() -> (clean: Bool, output: String) {
            kill(process.processIdentifier, SIGTERM)
            return (process.wait(timeout: 10) == 0, output)
        }

        deinit { if process.status == nil { process.kill() } }
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"), "needs curl (launch/test installs it)"))
    func theServerAnswersKnownInputsRefusesBadRequestsAndStopsOnSIGTERM() throws {
        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trained = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, [], directory: directory)
        #expect(trained.result.status == 0, "\(trained.result.combined)")
        let run = directory + "/fashion-mlp"
        // shoal predict's answers for the first test images: what the server must say too.
        let csv = directory + "/expected.csv"
        let predicted = try ShoalProcess.run(["predict", run, PredictTests.images, "-o", csv])
        #expect(predicted.status == 0, "\(predicted.combined)")
        let expected = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").dropFirst().prefix(8)
            .map { $0.split(separator: ",").dropFirst().compactMap { Float($0) } }
        let pixels = try PredictTests.testImages(count: 8)

        let server = try Server(run, log: directory + "/serve.log"), base = server.base
        let port = Int(base.split(separator: ":").last!)!

        // It listens on 127.0.0.1 only (no 0.0.0.0 or other address in /proc/net/tcp for the port).
        let hexPort = String(format: ":%04X", port)
        let table: String = (try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)) ?? ""
        var listening: [String] = []
        for line in table.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if fields.count > 3 && fields[1].hasSuffix(hexPort) && fields[3] == "0A" { listening.append(fields[1]) }
        }
        #expect(listening == ["0100007F" + hexPort], "\(listening)")

        #expect(try request(base + "/health") == (200, #"{"status":"ok"}"#))
        let metadata = json(try request(base + "/metadata").body)
        #expect((metadata["classes"] as? [String])?.first == "T-shirt/top" && metadata["input_shape"] as? [Int] == [28, 28, 1], "\(metadata)")

        // The seed's request: one raw image; then a batch; then eight clients at once, whose
        // requests the server may merge. Every answer has shoal predict's bits: a sample's outputs
        // do not depend on the samples computed with it.
        func expectAnswer(_ body: String, rows: [Int], _ context: String) {
            let answer = json(body)
            let probabilities = (answer["probabilities"] as? [[Double]])?.map { $0.map(Float.init) } ?? []
            #expect(answer["predictions"] as? [Int] == rows.map { Int(expected[$0][0]) }, "\(context): \(body)")
            #expect(probabilities == rows.map { Array(expected[$0].dropFirst()) }, "\(context): the bits of shoal predict")
        }
        let single = try request(base + "/predict", ["-d", #"{"image": \#(pixels[0])}"#])
        #expect(single.status == 200)
        expectAnswer(single.body, rows: [0], "one image")
        let chunked = try request(base + "/predict", ["-H", "Transfer-Encoding: chunked", "-d", #"{"image": \#(pixels[0])}"#])
        expectAnswer(chunked.body, rows: [0], "one image in a chunked body")
        let batch = try request(base + "/predict", ["-d", #"{"inputs": [\#(pixels[5]), \#(pixels[1]), \#(pixels[7])]}"#])
        expectAnswer(batch.body, rows: [5, 1, 7], "three inputs")
        let alone = try (0..<8).map { i in try request(base + "/predict", ["-d", #"{"image": \#(pixels[i])}"#]).body }
        for i in 0..<8 { expectAnswer(alone[i], rows: [i], "image \(i) alone") }
        let answers = Answers()
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let body = (try? request(base + "/predict", ["-d", #"{"image": \#(pixels[i])}"#]).body) ?? ""
            answers.lock.withLock { answers.bodies[i] = body }
        }
        for i in 0..<8 { expectAnswer(answers.bodies[i] ?? "", rows: [i], "client \(i) of 8 at once") }

        // Every bad request: its 4xx and a JSON error saying what is wrong; the server stays up.
        let big = directory + "/big.json"
        try Data(#"{"inputs": [[\#(String(repeating: "0,", count: 4_500_000))0]]}"#.utf8).write(to: URL(fileURLWithPath: big))
        for (arguments, path, status, message) in [
            (["-d", "{bad"], "/predict", 400, "not valid JSON"),
            (["-d", "[1, 2]"], "/predict", 400, "must be a JSON object"),
            (["-d", #"{"inputs": [[1, 2]]}"#], "/predict", 422, "inputs[0]: 2 values; the model reads 784"),
            (["-d", #"{"inputs": [["a"]]}"#], "/predict", 400, "inputs[0][0]: expected a number"),
            (["-d", #"{"inputs": [[NaN]]}"#], "/predict", 400, "not valid JSON"),
            (["-d", #"{"inputs": [[1e39]]}"#], "/predict", 400, "is not a finite Float"),
            (["-d", #"{"image": [300]}"#], "/predict", 400, "pixels must be raw values in 0...255"),
            (["-d", #"{"pixels": []}"#], "/predict", 400, #"expected {\"inputs\""#),
            (["--data-binary", "@" + big], "/predict", 413, "at most 8388608 are accepted"),
            (["--data-binary", "@" + big, "-H", "Transfer-Encoding: chunked"], "/predict", 413, "at most 8388608 are accepted"),
            (["-d", #"{"inputs": [[1, 2],]}"#], "/predict", 400, "not valid JSON (unexpected ']' at byte 19)"),
            (["-d", #"{"inputs": \#(String(repeating: "[", count: 100))"#], "/predict", 400, "nested deeper than 64"),
            (["-d", #"{"inputs": "abc"}"#], "/predict", 400, "inputs: expected a list of samples"),
            (["-d", ""], "/predict", 400, "the body is empty"),
            ([], "/nowhere", 404, "no route GET /nowhere"),
            ([], "/predict", 405, "GET /predict is not served; use POST"),
            (["-d", #"{"prompt": "a"}"#], "/generate", 400, "/generate needs a language model"),
        ] {
            let answer = try request(base + path, arguments)
            #expect(answer.status == status && (json(answer.body)["error"] as? String)?.contains(message.replacingOccurrences(of: "\\\"", with: "\"")) == true,
                    "\(path) \(arguments.prefix(2)): \(answer.status) \(answer.body.prefix(300))")
        }
        #expect(try request(base + "/health").status == 200)

        let stopped = server.stop()
        #expect(stopped.clean && stopped.output.hasSuffix("stopped\n"), "\(stopped.output)")
    }
}

/// The concurrent clients' answers, by client.
final class Answers: @unchecked Sendable {
    let lock = NSLock()
    var bodies: [Int: String] = [:]
}
