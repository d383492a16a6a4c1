import Foundation
import Testing
@testable import ShoalOptim

@Suite struct EarlyStoppingTests {
    @Test func stopsWhenTrainingLossFallsBelowThreshold() throws {
        let stopping = try EarlyStopping(lossBelow: 0.1)
        #expect(stopping.observe(trainingLoss: 0.5) == .continueTraining)
        #expect(stopping.observe(trainingLoss: 0.1) == .continueTraining)
        #expect(stopping.observe(trainingLoss: 0.09) == .stop(.lossBelowThreshold(loss: 0.09, threshold: 0.1)))
    }

    @Test func stopsAfterPatienceEvaluationsWithoutImprovement() throws {
        var stopping = try EarlyStopping(patience: 2, minDelta: 0.01, mode: .min)
        #expect(stopping.observe(validation: 1.0) == .continueTraining)   // best 1.0
        #expect(stopping.observe(validation: 0.8) == .continueTraining)   // best 0.8
        #expect(stopping.observe(validation: 0.795) == .continueTraining) // within min_delta: 1 without
        #expect(stopping.observe(validation: 0.7) == .continueTraining)   // best 0.7, counter reset
        #expect(stopping.observe(validation: 0.9) == .continueTraining)   // 1 without
        #expect(stopping.observe(validation: .nan) == .stop(.noImprovement(evaluations: 2, best: 0.7)))
    }

    @Test func maxModeWantsLargerValues() throws {
        var stopping = try EarlyStopping(patience: 1, mode: .max)
        #expect(stopping.observe(validation: 0.80) == .continueTraining)
        #expect(stopping.observe(validation: 0.85) == .continueTraining)
        #expect(stopping.observe(validation: 0.85) == .stop(.noImprovement(evaluations: 1, best: 0.85)))
    }

    @Test func disabledCriteriaNeverStop() throws {
        var stopping = try EarlyStopping()
        for value in [1.0, 2.0, 3.0, 4.0] {
            #expect(stopping.observe(validation: value) == .continueTraining)
            #expect(stopping.observe(trainingLoss: -value) == .continueTraining)
        }
    }

    @Test func stateRoundTripsThroughJSONAndResumesTheCount() throws {
        var stopping = try EarlyStopping(lossBelow: 0.01, patience: 3, minDelta: 0.001, mode: .min)
        _ = stopping.observe(validation: 0.5)
        _ = stopping.observe(validation: 0.6)
        let data = try JSONEncoder().encode(stopping.state)
        var restored = try EarlyStopping(lossBelow: 0.01, patience: 3, minDelta: 0.001, mode: .min)
        restored.state = try JSONDecoder().decode(EarlyStoppingState.self, from: data)
        #expect(restored == stopping)
        #expect(restored.best == 0.5 && restored.evaluationsWithoutImprovement == 1)
        #expect(restored.observe(validation: 0.6) == .continueTraining)
        #expect(restored.observe(validation: 0.6) == .stop(.noImprovement(evaluations: 3, best: 0.5)))
    }
}
