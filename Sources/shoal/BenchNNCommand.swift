import ArgumentParser
import Foundation
import ShoalNN
import ShoalTensor

/// The Shoal side of benchmarks/nn_forward_backward.sh: one training step (zero grad, forward,
/// loss, backward, SGD update) of a seed model at a micro-batch, on the BLAS threads the
/// environment gives (the script sets one).
struct BenchNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "Forward+backward samples/s of the seed MLP and CNNs, and the sgemm roofline.",
        discussion: "Prints `sgemm <GFLOP/s>` (square 1024 sgemm), then per model and batch `shoal <model> <batch> <samples/s median> <flops/sample> <samples/s best>`. Run with OPENBLAS_NUM_THREADS=1 for one core."
    )

    @Option(help: "Timed runs per model and batch; the line shows their median and best.")
    var runs = 5

    @Option(help: "Only this model.")
    var model: BenchModel?

    @Option(help: "Only this micro-batch (default: 32, 64 and 256).")
    var batch: Int?

    static let models: [(name: BenchModel, input: [Int], layers: [LayerSpec], samplesPerRun: Int)] = [
        (.mlp, [784], [.dense(units: 256, activation: .relu), .dense(units: 128, activation: .relu), .dense(units: 10)], 16384),
        (.cnn, [28, 28, 1], [
            .conv2D(filters: 32, kernel: 3, activation: .relu), .maxPool2D(size: 2), .dropout(rate: 0.25), .flatten,
            .dense(units: 128, activation: .relu), .dropout(rate: 0.5), .dense(units: 10),
        ], 4096),
        (.cnn3, [28, 28, 1], [
            .conv2D(filters: 32, kernel: 3, activation: .relu), .maxPool2D(size: 2),
            .conv2D(filters: 64, kernel: 3, activation: .relu), .maxPool2D(size: 2),
            .conv2D(filters: 64, kernel: 3, activation: .relu), .flatten, .dense(units: 64, activation: .relu), .dense(units: 10),
        ], 2048),
    ]

    func validate() throws {
        guard runs > 0 else { throw ValidationError("--runs must be at least 1, got \(runs)") }
        if let batch, batch < 1 { throw ValidationError("--batch must be at least 1, got \(batch)") }
    }

    func run() throws {
        print("sgemm \(measureSgemmGFLOPS(size: 1024, repeats: 5))")
        for entry in Self.models where model == nil || model == entry.name {
            for b in [32, 64, 256] where batch == nil || batch == b {
                let m = try Model(inputShape: entry.input, layers: entry.layers, loss: .softmaxCrossEntropy, seed: 1, maxBatch: b)
                let iterations = max(4, entry.samplesPerRun / b)
                let rates = (0..<runs).map { _ in benchmarkForwardBackward(m, batch: b, iterations: iterations) }.sorted()
                print("shoal \(entry.name.rawValue) \(b) \(rates[rates.count / 2]) \(m.trainingFlopsPerSample) \(rates.last!)")
            }
        }
    }
}

/// `shoal bench nn --model`: the seed models of ``BenchNNCommand/models``, one each.
enum BenchModel: String, CaseIterable, ExpressibleByArgument {
    case mlp, cnn, cnn3
}

/// Times training steps of `model` (zero gradients, forward in training mode with dropout,
/// softmax cross-entropy, backward, a plain SGD update θ −= 0.01·g) on uniform inputs and random
/// labels; returns samples per second after two untimed warm-up steps.
func benchmarkForwardBackward(_ model: Model, batch: Int, iterations: Int) -> Double {
    let rng = Philox(seed: 2)
    let classes = UInt64(model.outputShape.reduce(1, *))
    let x = (0..<batch * model.inputShape.reduce(1, *)).map { rng.uniform(at: UInt64($0)) }
    let t = (0..<batch).map { Float(rng.uniformInt(below: classes, at: UInt64(1 << 40 + $0))) }
    let ids = (0..<batch).map { Int32($0) }
    let p = model.arena.parameters.baseAddress!, g = model.arena.gradients.baseAddress!, n = model.arena.count
    return x.withUnsafeBufferPointer { xs in
        t.withUnsafeBufferPointer { ts in
            ids.withUnsafeBufferPointer { ids in
                func step(_ s: Int) {
                    model.arena.zeroGradients()
                    _ = model.forward(xs, batch: batch, context: ForwardContext(training: true, step: UInt64(s), sampleIndices: ids))
                    _ = model.loss(targets: ts, gradientScale: 1 / Float(batch))
                    model.backward()
                    axpy(-0.01, g, p, count: n)
                }
                step(0); step(1)
                let elapsed = ContinuousClock().measure { for s in 0..<iterations { step(s + 2) } }
                return Double(batch * iterations) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            }
        }
    }
}

/// GFLOP/s of one `size`×`size` sgemm on this process's BLAS threads: the median of `repeats`
/// timed runs. The roofline of the benchmarks.
func measureSgemmGFLOPS(size: Int, repeats: Int) -> Double {
    let rng = Philox(seed: 1)
    let a = (0..<size * size).map { rng.uniform(at: UInt64($0)) - 0.5 }
    let b = (0..<size * size).map { rng.uniform(at: UInt64($0 + size * size)) - 0.5 }
    var c = [Float](repeating: 0, count: size * size)
    func run() {
        a.withUnsafeBufferPointer { a in
            b.withUnsafeBufferPointer { b in
                c.withUnsafeMutableBufferPointer { c in
                    sgemm(transA: false, transB: false, m: size, n: size, k: size, a: a.baseAddress!, lda: size,
                          b: b.baseAddress!, ldb: size, beta: 0, c: c.baseAddress!, ldc: size)
                }
            }
        }
    }
    run()  // warm-up
    let times = (0..<max(repeats, 1)).map { _ in
        let t = ContinuousClock().measure { run() }
        return Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18
    }.sorted()
    return 2 * Double(size * size * size) / times[times.count / 2] / 1e9
}
