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

    struct TimedOut: Error, CustomStringConvertible {
        let command: String
        var description: String { "timed out: \(command)" }
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
                       whileRunning: @escaping @Sendable (Process) -> Void = { _ in }) throws -> Result {
        try execute(root.appendingPathComponent("launch/mpirun").path, ["-n", String(ranks), binary] + arguments,
                    timeout: timeout, environment: environment, whileRunning: whileRunning)
    }

    /// `launch/mpirun ARGS` exactly as given (flags, `--`, program).
    static func launcher(_ arguments: [String], environment: [String: String?] = [:]) throws -> Result {
        try execute(root.appendingPathComponent("launch/mpirun").path, arguments, timeout: 120, environment: environment)
    }

    /// `launch/testhosts run -n RANKS --per-host P -- shoal ARGS`: mpirun over the test hosts.
    static func testhosts(ranks: Int, perHost: Int, _ arguments: [String], environment: [String: String?] = [:],
                          whileRunning: @escaping @Sendable (Process) -> Void = { _ in }) throws -> Result {
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
                                whileRunning: @escaping @Sendable (Process) -> Void = { _ in }) throws -> Result {
        gate.lock()
        defer { gate.unlock() }
        let process = Process()
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        process.environment = variables
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = root
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shoal-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let outURL = directory.appendingPathComponent("out"), errURL = directory.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        // A child inherits this thread's signal mask, and the test runner's threads block almost
        // every signal: start the job with none blocked, as a shell would.
        var empty = sigset_t(), saved = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try process.run()
        let watcher = Thread { whileRunning(process) }
        watcher.start()
        if finished.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            kill(-process.processIdentifier, SIGKILL)
            throw TimedOut(command: ([executable] + arguments).joined(separator: " "))
        }
        return Result(status: process.terminationStatus,
                      output: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                      error: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}
