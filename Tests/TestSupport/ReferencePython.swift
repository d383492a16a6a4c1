import Foundation

/// The Python that reference tests compare with: `$SHOAL_PYTHON` (launch/test makes `.venv`
/// with the pinned packages and sets it). A suite that needs it is enabled only when
/// ``unavailable(importing:install:)`` is nil, and otherwise skips saying why.
///
/// ```swift
/// @Suite(.enabled(if: ReferencePython.unavailable(importing: ["numpy"], install: "numpy") == nil))
/// struct ShardTests {}
/// let (status, output) = try ReferencePython.run(["-c", "import numpy; print(numpy.__version__)"])
/// ```
public enum ReferencePython {
    public static let path = ProcessInfo.processInfo.environment["SHOAL_PYTHON"]

    /// Why `$SHOAL_PYTHON` cannot run a test that imports `modules`, or nil when it can.
    /// `install` names the pip packages, for the message.
    public static func unavailable(importing modules: [String], install: String) -> String? {
        guard let path, !path.isEmpty else {
            return "SHOAL_PYTHON is not set; point it at a Python with \(install) (launch/test makes .venv)"
        }
        guard FileManager.default.isExecutableFile(atPath: path) else { return "SHOAL_PYTHON=\(path) is not an executable" }
        guard let (status, output) = try? run(["-c", "import " + modules.joined(separator: ", ")]) else {
            return "SHOAL_PYTHON=\(path) does not start"
        }
        let lastLine = output.split(separator: "\n").last.map(String.init) ?? ""
        return status == 0 ? nil : "SHOAL_PYTHON=\(path) lacks a package: \(lastLine) (pip install \(install))"
    }

    /// Runs `$SHOAL_PYTHON ARGUMENTS` to its end: its exit status and its output and error together.
    public static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
        try runProgram(path ?? "python3", arguments, environment: environment)
    }
}
