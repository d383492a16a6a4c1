import Foundation
import ShoalComm
import ShoalFormats

/// The checkpoints of a run, seen from every rank: rank 0 writes and reads the files, every
/// rank agrees first that the replicas are identical and learns the outcome, so they all fail or
/// go on together (DESIGN.md decision 6).
///
/// ```swift
/// let world = try World.start()
/// let arena = ParameterArena(executionOrder: [("layers.0.weight", [10, 784]), ("layers.0.bias", [10])])
/// let buffers = arena.entries.map { (name: $0.name, values: arena.parameters(of: $0)) }
/// let checkpoints = RunCheckpoints(world: world, directory: "runs/x/checkpoints", keepLast: 3)
/// var position = TrainingPosition()
/// if let state = try checkpoints.restore(.auto, parameters: arena.parameters, model: buffers, optimizer: [], accept: { _ in }) {
///     position = state.position
/// }
/// // … train; then at a checkpoint step:
/// let tensors = arena.entries.map { SafeTensor(name: $0.name, shape: $0.shape, elements: UnsafeBufferPointer(arena.parameters(of: $0))) }
/// let state = CheckpointState(position: position, optimizerStep: position.step, rng: ["seed": 42], config: "", configHash: "",
///                             worldSize: world.size, reduction: "fast", versions: .init(shoal: "0.1.0", mpi: "", blas: ""), parameterHash: "")
/// try checkpoints.write(parameters: arena.parameters, model: tensors, optimizer: [], state: state)   // parameterHash set here
/// ```
public final class RunCheckpoints {
    public let world: any Communicator
    public let store: CheckpointStore

    public init(world: any Communicator, directory: String, keepLast: Int) {
        self.world = world
        store = CheckpointStore(root: URL(fileURLWithPath: directory), keepLast: keepLast)
    }

    /// A named buffer a checkpoint fills: a parameter tensor or a piece of optimizer state.
    public typealias Destination = (name: String, values: UnsafeMutableBufferPointer<Float>)

    /// SHA-256 of the parameters, as hex.
    public static func hash(_ parameters: UnsafeMutableBufferPointer<Float>) -> String {
        sha256Hex(of: UnsafeRawBufferPointer(parameters))
    }

    /// All ranks compare their parameter hashes; any difference is an error on every rank.
    /// Returns the (common) hash.
    @discardableResult
    public func verifyReplicasMatch(_ parameters: UnsafeMutableBufferPointer<Float>, step: Int) throws -> String {
        let own = Self.hash(parameters)
        let hash = Array(own.utf8)
        var all = [UInt8](repeating: 0, count: hash.count * world.size)
        try hash.withUnsafeBytes { send in try all.withUnsafeMutableBytes { try world.allGather(send, into: $0) } }
        let hashes = (0..<world.size).map { String(decoding: all[$0 * hash.count..<($0 + 1) * hash.count], as: UTF8.self) }
        guard Set(hashes).count == 1 else {
            throw CollectiveError(message: "replicas differ at step \(step): parameter hashes per rank "
                + hashes.joined(separator: ", ") + "; every rank must run the same build, config and data")
        }
        return own
    }

    /// After every rank agreed that its parameters are identical, rank 0 writes the checkpoint;
    /// every rank learns whether the write succeeded. `state.parameterHash` is set here.
    public func write(parameters: UnsafeMutableBufferPointer<Float>, model: [SafeTensor], optimizer: [SafeTensor],
                      state: CheckpointState, tokenizer: [UInt8]? = nil) throws {
        var state = state
        state.parameterHash = try verifyReplicasMatch(parameters, step: state.step)
        try world.onRankZero("checkpoint at step \(state.step) not written: ") {
            try store.write(model: model, optimizer: optimizer, state: state, tokenizer: tokenizer)
        }
    }

    /// Rank 0 finds the checkpoint `request` names, verifies it and hands it to `accept` (which
    /// may refuse it by throwing); every rank then receives its state and the tensors named in
    /// `model` and `optimizer`, and checks the parameters against the checkpoint's hash.
    /// `parameters` is the arena the `model` buffers lie in. Nil: `.auto` found no checkpoint.
    public func restore(_ request: CheckpointRequest, parameters: UnsafeMutableBufferPointer<Float>,
                        model: [Destination], optimizer: [Destination],
                        accept: (Checkpoint) throws -> Void) throws -> CheckpointState? {
        var stateText = ""
        try world.onRankZero("cannot resume: ") {
            guard let checkpoint = try find(request) else { return }
            try accept(checkpoint)
            for (name, values) in model {
                try checkpoint.model.requireTensor(named: name, dtype: .f32, count: values.count).copy(into: values)
            }
            for (name, values) in optimizer {
                try checkpoint.optimizer.requireTensor(named: name, dtype: .f32, count: values.count).copy(into: values)
            }
            stateText = String(decoding: try JSONEncoder().encode(checkpoint.state), as: UTF8.self)
        }
        stateText = try world.broadcast(text: stateText)
        guard !stateText.isEmpty else { return nil }
        let state = try JSONDecoder().decode(CheckpointState.self, from: Data(stateText.utf8))
        for (_, values) in model + optimizer { try world.broadcast(UnsafeMutableRawBufferPointer(values), root: 0) }
        guard Self.hash(parameters) == state.parameterHash else {
            throw CollectiveError(message: "cannot resume: the restored parameters do not match the checkpoint's parameter hash")
        }
        return state
    }

    private func find(_ request: CheckpointRequest) throws -> Checkpoint? {
        switch request {
        case .auto, .required:
            do {
                return try CheckpointStore.newest(in: store.root).checkpoint
            } catch CheckpointError.noCheckpoint(let root, let refused) where refused.isEmpty {
                guard request == .auto else { throw CheckpointError.requiredCheckpointMissing(root: root, host: World.hostName) }
                return nil
            }
        case .path(let path):
            return try CheckpointStore.load(directoryOrRoot: URL(fileURLWithPath: path))
        }
    }
}
