import ShoalData
import ShoalNN
import ShoalTensor

/// What a row of a model's outputs holds; the decision boundary of a single output depends on it.
public enum OutputScale: Sendable {
    /// The model's raw outputs, as training and evaluation see them: one output says class 1
    /// when its logit is above 0.
    case logits
    /// Softmax or sigmoid probabilities, as `predict` and `serve` report them: one output says
    /// class 1 when its probability is above 0.5.
    case probabilities

    /// Where a single output changes from class 0 to class 1: sigmoid(0) = 0.5.
    var boundary: Float {
        switch self {
        case .logits: 0
        case .probabilities: 0.5
        }
    }
}

/// The predicted label of each sample from a model's output, and what its targets and classes
/// are for a loss. One rule for the trainer's accuracy, the evaluator's confusion matrix, and
/// `predict`'s and `serve`'s class.
///
/// ```swift
/// Predictions.label(of: [0.1, 0.7, 0.2], scale: .probabilities)   // 1
/// Predictions.label(of: [-0.3], scale: .logits)                    // 0
/// let logits: [Float] = [0.1, 2.0, -1.0, 0.5, 0.3, 0.2]              // 2 samples of 3 classes
/// logits.withUnsafeBufferPointer { output in
///     let predictions = Predictions(output: output, width: 3)
///     predictions.label(of: 1)                                      // sample 1's class: 0
/// }
/// ```
public struct Predictions {
    let output: UnsafeBufferPointer<Float>
    let width: Int

    /// A batch of logits, `width` a sample.
    init(output: UnsafeBufferPointer<Float>, width: Int) {
        self.output = output
        self.width = width
    }

    /// The class of sample `sample` of the batch of logits.
    func label(of sample: Int) -> Int {
        Self.label(of: output.baseAddress! + sample * width, width: width, scale: .logits)
    }

    /// The class that `width` outputs say: the index of the largest (the first of equal ones), or
    /// for a single output 1 above its scale's boundary and 0 otherwise.
    ///
    /// Softmax and sigmoid keep the order of their inputs, so logits and their probabilities give
    /// the same class, except where rounding makes them equal: two nearly equal logits can give
    /// the same Float probability, and a logit in (0, 1.2e-7) a sigmoid that rounds to exactly 0.5
    /// (class 1 from the logit, 0 from the probability). Each caller keeps the scale it always used.
    public static func label(of row: UnsafePointer<Float>, width: Int, scale: OutputScale) -> Int {
        width == 1 ? (row[0] > scale.boundary ? 1 : 0) : argmax(row, count: width)
    }

    /// ``label(of:width:scale:)`` of one row held in an array; 0 for an empty row.
    public static func label(of row: [Float], scale: OutputScale) -> Int {
        row.withUnsafeBufferPointer { $0.baseAddress.map { label(of: $0, width: row.count, scale: scale) } ?? 0 }
    }

    /// What the targets must be for this output and loss.
    static func targetRule(outputWidth: Int, loss: LossSpec) -> TargetRule {
        switch loss {
        case .softmaxCrossEntropy: .classIndex(count: outputWidth)
        case .binaryCrossEntropy: .probability
        case .meanSquaredError: .any
        }
    }

    /// Number of classes the outputs stand for, or 0 for a regression loss.
    static func classCount(outputWidth: Int, loss: LossSpec) -> Int {
        switch loss {
        case .softmaxCrossEntropy: outputWidth
        case .binaryCrossEntropy: outputWidth == 1 ? 2 : 0
        case .meanSquaredError: 0
        }
    }
}
