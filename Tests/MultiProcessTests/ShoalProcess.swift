import Foundation

/// Runs the built `shoal` binary (alone or under launch/mpirun) the way a user would, with a
/// time limit so that a hung job fails the test instead of hanging the suite.
struct ShoalProcess {
    struct Result {
        let status: Int32
        let output: String
        let error: String
        var combined: String { output + error }
    }

    /// The repository root, from this file's path (Tests/MultiProcessTests/ShoalProcess.swift).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `SHOAL_BIN` if set, else `shoal` next to the test bundle (same build configuration).
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["SHOAL_BIN"] { return path }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [bundle, bundle.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("shoal").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return root.appendingPathComponent(".build/debug/shoal").path
    }

    /// `shoal ARGS` as a single process.
    static func run(_ arguments: [String], timeout: TimeInterval = 120) throws -> Result {
        try execute(binary, arguments, timeout: timeout)
    }

    /// `launch/mpirun -n RANKS shoal ARGS`; `whileRunning` is called with the mpirun process once it started.
    /// `environment` sets (or, with nil, removes) variables for this job only.
    static func mpirun(ranks: Int, _ arguments: [String], timeout: TimeInterval = 300, environment: [String: String?] = [:],
                       whileRunning: @escaping @Sendable (ChildProcess) -> Void = { _ in }) throws -> Result {
        try execute(root.appendingPathComponent("launch/mpirun").path, ["-n", String(ranks), binary] + arguments,
                    timeout: timeout, environment: environment, whileRunning: whileRunning)
    }

    /// `launch/mpirun ARGS` exactly as given (flags, `--`, program).
    static func launcher(_ arguments: [String], environment: [String: String?] = [:]) throws -> Result {
        try execute(root.appendingPathComponent("launch/mpirun").path, arguments, timeout: 120, environment: environment)
    }

    /// `launch/testhosts run -n RANKS --per-host P -- shoal ARGS`: mpirun over the test hosts.
    static func testhosts(ranks: Int, perHost: Int, _ arguments: [String], environment: [String: String?] = [:],
                          whileRunning: @escaping @Sendable (ChildProcess) -> Void = { _ in }) throws -> Result {
        try execute(root.appendingPathComponent("launch/testhosts").path,
                    ["run", "-n", String(ranks), "--per-host", String(perHost), "--", binary] + arguments,
                    timeout: 300, environment: environment, whileRunning: whileRunning)
    }

    /// `launch/testslurm run DIR -- ARGS`: a command against the one-node Slurm in DIR.
    static func testslurm(_ directory: String, _ arguments: [String], environment: [String: String?] = [:]) throws -> Result {
        try execute(root.appendingPathComponent("launch/testslurm").path, ["run", directory, "--"] + arguments,
                    timeout: 300, environment: environment)
    }

    /// One job at a time: the machines have 2 cores, and parallel MPI jobs would only time out.
    private static let gate = NSLock()

    private static func execute(_ executable: String, _ arguments: [String], timeout: TimeInterval, environment: [String: String?] = [:],
                                whileRunning: @escaping @Sendable (ChildProcess) -> Void = { _ in }) throws -> Result {
        gate.lock()
        defer { gate.unlock() }
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        let result = try ChildProcess.run(executable, arguments, timeout: timeout, environment: variables, directory: root.path,
                                          whileRunning: whileRunning)
        return Result(status: result.status, output: String(decoding: result.output, as: UTF8.self),
                      error: String(decoding: result.error, as: UTF8.self))
    }
}
