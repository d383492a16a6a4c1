import Foundation
import Testing

@testable import Shoal

/// One rule names the class of a row of outputs, for the trainer and evaluator (logits) and for
/// predict and serve (probabilities).
@Suite struct PredictionsTests {
    static func sigmoid(_ x: Float) -> Float { Float(1 / (1 + exp(-Double(x)))) }

    @Test("one output: class 1 above 0 for a logit, above 0.5 for a probability")
    func oneOutput() {
        #expect(Predictions.label(of: [0.3], scale: .logits) == 1)
        #expect(Predictions.label(of: [-0.3], scale: .logits) == 0)
        #expect(Predictions.label(of: [0], scale: .logits) == 0)
        #expect(Predictions.label(of: [0.3], scale: .probabilities) == 0)
        #expect(Predictions.label(of: [0.7], scale: .probabilities) == 1)
        #expect(Predictions.label(of: [0.5], scale: .probabilities) == 0)
        #expect(Predictions.label(of: [.nan], scale: .logits) == 0 && Predictions.label(of: [.nan], scale: .probabilities) == 0)
        // A logit and its sigmoid agree wherever the sigmoid does not round to 0.5.
        for logit: Float in [-30, -4, -0.25, -1e-3, 1e-3, 0.25, 4, 30] {
            #expect(Predictions.label(of: [logit], scale: .logits) == Predictions.label(of: [Self.sigmoid(logit)], scale: .probabilities),
                    "logit \(logit)")
        }
        #expect(TrainedModel.label(of: [0.7]) == 1 && TrainedModel.label(of: [0.3]) == 0)
    }

    @Test("several outputs: the index of the largest, the first of equal ones, on either scale")
    func severalOutputs() {
        for scale in [OutputScale.logits, .probabilities] {
            #expect(Predictions.label(of: [0.1, 0.7, 0.2], scale: scale) == 1)
            #expect(Predictions.label(of: [0.4, 0.2, 0.4], scale: scale) == 0)
            #expect(Predictions.label(of: [-3, -1, -2, -1], scale: scale) == 1)
            #expect(Predictions.label(of: [0.2, 0.3], scale: scale) == 1)
        }
        #expect(Predictions.label(of: [], scale: .logits) == 0)
        #expect(TrainedModel.label(of: [0.2, 0.5, 0.3]) == 1)
    }

    @Test("a batch of logits gives each sample's class as the row rule does")
    func batchOfLogits() {
        let output: [Float] = [0.1, 0.9, -1, 2, 5, 5]
        output.withUnsafeBufferPointer { buffer in
            let predictions = Predictions(output: buffer, width: 2)
            #expect((0..<3).map(predictions.label(of:)) == [1, 1, 0])
        }
        [Float](arrayLiteral: 0.2, -0.1).withUnsafeBufferPointer { buffer in
            #expect((0..<2).map(Predictions(output: buffer, width: 1).label(of:)) == [1, 0])
        }
    }

    @Test("the sampling defaults generate, predict and serve share")
    func samplingDefaults() {
        #expect(SamplingOptions.default == SamplingOptions(tokens: 200, temperature: 0.8, topK: 40, seed: 1))
    }
}
