import Foundation

/// A program the tests start with posix_spawn and reap with waitpid themselves. Foundation's
/// Process learns of an exit through a socket the child inherits, and a program started at the
/// same moment on another test thread can inherit that socket too and hide the exit until it
/// ends itself (on CI a 0.1 s `shoal inspect` "timed out" after 120 s). Here the child inherits
/// nothing but its three standard streams, and its exit is seen by waitpid alone.
final class ChildProcess: @unchecked Sendable {
    /// What a program that ran to its end left: its exit status (or the number of the signal
    /// that ended it) and what it wrote.
    struct Result {
        let status: Int32
        let output: Data
        let error: Data
    }

    struct SpawnFailed: Error, CustomStringConvertible {
        let executable: String
        let code: Int32
        var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
    }

    /// A program killed at its time limit, with what it had written by then: whether it hung or
    /// was only slow (a loaded machine) is then in the test's failure, not lost.
    struct TimedOut: Error, CustomStringConvertible {
        let command: String
        let seconds: TimeInterval
        let output: Data
        let error: Data
        var description: String {
            func tail(_ data: Data) -> String {
                let text = String(decoding: data, as: UTF8.self)
                return text.count > 6000 ? "…" + String(text.suffix(6000)) : text
            }
            return "timed out after \(Int(seconds)) s: \(command)\n--- its standard output:\n\(tail(output))\n--- its standard error:\n\(tail(error))"
        }
    }

    /// glibc's posix_spawn_file_actions_addclosefrom_np and _addchdir_np (2.34 and 2.29), which
    /// Swift's Glibc module does not declare (they need _GNU_SOURCE): looked up by name.
    private static let closeFrom = unsafeBitCast(dlsym(nil, "posix_spawn_file_actions_addclosefrom_np"),
        to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    private static let changeDirectory = unsafeBitCast(dlsym(nil, "posix_spawn_file_actions_addchdir_np"),
        to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)

    let processIdentifier: pid_t
    private let lock = NSLock()
    private var reaped: Int32?

    /// Starts `executable ARGUMENTS` in `directory` in a process group of its own (so that a
    /// timeout can kill everything it started) with no signal blocked, as a shell would; stdin
    /// is /dev/null, stdout goes to the file `output` and stderr to `error` (nil: the same file).
    init(_ executable: String, _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
         directory: String = FileManager.default.currentDirectoryPath, output: String, error: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let error {
            posix_spawn_file_actions_addopen(&actions, 2, error, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        _ = Self.closeFrom(&actions, 3)
        _ = directory.withCString { Self.changeDirectory(&actions, $0) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let code = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard code == 0 else { throw SpawnFailed(executable: executable, code: code) }
        processIdentifier = pid
    }

    /// The exit status once the program ended (reaping it), nil while it runs.
    var status: Int32? {
        lock.lock()
        defer { lock.unlock() }
        if reaped == nil {
            var raw: Int32 = 0
            if waitpid(processIdentifier, &raw, WNOHANG) == processIdentifier {
                // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import (they are macros).
                reaped = raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
            }
        }
        return reaped
    }

    /// Waits up to `timeout` seconds for the end: its status, or nil if it still runs.
    func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        while true {
            if let status { return status }
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// SIGKILL to its whole process group, then reaps it.
    func kill() {
        Foundation.kill(-processIdentifier, SIGKILL)
        _ = wait(timeout: 10)
    }

    /// Runs `executable ARGUMENTS` to its end, at most `timeout` seconds (then kills it and throws
    /// TimedOut); `whileRunning` is called on another thread once it started.
    static func run(_ executable: String, _ arguments: [String], timeout: TimeInterval,
                    environment: [String: String] = ProcessInfo.processInfo.environment,
                    directory: String = FileManager.default.currentDirectoryPath,
                    whileRunning: @escaping @Sendable (ChildProcess) -> Void = { _ in }) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("shoal-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("out"), error = scratch.appendingPathComponent("err")
        let child = try ChildProcess(executable, arguments, environment: environment, directory: directory,
                                     output: output.path, error: error.path)
        Thread { whileRunning(child) }.start()
        guard let status = child.wait(timeout: timeout) else {
            child.kill()
            throw TimedOut(command: ([executable] + arguments).joined(separator: " "), seconds: timeout,
                           output: (try? Data(contentsOf: output)) ?? Data(), error: (try? Data(contentsOf: error)) ?? Data())
        }
        return Result(status: status, output: (try? Data(contentsOf: output)) ?? Data(), error: (try? Data(contentsOf: error)) ?? Data())
    }
}
