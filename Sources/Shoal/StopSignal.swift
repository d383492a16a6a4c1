import Foundation
import Synchronization

/// SIGTERM and SIGINT ask the run to stop: the current step finishes, every rank agrees on the
/// step to stop after, a checkpoint is written, and the process exits cleanly. SIGUSR2 is Ctrl-C
/// as launch/mpirun passes it on (mpirun itself turns Ctrl-C into SIGTERM).
public enum StopSignal {
    private static let requested = Atomic<Int32>(0)

    /// Installs the handlers (once per process).
    public static func install() {
        signal(SIGTERM) { number in StopSignal.requested.store(number, ordering: .relaxed) }
        signal(SIGINT) { number in StopSignal.requested.store(number, ordering: .relaxed) }
        signal(SIGUSR2) { _ in StopSignal.requested.store(SIGINT, ordering: .relaxed) }
    }

    /// The signal received, or 0.
    public static var received: Int32 { requested.load(ordering: .relaxed) }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT (Ctrl-C)"
        case SIGTERM: "SIGTERM"
        default: "signal \(number)"
        }
    }
}
