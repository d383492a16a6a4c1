import Coordinator
import Foundation
import ShoalComm
import ShoalConfig
import Testing

@testable import Shoal

/// The training step in-process, on the single-process communicator (a real implementation of a
/// job of one); the multi-rank behaviour is tested under mpirun in MultiProcessTests.
@Suite(.serialized) struct TrainerTests {
    /// A few steps of the MLP on 256 Fashion-MNIST samples, writing into a fresh directory.
    static func config(_ overrides: [String] = []) throws -> (RunConfig, String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shoal-trainer-\(UUID().uuidString)").path
        let config = try RunConfig.loadDefault(overrides: [
            "data.limit_train=256", "data.limit_test=64", "training.epochs=1", "training.global_batch=64", "training.micro_batch=16",
            "logging.progress=none", "logging.dir=\(directory)",
        ] + overrides)
        return (config, directory)
    }

    @Test(arguments: ["exact", "fast"])
    func aStepChangesTheParametersTheSameWayEveryTime(reduction: String) throws {
        let (config, directory) = try Self.config(["distributed.reduction=\(reduction)"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func firstStep() throws -> (loss: Double, hash: String, before: String) {
            let trainer = try Trainer(config: config, world: SingleProcessCommunicator())
            let before = trainer.parameterHash()
            trainer.plan.permutation(epoch: 0, into: trainer.permutation)
            let result = try trainer.trainStep(TrainingPosition())
            #expect(result.loss.isFinite && result.loss > 0)
            #expect(!result.stopRequested)
            return (result.loss, trainer.parameterHash(), before)
        }
        let a = try firstStep(), b = try firstStep()
        #expect(a.hash != a.before, "the step changed the parameters")
        #expect(a == b, "two fresh trainers take the same first step")
    }

    @Test func exactModeLeavesTheArenaGradientsZeroForTheNextStep() throws {
        let (config, directory) = try Self.config(["distributed.reduction=exact"])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trainer = try Trainer(config: config, world: SingleProcessCommunicator())
        trainer.plan.permutation(epoch: 0, into: trainer.permutation)
        _ = try trainer.trainStep(TrainingPosition())
        #expect(trainer.model.arena.gradients.allSatisfy { $0 == 0 })
        #expect(trainer.reduction.gradients.contains { $0 != 0 })
    }

    @Test func aRunStoppedAndResumedInProcessEndsWithTheSameBits() throws {
        let (config, directory) = try Self.config()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let straight = try Trainer(config: config, world: SingleProcessCommunicator()).run()
        var resumedConfig = config
        resumedConfig.logging.dir = directory + "/resumed"
        _ = try Trainer(config: resumedConfig, world: SingleProcessCommunicator()).run(stopAfter: 2)
        let resumed = try Trainer(config: resumedConfig, world: SingleProcessCommunicator()).run(resume: .auto)
        #expect(straight.steps == 4 && resumed.steps == 4)
        #expect(resumed.parameterHash == straight.parameterHash)
    }
}
