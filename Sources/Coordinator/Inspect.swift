import Foundation
import ShoalFormats
import ShoalTensor

/// A human-readable report of a checkpoint directory, a checkpoint root, or a single
/// .safetensors file, for `shoal inspect`: tensors (name, dtype, shape, count), metadata,
/// state fields, and the verification result (`OK` or the reason it was refused).
///
/// A checkpoint root (a directory with `latest` or `step-*` directories) is inspected through
/// its newest checkpoint. Never throws: a problem becomes the report's verification line.
///
/// ```swift
/// print(inspectReport(path: URL(fileURLWithPath: "runs/a/checkpoints/step-00000040")))
/// // checkpoint runs/a/checkpoints/step-00000040
/// // verification: OK
/// // ...
/// ```
public func inspectReport(path: URL) -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path.path, isDirectory: &isDirectory) else {
        return "\(path.path): no such file or directory\n"
    }
    if !isDirectory.boolValue {
        return inspectTensorFile(path)
    }
    let hasState = FileManager.default.fileExists(atPath: path.appendingPathComponent(CheckpointStore.stateFile).path)
    if !hasState, CheckpointStore.latestName(in: path) != nil || !CheckpointStore.completeCheckpoints(in: path).isEmpty {
        return inspectRoot(path)
    }
    return inspectCheckpoint(path)
}

private func inspectRoot(_ root: URL) -> String {
    var lines = ["checkpoint root \(root.path)"]
    lines.append("latest: \(CheckpointStore.latestName(in: root) ?? "(none)")")
    lines.append("checkpoints: " + CheckpointStore.completeCheckpoints(in: root).map(\.directory.lastPathComponent).joined(separator: ", "))
    do {
        let found = try CheckpointStore.newest(in: root)
        for refusal in found.refused { lines.append("refused \(refusal)") }
        lines.append("newest that verifies: \(found.checkpoint.directory.lastPathComponent)")
        lines.append("")
        return lines.joined(separator: "\n") + "\n" + inspectCheckpoint(found.checkpoint.directory)
    } catch {
        lines.append("verification: FAILED: \(error)")
        return lines.joined(separator: "\n") + "\n"
    }
}

private func inspectCheckpoint(_ directory: URL) -> String {
    var lines = ["checkpoint \(directory.path)"]
    do {
        try CheckpointStore.verify(path: directory)
        lines.append("verification: OK")
    } catch {
        lines.append("verification: FAILED: \(error)")
    }
    let stateURL = directory.appendingPathComponent(CheckpointStore.stateFile)
    if let data = FileManager.default.contents(atPath: stateURL.path),
       let state = try? JSONDecoder().decode(CheckpointState.self, from: data) {
        lines += stateLines(state)
    }
    var text = lines.joined(separator: "\n") + "\n"
    for name in [CheckpointStore.modelFile, CheckpointStore.optimizerFile] {
        let file = directory.appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: file.path) {
            text += "\n" + tensorListing(file)
        }
    }
    return text
}

private func stateLines(_ state: CheckpointState) -> [String] {
    var lines = [
        "state:",
        "  format version  \(state.formatVersion)",
        "  position        \(state.position)",
        "  optimizer step  \(state.optimizerStep)",
        "  world size      \(state.worldSize)",
        "  reduction       \(state.reduction)",
        "  rng             " + state.rng.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
        "  config          \(state.config.split(separator: "\n", omittingEmptySubsequences: false).count) lines, hash \(state.configHash)",
        "  parameter hash  \(state.parameterHash)",
        "  versions        shoal \(state.versions.shoal), mpi \(state.versions.mpi), blas \(state.versions.blas)",
    ]
    let stopping = state.earlyStopping
    lines.append("  early stopping  best \(stopping.best.map { "\($0)" } ?? "none"), \(stopping.evaluationsWithoutImprovement) evaluations since")
    if let exact = state.reductionState {
        lines.append("  exact exponents Int\(exact.width): \(exact.exponents.map(String.init).joined(separator: " "))")
    }
    if let standardizer = state.standardizer {
        lines.append("  standardizer    mean and std of \(standardizer.mean.count) features")
    }
    for (name, hash) in state.files.sorted(by: { $0.key < $1.key }) {
        lines.append("  file            \(name)  sha256 \(hash)")
    }
    return lines
}

private func inspectTensorFile(_ file: URL) -> String {
    var text = "safetensors file \(file.path)\n"
    do {
        _ = try SafeTensorsFile.readLayout(of: file)
        text += "verification: OK\n"
    } catch {
        return text + "verification: FAILED: \(error)\n"
    }
    return text + tensorListing(file)
}

/// The tensors and metadata of one safetensors file, from its validated header.
private func tensorListing(_ file: URL) -> String {
    let layout: SafeTensorsLayout
    do {
        layout = try SafeTensorsFile.readLayout(of: file)
    } catch {
        return "\(file.lastPathComponent): cannot list tensors: \(error)\n"
    }
    let counts = layout.entries.map { elementCount(of: $0.shape) ?? 0 }
    let totalBytes = layout.entries.last?.end ?? 0
    var lines = ["\(file.lastPathComponent): \(layout.entries.count) tensors, \(counts.reduce(0, +)) elements, \(totalBytes) bytes"]
    for (key, value) in layout.metadata.sorted(by: { $0.key < $1.key }) {
        lines.append("  metadata \(key) = \(value)")
    }
    let rows = zip(layout.entries, counts).map { entry, count in
        [entry.name, entry.dtype.rawValue, "[" + entry.shape.map(String.init).joined(separator: ", ") + "]", String(count)]
    }
    let table = [["name", "dtype", "shape", "count"]] + rows
    let widths = (0..<4).map { column in table.map { $0[column].count }.max() ?? 0 }
    for row in table {
        let padded = row.enumerated().map { column, cell in
            column == 3 ? String(repeating: " ", count: widths[3] - cell.count) + cell
                        : cell + String(repeating: " ", count: widths[column] - cell.count)
        }
        lines.append("  " + padded.joined(separator: "  "))
    }
    return lines.joined(separator: "\n") + "\n"
}
