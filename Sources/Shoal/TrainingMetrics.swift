import Foundation

/// Sums of training steps between two records (a log interval, an epoch): the loss and accuracy
/// per sample, and the samples and time, for running means.
struct RunningMeans {
    var lossSum = 0.0, correct: Int64 = 0, samples = 0, steps = 0
    let start: Double

    init(start: Double) { self.start = start }

    mutating func add(_ step: Trainer.StepResult, batch: Int) {
        lossSum += step.loss * Double(batch)
        correct += step.correct
        samples += batch
        steps += 1
    }

    var loss: Double { samples > 0 ? lossSum / Double(samples) : .nan }
    var accuracy: Double { samples > 0 ? Double(correct) / Double(samples) : .nan }
}

extension Trainer {
    /// One training record: the running means since the last, the rate, the learning rate and the
    /// gradient norm (NaN, written as null, where it was not measured).
    func trainingValues(_ means: RunningMeans, now: Double, learningRate: Double, gradientNorm: Double) -> [(String, Double)] {
        var values = [("loss", means.loss)]
        if classCount > 0 { values.append(("accuracy", means.accuracy)) }
        let perSecond = Double(means.samples) / max(now - means.start, 1e-9)
        if splits.text != nil {
            values.append(("tokens_per_second", perSecond * Double(config.model.input[0])))
        } else {
            values.append(("samples_per_second", perSecond))
        }
        values += [("learning_rate", learningRate), ("grad_norm", gradientNorm)]
        return values
    }

    /// Epochs of the whole run, for `epoch 3/20`.
    var totalEpochs: Int { config.training.steps == nil ? config.training.epochs : (totalSteps + plan.stepsPerEpoch - 1) / plan.stepsPerEpoch }

    /// Keras's line at the end of an epoch: the epoch's mean training loss (not the last batch's),
    /// the validation metrics if it evaluated, and the epoch's time.
    /// `epoch 3/20 · loss 0.3120 · accuracy 0.8870 · val_loss 0.2980 · val_accuracy 0.9000 · 12.1 s`
    func epochLine(epoch: Int, _ means: RunningMeans, validation: EvaluationReport?, now: Double) -> String {
        epochValues(means, validation: validation, now: now).reduce("epoch \(epoch)/\(totalEpochs)") { line, field in
            field.0 == "seconds" ? line + String(format: " · %.1f s", field.1) : line + String(format: " · %@ %.4f", field.0, field.1)
        }
    }

    func epochValues(_ means: RunningMeans, validation: EvaluationReport?, now: Double) -> [(String, Double)] {
        var values = [("loss", means.loss)]
        if classCount > 0 { values.append(("accuracy", means.accuracy)) }
        if let validation {
            values += validation.metricFields.filter { $0.0 != "unigram_baseline" }.map { ("val_" + $0.0, $0.1) }
        }
        values.append(("seconds", now - means.start))
        return values
    }
}
