// Shoal side of benchmarks/nn_forward_backward.sh (arguments: [repeats [model [batch]]]);
// prints one line per (model, batch):
//   shoal <model> <batch> <samples/s median> <flops/sample> <samples/s best>
// and one line `sgemm <GFLOP/s>` (square 1024 sgemm on the same BLAS thread count).
import ShoalNN
import ShoalTensor

let models: [(String, [Int], [LayerSpec])] = [
    ("mlp", [784], [.dense(units: 256, activation: .relu), .dense(units: 128, activation: .relu), .dense(units: 10, activation: nil)]),
    ("cnn", [28, 28, 1], [
        .conv2D(filters: 32, kernel: 3, stride: 1, padding: .valid, activation: .relu), .maxPool2D(size: 2, stride: nil),
        .dropout(rate: 0.25), .flatten, .dense(units: 128, activation: .relu), .dropout(rate: 0.5), .dense(units: 10, activation: nil),
    ]),
    ("cnn3", [28, 28, 1], [
        .conv2D(filters: 32, kernel: 3, stride: 1, padding: .valid, activation: .relu), .maxPool2D(size: 2, stride: nil),
        .conv2D(filters: 64, kernel: 3, stride: 1, padding: .valid, activation: .relu), .maxPool2D(size: 2, stride: nil),
        .conv2D(filters: 64, kernel: 3, stride: 1, padding: .valid, activation: .relu), .flatten,
        .dense(units: 64, activation: .relu), .dense(units: 10, activation: nil),
    ]),
]
let args = CommandLine.arguments
let repeats = args.count > 1 ? Int(args[1]) ?? 5 : 5
let onlyModel = args.count > 2 ? args[2] : nil
let onlyBatch = args.count > 3 ? Int(args[3]) : nil
let samplesPerRun = ["mlp": 16384, "cnn": 4096, "cnn3": 2048]

print("sgemm \(measureSgemmGFLOPS(size: 1024, repeats: 5))")
for (name, input, layers) in models where onlyModel == nil || onlyModel == name {
    let flops = try trainingFlopsPerSample(layers: layers, input: input)
    for batch in [32, 64, 256] where onlyBatch == nil || onlyBatch == batch {
        let iterations = max(4, samplesPerRun[name]! / batch)
        var rates: [Double] = []
        for _ in 0..<repeats {
            rates.append(try benchmarkForwardBackward(layers: layers, input: input, loss: .softmaxCrossEntropy, batch: batch, iterations: iterations))
        }
        rates.sort()
        print("shoal \(name) \(batch) \(rates[rates.count / 2]) \(flops) \(rates.last!)")
    }
}
