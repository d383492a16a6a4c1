import Foundation
import Testing

/// A character GPT trained on the fortunes corpus by real ranks, then sampled from (issue 13).
@Suite(.serialized) struct LanguageModelTests {
    static let tinyGPT = ShoalProcess.root.appendingPathComponent("Tests/MultiProcessTests/Fixtures/tiny-gpt.yaml").path

    @Test func aTinyGPTGivesTheSameBitsOnOneTwoAndThreeRanksAndAcrossAResumeOnAnotherRankCount() throws {
        var hashes: [Int: String] = [:]
        for ranks in [1, 2, 3] {
            let run = try TrainingRun.launch(Self.tinyGPT, ranks: ranks, ["distributed.reduction=exact"])
            #expect(run.result.status == 0, "\(run.result.combined)")
            #expect(run.result.output.contains("tokens/s") || run.result.output.contains("validation loss"), "\(run.result.combined)")
            hashes[ranks] = try #require(run.parameterHash, "\(run.result.combined)")
        }
        #expect(Set(hashes.values).count == 1, "\(hashes)")

        let directory = TrainingRun.makeDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try TrainingRun.launch(Self.tinyGPT, ranks: 2, [], directory: directory, flags: ["--stop-after", "10"])
        #expect(first.result.output.contains("checkpoint written: step 10"), "\(first.result.combined)")
        let resumed = try TrainingRun.launch(Self.tinyGPT, ranks: 3, [], directory: directory, flags: ["--resume", "auto"])
        #expect(resumed.result.output.contains("resumed from step 10"), "\(resumed.result.combined)")
        #expect(resumed.parameterHash == hashes[1], "\(resumed.result.combined)")

        // generate: the same text for the same seed, on one process and under mpirun (rank 0 prints)
        let checkpoints = directory + "/tiny-gpt/version_0/checkpoints"
        let arguments = ["generate", checkpoints, "--prompt", "The ", "--tokens", "60", "--temperature", "0.8", "--top-k", "20", "--seed", "5"]
        let once = try ShoalProcess.run(arguments), twice = try ShoalProcess.run(arguments)
        #expect(once.status == 0, "\(once.combined)")
        #expect(once.output.hasPrefix("The "))
        #expect(once.output.unicodeScalars.count == 4 + 60 + 1, "\(once.output)")
        #expect(twice.output == once.output)
        let underMPI = try ShoalProcess.mpirun(ranks: 2, arguments)
        #expect(underMPI.output == once.output, "\(underMPI.combined)")
        let otherSeed = try ShoalProcess.run(Array(arguments.dropLast()) + ["6"])
        #expect(otherSeed.output != once.output)
        let greedy = try ShoalProcess.run(["generate", checkpoints, "--prompt", "Th", "--tokens", "30", "--top-k", "1", "--seed", "1"])
        let greedyOtherSeed = try ShoalProcess.run(["generate", checkpoints, "--prompt", "Th", "--tokens", "30", "--top-k", "1", "--seed", "2"])
        #expect(greedy.status == 0 && greedy.output == greedyOtherSeed.output, "top-k 1 is the argmax, whatever the seed")

        for (bad, message) in [(["--prompt", "a€"], "\"€\" (U+20AC) at character 1 is not in the model's vocabulary of 113 characters"),
                               (["--temperature", "0"], "--temperature must be a number > 0, got 0.0"),
                               (["--temperature=-1"], "--temperature must be a number > 0, got -1.0"),
                               (["--top-k", "0"], "--top-k must be at least 1, got 0"),
                               (["--prompt", ""], "--prompt must hold at least one character")] {
            let refused = try ShoalProcess.run(["generate", checkpoints] + bad)
            #expect(refused.status != 0, "\(bad)")
            #expect(refused.error.contains(message), "\(bad): \(refused.combined)")
        }
        let notLM = try ShoalProcess.run(["generate", directory + "/nothing-here"])
        #expect(notLM.status != 0 && notLM.error.contains("no such file or directory"), "\(notLM.combined)")

        // shoal serve's POST /generate: the text shoal generate printed, for one client and for two at once.
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/curl") else { return }
        let server = try ServeTests.Server(checkpoints, log: directory + "/serve.log")
        let body = #"{"prompt": "The ", "tokens": 60, "temperature": 0.8, "top_k": 20, "seed": 5}"#
        let served = try ServeTests.request(server.base + "/generate", ["-d", body])
        #expect(served.status == 200 && ServeTests.json(served.body)["text"] as? String == String(once.output.dropLast()), "\(served.body)")
        let answers = Answers(), base = server.base
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            let body = (try? ServeTests.request(base + "/generate", ["-d", body]).body) ?? ""
            answers.lock.withLock { answers.bodies[i] = body }
        }
        #expect(answers.bodies[0] == served.body && answers.bodies[1] == served.body, "\(answers.bodies)")
        for (request, status, message) in [
            (#"{"prompt": "a€"}"#, 400, "\"€\" (U+20AC) at character 1 is not in the model's vocabulary"),
            (#"{"prompt": 3}"#, 400, "prompt: expected a string"),
            (#"{"prompt": "a", "tokens": 1e9}"#, 400, "tokens: an integer in 0...10000"),
            (#"{"prompt": "a", "top_k": true}"#, 400, "top_k: expected a number, got a boolean"),
        ] {
            let answer = try ServeTests.request(server.base + "/generate", ["-d", request])
            #expect(answer.status == status && (ServeTests.json(answer.body)["error"] as? String)?.contains(message) == true, "\(request): \(answer)")
        }
        let predict = try ServeTests.request(server.base + "/predict", ["-d", #"{"inputs": [[1]]}"#])
        #expect(predict.status == 400 && predict.body.contains("this is a language model"), "\(predict)")
        let stopped = server.stop()
        #expect(stopped.clean, "\(stopped.output)")
    }

    /// The LM head and the token embedding share one tensor: an overlapped reduction must wait
    /// for the embedding's backward before it sends that bucket (it once sent it after the
    /// head's, and the ranks' replicas differed).
    @Test(arguments: ["thread", "nonblocking"])
    func anOverlappedReductionOfATiedModelMatchesOneAfterBackward(overlap: String) throws {
        let settings = ["distributed.reduction=fast", "distributed.bucket_mb=0.004"]
        let run = try TrainingRun.launch(Self.tinyGPT, ranks: 2, settings + ["distributed.overlap=\(overlap)"])
        let reference = try TrainingRun.launch(Self.tinyGPT, ranks: 2, settings + ["distributed.overlap=none"])
        #expect(run.result.status == 0, "\(run.result.combined)")
        #expect(run.parameterHash != nil && run.parameterHash == reference.parameterHash, "\(run.result.combined)")
    }

    /// A few hundred steps of char-gpt on 2 ranks beat the unigram baseline the run prints.
    @Test func aShortCharGPTRunBeatsTheUnigramBaseline() throws {
        let run = try TrainingRun.launch("configs/char-gpt.yaml", ranks: 2,
                                         ["training.steps=150", "schedule.warmup_steps=20", "training.eval_every=150",
                                          "data.text.eval_windows=64", "distributed.reduction=fast"])
        #expect(run.result.status == 0, "\(run.result.combined)")
        let line = try #require(run.result.output.split(separator: "\n").first { $0.hasPrefix("validation loss ") }, "\(run.result.combined)")
        // "validation loss 2.4123 nats/char, unigram baseline 3.3756"
        let numbers = line.split(whereSeparator: { $0 == " " || $0 == "," }).compactMap { Double($0) }
        #expect(numbers.count == 2, "\(line)")
        #expect(numbers[0] < numbers[1], "\(line)")
    }
}
