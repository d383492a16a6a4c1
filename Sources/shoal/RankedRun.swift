import ArgumentParser
import Foundation
import Shoal
import ShoalComm
import ShoalConfig

/// Runs `body` with this process's communicator and ends the job cleanly whatever happens:
///
/// - an error every rank raised alike (a ``CollectiveError``, a non-finite loss, a failure
///   ``agreeOnSetup(_:_:)`` already reported) is said once, by rank 0, and every rank finalizes
///   and exits 1: no MPI_Abort banner;
/// - an error one rank raised alone is said by that rank, naming itself, and MPI_Abort ends the
///   job, so that no other rank waits forever in a collective;
/// - with `watchdog`, a ``Watchdog`` bounds every phase by `distributed.timeout` (set it once the
///   config is read) and names a rank that stops answering.
func withWorld(watchdog: Bool = false, _ body: (any Communicator) throws -> Void) throws {
    // SHOAL_WATCHDOG=0 runs without it, as before it existed: for the benchmark of its cost.
    let watchdog = watchdog && ProcessInfo.processInfo.environment["SHOAL_WATCHDOG"] != "0"
    let world: any Communicator
    do {
        // The watchdog's heartbeats go from its own thread while the main thread may be in a collective.
        world = try World.start(threadLevel: watchdog ? .multiple : .serialized)
    } catch {
        throw CommandError(description: "cannot start MPI: \(error)")
    }
    // The watchdog's heartbeat channel is opened and closed by every rank alike (collective).
    var dog: Watchdog?
    func finalize() throws {
        try dog?.close()
        try world.finalize()
    }
    do {
        if watchdog { dog = try Watchdog(world: world, signalled: { StopSignal.received }) }
        try body(world)
    } catch let error as AlreadyReported {
        _ = error
        try? finalize()
        throw ExitCode.failure
    } catch let error where isShared(error) {
        if world.rank == 0 { printError("\(error)") }
        try? finalize()
        throw ExitCode.failure
    } catch {
        printError(world.attributed("\(error)"))
        world.abort(code: 1)
    }
    // Outside the catch above: after MPI_Finalize was attempted, MPI_Abort is no longer valid.
    do {
        try finalize()
    } catch {
        if world.rank == 0 { printError("cannot finalize MPI: \(error)") }
        throw ExitCode.failure
    }
}

/// Builds what a command needs (config, data, model) on every rank without talking to the others,
/// then lets the ranks agree that all of them succeeded before any goes on to a collective. A
/// failure is reported once: by rank 0 when it failed too (the usual case: every rank read the
/// same config and data), else by the lowest failing rank, naming itself. Every rank then ends
/// with exit code 1 and no MPI_Abort.
func agreeOnSetup<T>(_ world: any Communicator, _ build: () throws -> T) throws -> T {
    var result: Result<T, any Error>
    do { result = .success(try build()) } catch { result = .failure(error) }
    let failed: Bool
    if case .failure = result { failed = true } else { failed = false }
    // [any failure, size − lowest failing rank]: one MAX all-reduce finds both.
    let flags = UnsafeMutableBufferPointer<Int64>.allocate(capacity: 2)
    defer { flags.deallocate() }
    flags[0] = failed ? 1 : 0
    flags[1] = failed ? Int64(world.size - world.rank) : 0
    try world.allReduce(flags, .max)
    guard flags[0] != 0 else { return try result.get() }
    let reporter = world.size - Int(flags[1])
    if world.rank == reporter, case .failure(let error) = result {
        printError((reporter == 0 ? "" : "rank \(reporter): ") + "\(error)")
    }
    throw AlreadyReported()
}

/// The run's trainer, built on every rank as ``agreeOnSetup(_:_:)`` does, with the watchdog's
/// timeout set from the config.
/// `continuing`: the run continues its name's newest version rather than starting the next one.
/// `config` replaces the config file and overrides of `options` (eval's checkpoint config).
func makeTrainer(_ world: any Communicator, _ options: ConfigOptions, continuing: Bool = true,
                 config load: (() throws -> RunConfig)? = nil) throws -> Trainer {
    try agreeOnSetup(world) {
        let config = try load?() ?? options.load()
        Watchdog.timeout = config.distributed.timeout
        return try Trainer(config: config, world: world, continuing: continuing)
    }
}

/// A failure whose message has been printed already.
struct AlreadyReported: Error {}

/// Errors every rank raises alike, at the same point.
private func isShared(_ error: any Error) -> Bool {
    if error is CollectiveError { return true }
    return (error as? RunError)?.isShared ?? false
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
}

/// A failure to report as "Error: ..." with exit code 1, without the usage text.
struct CommandError: Error, CustomStringConvertible {
    let description: String
}
