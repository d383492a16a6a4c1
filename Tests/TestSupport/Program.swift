import Foundation

/// Runs `executable ARGUMENTS` to its end with `environment` added to this process's, and
/// returns its exit status and its standard output and error together: the one runner of the
/// reference programs (Python) the in-process test targets compare with.
///
/// ```swift
/// let (status, output) = try runProgram("/usr/bin/env", ["python3", "-c", "print(1)"])
/// ```
public func runProgram(_ executable: String, _ arguments: [String],
                       environment: [String: String] = [:]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
}
