import ArgumentParser
import Foundation
import ShoalNN
import ShoalTensor

/// The Shoal side of benchmarks/transformer_block.sh: forward and backward of one pre-LayerNorm
/// Transformer block (`x + attn(ln1(x))`, `x + mlp(ln2(x))`, a 4× GELU MLP) on (batch, T, C), from a
/// fixed output gradient, on the BLAS threads the environment gives.
struct BenchBlockCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "block",
        abstract: "Forward+backward of one Transformer block: milliseconds, tokens/s and GFLOP/s, and the sgemm roofline.",
        discussion: "Prints `sgemm <GFLOP/s>` (square 1024 sgemm), then `shoal <C> <T> <ms median> <ms best> <GFLOP per step>`. Run with OPENBLAS_NUM_THREADS=1 for one core."
    )

    @Option(help: "Width C.") var width = 128
    @Option(help: "Positions T.") var positions = 128
    @Option(help: "Heads (C / heads per head).") var heads = 4
    @Option(help: "Sequences per step.") var batch = 16
    @Option(help: "Timed runs; the line shows their median and best.") var runs = 5
    @Option(help: "Steps per run.") var steps = 5

    func validate() throws {
        for (name, value) in [("width", width), ("positions", positions), ("heads", heads), ("batch", batch), ("runs", runs), ("steps", steps)]
        where value < 1 { throw ValidationError("--\(name) must be at least 1, got \(value)") }
        if width % heads != 0 { throw ValidationError("--heads (\(heads)) must divide --width (\(width))") }
    }

    /// Training GEMM FLOPs of one block step: forward, weight gradient and input gradient of the
    /// four projections (2·3 per multiply-add), and the two attention products forward and twice
    /// backward, per token: 6·12C² + 6·2·T·C, times B·T (the 12·layers·width·block term of issue 13).
    static func flops(width C: Int, positions T: Int, batch B: Int) -> Double {
        Double(B * T) * (6 * 12 * Double(C * C) + 12 * Double(T * C))
    }

    func run() throws {
        print("sgemm \(measureSgemmGFLOPS(size: 1024, repeats: 5))")
        let C = width, T = positions
        let block: [LayerSpec] = [
            .residual([.layerNorm(), .attention(heads: heads)]),
            .residual([.layerNorm(), .dense(units: 4 * C, activation: .gelu), .dense(units: C)]),
        ]
        let model = try Model(inputShape: [T, C], layers: block, loss: .meanSquaredError, seed: 1, maxBatch: batch,
                              computeInputGradient: true)
        let rng = Philox(seed: 3)
        let x = (0..<batch * T * C).map { rng.uniform(at: UInt64($0)) - 0.5 }
        let dy = (0..<batch * T * C).map { rng.uniform(at: UInt64(1 << 40 + $0)) - 0.5 }
        let times = x.withUnsafeBufferPointer { x in
            dy.withUnsafeBufferPointer { dy in
                func step() {
                    model.arena.zeroGradients()
                    _ = model.forward(x, batch: batch, context: .inference)
                    model.backward(outputGradient: dy)
                }
                step(); step()
                return (0..<runs).map { _ in
                    let t = ContinuousClock().measure { for _ in 0..<steps { step() } }
                    return (Double(t.components.seconds) + Double(t.components.attoseconds) * 1e-18) / Double(steps)
                }.sorted()
            }
        }
        print("shoal \(C) \(T) \(times[times.count / 2] * 1e3) \(times[0] * 1e3) \(Self.flops(width: C, positions: T, batch: batch) / 1e9)")
    }
}
