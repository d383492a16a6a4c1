import Foundation

/// Which CSV column holds the target.
public enum CSVTarget: Equatable, Sendable, CustomStringConvertible {
    /// A column named in the header row.
    case name(String)
    /// A 0-based column index (negative counts from the end: -1 is the last column).
    case index(Int)
    /// No target column: every column is a feature (samples to predict); targets read 0.
    case absent

    public var description: String {
        switch self {
        case .name(let n): return "\"\(n)\""
        case .index(let i): return "\(i)"
        case .absent: return "none"
        }
    }
}

/// Reads a CSV file of numbers into a ``Dataset``: one target column, every other column a
/// feature (`featureShape == [columns - 1]`).
///
/// Cells are trimmed of spaces and optional double quotes; blank lines are skipped; `#`
/// starts a comment line. A bad cell is reported with its file, line and column.
///
/// ```swift
/// // data.csv:  x1,x2,label
/// //            0.5,1.5,1
/// let data = try CSVReader.read(path: "data.csv", target: .name("label"), header: true)
/// data.featureShape   // [2]
/// data.targets        // [1]
/// ```
public enum CSVReader {
    /// Parses the file at `path`.
    ///
    /// - Parameters:
    ///   - target: the target column; `.name` needs `header: true`.
    ///   - header: whether the first non-blank line holds column names.
    ///   - delimiter: the cell separator.
    ///   - targets: what each target must be (class indices, probabilities, anything); the first
    ///     that breaks it is an error naming its line. A class-index rule's count is recorded on
    ///     the result.
    /// - Throws: ``DataError/unreadable(file:reason:)`` or ``DataError/csv(file:line:reason:)``.
    public static func read(
        path: String, target: CSVTarget, header: Bool = true, delimiter: Character = ",", targets rule: TargetRule = .any
    ) throws -> Dataset {
        if let error = notARegularFile(path) { throw error }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError.unreadable(file: path, reason: "cannot open (missing file or no permission)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw DataError.unreadable(file: path, reason: "not UTF-8 text")
        }
        return try parse(text: text, file: path, target: target, header: header, delimiter: delimiter, targets: rule)
    }

    /// Parses CSV `text`; `file` is only used in messages.
    public static func parse(
        text: String, file: String, target: CSVTarget, header: Bool = true, delimiter: Character = ",",
        targets rule: TargetRule = .any
    ) throws -> Dataset {
        var features: [Float] = []
        var targets: [Float] = []
        var names: [String]? = nil
        var columns = 0
        var targetColumn = 0
        var lineNumber = 0
        // "\r\n" is one Character in Swift, and a newline like "\n".
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.first == "#" { continue }
            let cells = line.split(separator: delimiter, omittingEmptySubsequences: false).map(clean)
            if columns == 0 {
                columns = cells.count
                guard columns >= (target == .absent ? 1 : 2) else {
                    throw DataError.csv(
                        file: file, line: lineNumber,
                        reason: "found \(columns) column; need a target and at least one feature "
                            + "(is the delimiter \"\(delimiter)\" right?)")
                }
                if header { names = cells }
                targetColumn = try resolve(target, names: names, columns: columns, file: file, line: lineNumber)
                if header { continue }
            }
            guard cells.count == columns else {
                throw DataError.csv(file: file, line: lineNumber, reason: "expected \(columns) cells, found \(cells.count)")
            }
            if target == .absent { targets.append(0) }
            for (c, cell) in cells.enumerated() {
                guard let value = Float(cell), value.isFinite else {
                    let label = names.map { " (\"\($0[c])\")" } ?? ""
                    throw DataError.csv(
                        file: file, line: lineNumber,
                        reason: "column \(c + 1)\(label): expected a number, got \"\(cell)\"")
                }
                if c != targetColumn {
                    features.append(value)
                    continue
                }
                if let reason = rule.violation(of: value) {
                    throw DataError.csv(file: file, line: lineNumber, reason: "target \(reason)")
                }
                targets.append(value)
            }
        }
        guard !targets.isEmpty else {
            throw DataError.csv(file: file, line: max(lineNumber, 1), reason: "no data rows")
        }
        return Dataset(unchecked: [target == .absent ? columns : columns - 1], features, targets, 1, rule.classCount)
    }

    static func clean(_ cell: Substring) -> String {
        var s = cell.trimmingCharacters(in: .whitespaces)
        if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") { s = String(s.dropFirst().dropLast()) }
        return s
    }

    static func resolve(_ target: CSVTarget, names: [String]?, columns: Int, file: String, line: Int) throws -> Int {
        switch target {
        case .name(let name):
            guard let names else {
                throw DataError.csv(file: file, line: line, reason: "target column \"\(name)\" given by name, but the file has no header")
            }
            guard let i = names.firstIndex(of: name) else {
                throw DataError.csv(
                    file: file, line: line,
                    reason: "no column named \"\(name)\"; columns are \(names.map { "\"\($0)\"" }.joined(separator: ", "))")
            }
            return i
        case .index(let i):
            let column = i < 0 ? columns + i : i
            guard column >= 0 && column < columns else {
                throw DataError.csv(file: file, line: line, reason: "target column \(i) outside the \(columns) columns")
            }
            return column
        case .absent:
            return -1
        }
    }
}
