import ShoalTensor
import Testing
@testable import ShoalOptim

/// Impossible hyperparameters are refused with an error naming the config key.
@Suite struct ValidationTests {
    let slices = [ParameterArena.Entry(name: "w", shape: [2], offset: 0)]

    @Test(arguments: [
        (OptimizerKind.momentum(-0.1), "momentum"),
        (.momentum(1), "momentum"),
        (.nesterov(1.5), "momentum"),
        (.adam(beta1: 1, beta2: 0.999, eps: 1e-8), "beta1"),
        (.adam(beta1: -0.1, beta2: 0.999, eps: 1e-8), "beta1"),
        (.adamW(beta1: 0.9, beta2: 1, eps: 1e-8), "beta2"),
        (.adam(beta1: 0.9, beta2: 0.999, eps: 0), "eps"),
        (.adamW(beta1: 0.9, beta2: 0.999, eps: -1e-8), "eps"),
        (.adam(beta1: 0.9, beta2: 0.999, eps: .nan), "eps"),
    ])
    func invalidKindNamesItsKey(kind: OptimizerKind, key: String) {
        #expect(errorKey { _ = try Optimizer(kind: kind, entries: slices, defaults: GroupOptions()) } == key)
    }

    @Test func invalidGroupOptionsNameTheirKey() {
        #expect(errorKey {
            _ = try Optimizer(kind: .sgd, entries: slices, defaults: GroupOptions(weightDecay: -1))
        } == "weight_decay")
        #expect(errorKey {
            _ = try Optimizer(kind: .sgd, entries: slices, defaults: GroupOptions(l1: -0.5))
        } == "l1")
        #expect(errorKey {
            _ = try Optimizer(kind: .sgd, entries: slices, defaults: GroupOptions(), groups: [
                ParameterGroup(pattern: "*.bias", options: GroupOptions()),
                ParameterGroup(pattern: "*.norm", options: GroupOptions(lrScale: .infinity)),
            ])
        } == "groups[1].lr_scale")
    }

    @Test func errorDescriptionNamesKeyValueAndReason() {
        let error = OptimizerError.invalidHyperparameter(key: "beta1", value: "1.5", reason: "must be in [0, 1)")
        #expect(error.description == "beta1 = 1.5: must be in [0, 1)")
        #expect(throws: OptimizerError.invalidHyperparameter(key: "beta1", value: "1.5", reason: "must be in [0, 1)")) {
            _ = try Optimizer(kind: .adam(beta1: 1.5), entries: slices, defaults: GroupOptions())
        }
    }

    @Test func invalidSlicesAreRefused() {
        func refuses(_ slices: [ParameterArena.Entry]) -> Bool {
            do {
                _ = try Optimizer(kind: .sgd, entries: slices, defaults: GroupOptions())
                return false
            } catch OptimizerError.invalidParameterEntry {
                return true
            } catch {
                return false
            }
        }
        #expect(refuses([ParameterArena.Entry(name: "a", shape: [2], offset: -1)]))
        #expect(refuses([ParameterArena.Entry(name: "a", shape: [2], offset: 0), ParameterArena.Entry(name: "a", shape: [2], offset: 2)]))
        #expect(refuses([ParameterArena.Entry(name: "a", shape: [3], offset: 0), ParameterArena.Entry(name: "b", shape: [2], offset: 2)]))
        #expect(!refuses([ParameterArena.Entry(name: "a", shape: [2], offset: 0), ParameterArena.Entry(name: "b", shape: [2], offset: 2)]))
    }

    @Test(arguments: [
        (LearningRateSchedule.step(everySteps: 0, gamma: 0.5), "step_size"),
        (.step(everySteps: 10, gamma: 0), "gamma"),
        (.exponential(gamma: 1.5), "gamma"),
        (.exponential(gamma: 0.9, decaySteps: 0), "decay_steps"),
        (.cosine(totalSteps: 0), "total_steps"),
        (.cosine(totalSteps: 100, minRate: -1), "min_lr"),
        (.warmup(steps: -1, then: .constant), "warmup_steps"),
        (.warmup(steps: 101, then: .cosine(totalSteps: 100)), "warmup_steps"),
        (.warmup(steps: 1, then: .warmup(steps: 1, then: .constant)), "warmup_steps"),
    ])
    func invalidScheduleNamesItsKey(schedule: LearningRateSchedule, key: String) {
        #expect(errorKey { try schedule.validate() } == key)
    }

    @Test func baseRateIsValidatedAsLr() {
        #expect(errorKey { try LearningRateSchedule.constant.validate(baseRate: -0.1) } == "lr")
        #expect(errorKey { try LearningRateSchedule.constant.validate(baseRate: .infinity) } == "lr")
        #expect(errorKey {
            try LearningRateSchedule.warmup(steps: 10, then: .cosine(totalSteps: 100, minRate: 0.5)).validate(baseRate: 0.1)
        } == "min_lr")
        #expect(errorKey { try LearningRateSchedule.warmup(steps: 100, then: .cosine(totalSteps: 100)).validate(baseRate: 0.1) } == nil)
    }

    @Test func clipNormAndEarlyStoppingSettingsAreValidated() {
        #expect(errorKey { _ = try EarlyStopping(patience: 0) } == "patience")
        #expect(errorKey { _ = try EarlyStopping(minDelta: -1) } == "min_delta")
        #expect(errorKey { _ = try EarlyStopping(lossBelow: .nan) } == "loss_below")
    }
}
