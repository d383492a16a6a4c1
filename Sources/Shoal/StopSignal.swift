import Foundation
import Synchronization

/// SIGTERM and SIGINT ask the run to stop: the current step finishes, every rank agrees on the
/// step to stop after, a checkpoint is written, and the process exits cleanly.
enum StopSignal {
    private static let requested = Atomic<Int32>(0)

    /// Installs the handlers (once per process).
    static func install() {
        signal(SIGTERM) { number in StopSignal.requested.store(number, ordering: .relaxed) }
        signal(SIGINT) { number in StopSignal.requested.store(number, ordering: .relaxed) }
    }

    /// The signal received, or 0.
    static var received: Int32 { requested.load(ordering: .relaxed) }

    static func name(_ number: Int32) -> String {
        number == SIGINT ? "SIGINT" : number == SIGTERM ? "SIGTERM" : "signal \(number)"
    }
}
