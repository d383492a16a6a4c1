import Foundation
import Synchronization

/// Bounds every phase of a rank's work (DESIGN.md decision 11): if this rank makes no progress
/// for `timeout` seconds, in whatever phase (a peer that stopped answering leaves it waiting in a
/// collective; a hung file system, in a checkpoint write), the watchdog says which rank, step and
/// phase, names the ranks it has stopped hearing from, and ends the job with exit code
/// ``exitCode``.
///
/// Progress is marked by the main thread with ``Phase/enter(_:step:)`` at each phase of a step and
/// ``Phase/beat()`` inside long phases: relaxed atomic stores, nothing else. A watchdog thread checks
/// them ten times a second and, under `mpirun` with `MPI_THREAD_MULTIPLE`, trades heartbeats
/// (step, phase, idle time) with the other ranks' watchdogs over a channel of their own.
///
/// When the launcher ends the job because a rank died (mpirun sends the survivors SIGTERM, then
/// SIGKILL a second later), a survivor that is stuck waiting says which rank fell silent and at
/// which step, before it goes.
///
/// ```swift
/// let world = try World.start()
/// let watchdog = try Watchdog(world: world, signalled: { StopSignal.received })
/// Watchdog.timeout = 600      // seconds: the config's distributed.timeout
/// Phase.enter(.forward, step: 12)
/// try watchdog.close()        // collective, before MPI_Finalize
/// ```
public final class Watchdog: @unchecked Sendable {
    /// The exit code of a job the watchdog ended, as timeout(1) uses.
    public static let exitCode: Int32 = 124
    /// `distributed.timeout`'s default, in seconds (see docs/CONFIG.md for why).
    public static let defaultTimeout = 180.0

    private static let timeoutMilliseconds = Atomic<Int>(Int(defaultTimeout * 1000))

    /// Seconds without progress that end the job; 0 or less: no limit.
    public static var timeout: Double {
        get { Double(timeoutMilliseconds.load(ordering: .relaxed)) / 1000 }
        set { timeoutMilliseconds.store(newValue > 0 ? max(1, Int(newValue * 1000)) : Int.max, ordering: .relaxed) }
    }

    /// Seconds between heartbeats, and the silence after which a peer counts as not answering.
    static let heartbeatInterval = 0.2
    static let silence = 0.5

    private let rank: Int
    private let size: Int
    private let world: any Communicator
    private let channel: HeartbeatChannel?
    private let signalled: @Sendable () -> Int32
    private let stopRequested = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    // Owned by the watchdog thread until it has finished.
    private var sentTo: [Int64]
    private var receivedFrom: [Int64]
    /// Per rank: its last heartbeat, and when it arrived (seconds on this rank's clock).
    private var peers: [HeartbeatChannel.Message]
    private var heardAt: [Double]

    /// Starts the watchdog thread. Under `mpirun` with `MPI_THREAD_MULTIPLE` it opens the
    /// heartbeat channel, which is collective: every rank creates its watchdog at the same point.
    /// `signalled`: the stop signal this process received, or 0.
    public init(world: any Communicator, signalled: @escaping @Sendable () -> Int32) throws {
        rank = world.rank
        size = world.size
        self.world = world
        self.signalled = signalled
        channel = world is MPICommunicator && world.size > 1 && world.threadLevel == .multiple
            ? try HeartbeatChannel(size: world.size) : nil
        sentTo = Array(repeating: 0, count: size)
        receivedFrom = Array(repeating: 0, count: size)
        peers = (0..<size).map { (Int64($0), 0, 0, 0) }
        let now = Self.now()
        heardAt = Array(repeating: now, count: size)
        Phase.enter(.setup)
        let thread = Thread { [unowned self] in self.watch() }
        thread.name = "shoal-watchdog"
        thread.start()
    }

    /// Stops the watchdog thread and closes the heartbeat channel (collective).
    public func close() throws {
        stopRequested.store(true, ordering: .relaxed)
        finished.wait()
        try channel?.close(sentTo: sentTo, receivedFrom: receivedFrom, world: world)
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    private func watch() {
        defer { finished.signal() }
        var lastBeats = Phase.beats.load(ordering: .relaxed)
        var lastProgress = Self.now(), lastHeartbeat = 0.0
        var signalSeen: Double?, reportedSignal = false
        while !stopRequested.load(ordering: .relaxed) {
            usleep(100_000)
            let now = Self.now()
            let b = Phase.beats.load(ordering: .relaxed)
            if b != lastBeats { lastBeats = b; lastProgress = now }
            let idle = now - lastProgress
            if let channel {
                do {
                    if now - lastHeartbeat >= Self.heartbeatInterval {
                        lastHeartbeat = now
                        let message = (Int64(rank), Int64(Phase.step.load(ordering: .relaxed)),
                                       Int64(Phase.current.load(ordering: .relaxed)), Int64(idle * 1000))
                        for peer in 0..<size where peer != rank {
                            if try channel.send(message, to: peer) { sentTo[peer] += 1 }
                        }
                    }
                    while let m = try channel.receive() {
                        let peer = Int(m.rank)
                        guard peer >= 0, peer < size else { continue }
                        peers[peer] = m
                        heardAt[peer] = now
                        receivedFrom[peer] += 1
                    }
                } catch {
                    FileHandle.standardError.write(Data("Warning: rank \(rank): the watchdog's heartbeats stopped: \(error)\n".utf8))
                    return
                }
            }
            if idle >= Self.timeout {
                let limit = Self.timeout
                report("no progress for \(seconds(idle)) (distributed.timeout = \(seconds(limit))) at \(position()); ending the job", now: now)
                world.abort(code: Self.exitCode)
            }
            // The launcher ends the job because a rank died: say who, before its SIGKILL comes.
            let signal = signalled()
            if signal != 0, !reportedSignal {
                if signalSeen == nil { signalSeen = now }
                if let seen = signalSeen, now - seen >= 0.2, idle >= 0.2, silentPeers(now: now).count > 0 {
                    reportedSignal = true
                    report("stopped by signal \(signal) while waiting at \(position())", now: now)
                }
            }
        }
    }

    private func position() -> String {
        let step = Phase.step.load(ordering: .relaxed)
        let phase = Phase(rawValue: Phase.current.load(ordering: .relaxed)) ?? .setup
        return (step > 0 ? "step \(step), " : "") + "in \(phase)"
    }

    private func silentPeers(now: Double) -> [Int] {
        channel == nil ? [] : (0..<size).filter { $0 != rank && now - heardAt[$0] >= Self.silence }
    }

    /// One message on standard error: this rank's state, then every rank it no longer hears
    /// from (or, with nobody silent, every peer's last state).
    private func report(_ what: String, now: Double) {
        var lines = ["Error: rank \(rank): \(what)"]
        if channel == nil && size > 1 {
            lines.append("  (the other ranks' states are unknown: MPI granted no MPI_THREAD_MULTIPLE for heartbeats)")
        }
        let silent = silentPeers(now: now)
        for peer in (silent.isEmpty ? Array(0..<size).filter { $0 != rank } : silent) where channel != nil {
            let m = peers[peer]
            let phase = Phase(rawValue: Int(m.phase)) ?? .setup
            let last = (m.step > 0 ? "at step \(m.step), " : "") + "in \(phase)"
            if silent.contains(peer) {
                lines.append("  rank \(peer): silent for \(seconds(now - heardAt[peer])), last heard \(last): stopped, hung or dead there")
            } else {
                lines.append("  rank \(peer): answering, \(last), no progress for \(seconds(Double(m.idleMilliseconds) / 1000))")
            }
        }
        FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }

    private func seconds(_ s: Double) -> String { String(format: s < 10 ? "%.1f s" : "%.0f s", s) }
}
