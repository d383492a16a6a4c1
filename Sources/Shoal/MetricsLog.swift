import Foundation

/// Appends one JSON object per line to `runs/<name>/metrics.jsonl` (rank 0 only): training
/// steps and evaluations, each with its step, so a run's curves can be read back or plotted.
///
/// ```swift
/// log.record([("kind", .text("train")), ("step", .int(40)), ("loss", .number(0.31))])
/// // {"kind":"train","step":40,"loss":0.31}
/// ```
final class MetricsLog {
    /// A field's value; a non-finite number is written as null.
    enum Value {
        case text(String)
        case int(Int)
        case number(Double)

        var json: Any {
            switch self {
            case .text(let s): s
            case .int(let i): i
            case .number(let d): d.isFinite ? d : NSNull()
            }
        }
    }

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

    /// One line, the fields in the order given (Foundation escapes the text).
    func record(_ fields: [(String, Value)]) {
        guard let handle else { return }
        var line = Data("{".utf8)
        for (i, (key, value)) in fields.enumerated() {
            if i > 0 { line.append(Data(",".utf8)) }
            guard let k = try? JSONSerialization.data(withJSONObject: key, options: .fragmentsAllowed),
                  let v = try? JSONSerialization.data(withJSONObject: value.json, options: .fragmentsAllowed) else { continue }
            line.append(k)
            line.append(Data(":".utf8))
            line.append(v)
        }
        line.append(Data("}\n".utf8))
        handle.write(line)
    }
}
