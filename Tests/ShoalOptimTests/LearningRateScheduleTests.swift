import Foundation
import Testing
@testable import ShoalOptim

@Suite struct LearningRateScheduleTests {
    let base = 0.1

    @Test func constantIsTheBaseRate() {
        for step in [0, 1, 1000] {
            #expect(LearningRateSchedule.constant.learningRate(atStep: step, baseRate: base) == base)
        }
    }

    @Test func stepDecayMultipliesByGammaEveryNSteps() {
        let s = LearningRateSchedule.step(everySteps: 10, gamma: 0.5)
        #expect(s.learningRate(atStep: 0, baseRate: base) == 0.1)
        #expect(s.learningRate(atStep: 9, baseRate: base) == 0.1)
        #expect(s.learningRate(atStep: 10, baseRate: base) == 0.05)
        #expect(s.learningRate(atStep: 25, baseRate: base) == 0.025)
    }

    @Test func exponentialDecay() {
        let smooth = LearningRateSchedule.exponential(gamma: 0.9)
        #expect(close(smooth.learningRate(atStep: 3, baseRate: base), 0.1 * 0.729))
        let perHundred = LearningRateSchedule.exponential(gamma: 0.5, decaySteps: 100)
        #expect(close(perHundred.learningRate(atStep: 50, baseRate: base), 0.1 * 0.5.squareRoot()))
        #expect(close(perHundred.learningRate(atStep: 200, baseRate: base), 0.025))
        let stairs = LearningRateSchedule.exponential(gamma: 0.5, decaySteps: 100, staircase: true)
        #expect(stairs.learningRate(atStep: 199, baseRate: base) == 0.05)
    }

    @Test func cosineGoesFromBaseToMinOverTotalSteps() {
        let s = LearningRateSchedule.cosine(totalSteps: 100, minRate: 0.01)
        #expect(s.learningRate(atStep: 0, baseRate: base) == 0.1)
        #expect(close(s.learningRate(atStep: 50, baseRate: base), 0.055))   // halfway: mean of the two
        #expect(close(s.learningRate(atStep: 25, baseRate: base), 0.01 + 0.09 * 0.5 * (1 + cos(Double.pi / 4))))
        #expect(s.learningRate(atStep: 100, baseRate: base) == 0.01)
        #expect(s.learningRate(atStep: 500, baseRate: base) == 0.01)
    }

    @Test func warmupThenCosineEndPoints() {
        // warmup 10 of 110 steps: 0.01, 0.02, ..., 0.1 at step 9; cosine over steps 10...110.
        let s = LearningRateSchedule.warmup(steps: 10, then: .cosine(totalSteps: 110, minRate: 0.001))
        #expect(close(s.learningRate(atStep: 0, baseRate: base), 0.01))
        #expect(close(s.learningRate(atStep: 4, baseRate: base), 0.05))
        #expect(close(s.learningRate(atStep: 9, baseRate: base), 0.1))
        #expect(s.learningRate(atStep: 10, baseRate: base) == 0.1)
        #expect(close(s.learningRate(atStep: 60, baseRate: base), 0.0505))
        #expect(s.learningRate(atStep: 110, baseRate: base) == 0.001)
        #expect(s.learningRate(atStep: 111, baseRate: base) == 0.001)
    }

    @Test func warmupThenStepDecayCountsFromTheEndOfWarmup() {
        let s = LearningRateSchedule.warmup(steps: 5, then: .step(everySteps: 10, gamma: 0.1))
        #expect(close(s.learningRate(atStep: 14, baseRate: base), 0.1))
        #expect(close(s.learningRate(atStep: 15, baseRate: base), 0.01))
    }

    @Test func scheduleIsAPureFunctionOfTheStep() {
        // Resume needs only the step: evaluating out of order gives the same values.
        let s = LearningRateSchedule.warmup(steps: 7, then: .exponential(gamma: 0.99, decaySteps: 3))
        let forward = (0..<50).map { s.learningRate(atStep: $0, baseRate: base) }
        let backward = (0..<50).reversed().map { s.learningRate(atStep: $0, baseRate: base) }
        #expect(forward == backward.reversed())
    }
}
