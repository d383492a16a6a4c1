import Coordinator
import Foundation
import ShoalComm
import ShoalData
import ShoalFormats
import ShoalOptim

/// Writes a safetensors file by hand: the length, `header` as given (unpadded), then `data`.
func writeRawSafeTensors(header: String, data: [UInt8], to url: URL, declaredLength: UInt64? = nil) throws {
    let headerBytes = Array(header.utf8)
    var length = (declaredLength ?? UInt64(headerBytes.count)).littleEndian
    var bytes = withUnsafeBytes(of: &length) { Array($0) }
    bytes += headerBytes
    bytes += data
    try Data(bytes).write(to: url)
}

/// The message of the error `body` throws, or nil if it does not throw.
func errorMessage(_ body: () throws -> Void) -> String? {
    do { try body(); return nil } catch { return "\(error)" }
}

func sampleState(step: Int) -> CheckpointState {
    CheckpointState(
        position: TrainingPosition(step: step, epoch: step / 10, stepInEpoch: step % 10), optimizerStep: step,
        earlyStopping: EarlyStoppingState(best: 0.25, evaluationsWithoutImprovement: 2),
        reductionState: ReductionState(width: 32, exponents: [29, -3]),
        standardizer: Standardizer(mean: [0.5, 0.125], std: [1, 0.3]),
        rng: ["seed": 42, "big": UInt64.max], config: "model: mlp\nseed: 42\n", configHash: sha256Hex(of: Data("model: mlp\nseed: 42\n".utf8)),
        worldSize: 2, reduction: "exact",
        versions: .init(shoal: "0.1.0", mpi: "Open MPI 4.1", blas: "OpenBLAS 0.3"),
        parameterHash: String(repeating: "ab", count: 32))
}

func sampleModel(step: Int) -> [SafeTensor] {
    [
        SafeTensor(name: "layers.0.weight", shape: [3, 4], values: (0..<12).map { Float($0) + Float(step) }),
        SafeTensor(name: "layers.0.bias", shape: [4], values: [Float](repeating: 0.5, count: 4)),
    ]
}

func sampleOptimizer(step: Int) -> [SafeTensor] {
    [
        SafeTensor(name: "adam.m", shape: [16], values: [Float](repeating: 0.25, count: 16)),
        SafeTensor(name: "adam.step", shape: [], values: [Int64(step)]),
    ]
}
