import Foundation
import Testing

/// Bad input under mpirun -np 2: one clear error, said once, a non-zero exit, no signal, no
/// MPI_ABORT banner where every rank failed alike.
@Suite(.serialized) struct BadInputTests {
    /// A CSV file of `rows` rows: two features and a label from `label(row)`.
    static func csv(_ rows: Int, label: (Int) -> Int) throws -> String {
        let path = TrainingRun.makeDirectory() + "/data.csv"
        let text = "x1,x2,label\n" + (0..<rows).map { "\(Double($0) / 10),\(Double($0 % 7) / 7),\(label($0))" }.joined(separator: "\n") + "\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func expectCleanFailure(_ result: ShoalProcess.Result, saying message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.status == 1, "exit \(result.status): \(result.combined)", sourceLocation: sourceLocation)
        #expect(result.error.components(separatedBy: message).count == 2, "said once: \(result.combined)", sourceLocation: sourceLocation)
        for word in ["MPI_ABORT", "signal", "SIGILL", "Illegal instruction"] {
            #expect(!result.combined.contains(word), "\(word): \(result.combined)", sourceLocation: sourceLocation)
        }
    }

    @Test func labelsOutsideTheModelsOutputsAreRefusedWithFileRowAndLabel() throws {
        let path = try Self.csv(40) { $0 % 4 }
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let run = try TrainingRun.launch("configs/csv-binary.yaml", ranks: 2, [
            "data.csv.path=\(path)", "model.input=[2]", "model.layers[2].dense.units=3", "loss=softmax_cross_entropy",
            "data.limit_train=null", "data.limit_test=null",
        ])
        // Row 4 (label 3) is line 5 of the file, after the header.
        Self.expectCleanFailure(run.result, saying: "data.csv.path: \(path):5: target 3 is not a class index in 0..<3")
    }

    @Test func binaryCrossEntropyTargetsOutsideZeroOneAreRefused() throws {
        let path = try Self.csv(40) { 1 + $0 % 2 }
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let run = try TrainingRun.launch("configs/csv-binary.yaml", ranks: 2, [
            "data.csv.path=\(path)", "model.input=[2]", "data.limit_train=null", "data.limit_test=null",
        ])
        Self.expectCleanFailure(run.result, saying: "data.csv.path: \(path):3: target 2 is outside [0, 1], as binary cross-entropy needs")
    }

    @Test(arguments: ["exact", "fast"])
    func aDivergingRunStopsWithANonFiniteLossInsteadOfASignal(reduction: String) throws {
        let run = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, [
            "loss=mse", "model.layers[3].dense.units=1", "optimizer.name=sgd", "optimizer.lr=1e30", "schedule.kind=constant",
            "distributed.reduction=\(reduction)", "data.normalize=none",
        ])
        Self.expectCleanFailure(run.result, saying: "is not finite at step")
        #expect(!run.result.combined.contains("checkpoint written"))
    }

    @Test func aConfigErrorIsSaidOnceWithoutAnAbortBanner() throws {
        let run = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, ["optimizer.beta1=1.5"])
        Self.expectCleanFailure(run.result, saying: "optimizer.beta1: must be in [0, 1), got 1.5")
    }

    @Test func aGroupPatternThatMatchesNothingIsAConfigError() throws {
        let run = try TrainingRun.launch("configs/fashion-mlp.yaml", ranks: 2, ["optimizer.groups=[{match: \"*.bais\", weight_decay: 0}]"])
        Self.expectCleanFailure(run.result, saying: "optimizer.groups[0].match: '*.bais' matches no parameter tensor")
    }

    @Test func configShowUnderMPIPrintsOnce() throws {
        let result = try ShoalProcess.mpirun(ranks: 2, ["config", "show", "configs/fashion-cnn.yaml"])
        #expect(result.status == 0, "\(result.combined)")
        #expect(result.output.components(separatedBy: "name: fashion-cnn").count == 2, "\(result.output)")
        let bad = try ShoalProcess.mpirun(ranks: 2, ["config", "show", "configs/fashion-cnn.yaml", "--set", "training.epochs=0"])
        #expect(bad.status != 0)
        #expect(bad.error.components(separatedBy: "training.epochs: must be > 0").count == 2, "\(bad.combined)")
    }
}
