import Foundation

/// Appends one JSON object per line to `runs/<name>/metrics.jsonl` (rank 0 only): training
/// steps and evaluations, each with its step, so a run's curves can be read back or plotted.
final class MetricsLog {
    private let handle: FileHandle?

    init(directory: String?) throws {
        guard let directory else { handle = nil; return }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/metrics.jsonl"
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw RunError.configuration("logging.dir: cannot write \(path)")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    func record(_ fields: [(String, Any)]) {
        guard let handle else { return }
        let body = fields.map { key, value -> String in
            let text: String = switch value {
            case let d as Double: d.isFinite ? "\(d)" : "null"
            case let s as String: "\"\(s)\""
            default: "\(value)"
            }
            return "\"\(key)\":\(text)"
        }.joined(separator: ",")
        handle.write(Data(("{" + body + "}\n").utf8))
    }
}
