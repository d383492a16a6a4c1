/// Why a metrics file, an event file or a plot could not be read or written.
///
/// Every case that concerns a file names it, and a bad line names its number, so the message
/// alone says what to fix:
///
/// ```swift
/// do { _ = try MetricsFile.read(path: "runs/a/metrics.jsonl") }
/// catch let error as MetricsError { print(error) }
/// // runs/a/metrics.jsonl:7: not a metrics record: "step" is missing
/// ```
public enum MetricsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A system call on a file failed: `operation` is e.g. `"open"`, `"write"`.
    case io(operation: String, path: String, reason: String)
    /// The file is larger than a reader will load.
    case tooLarge(path: String, bytes: Int, limit: Int)
    /// A line that is not the file's last (so not one cut short by a kill) is not a record.
    case malformedLine(path: String, line: Int, reason: String)
    /// A value is named like one of a record's own fields (`kind`, `step`, `epoch`, `wall_time`).
    case reservedName(String)
    /// The records hold nothing a plot can draw.
    case nothingToPlot(String)

    public var description: String {
        switch self {
        case .io(let operation, let path, let reason):
            "could not \(operation) \(path): \(reason)"
        case .tooLarge(let path, let bytes, let limit):
            "\(path): \(bytes) bytes, more than the \(limit) bytes a metrics file may hold"
        case .malformedLine(let path, let line, let reason):
            "\(path):\(line): not a metrics record: \(reason)"
        case .reservedName(let name):
            "\"\(name)\" is a field of every metrics record and cannot name a value"
        case .nothingToPlot(let reason):
            "nothing to plot: \(reason)"
        }
    }
}
