import Synchronization

/// What a rank is doing: the training step marks each phase as it enters it with
/// ``enter(_:step:)``, and two observers read the marks: the ``Watchdog`` (progress, and the
/// phase it names when a rank stops making any) and the ``Timeline`` (`--timeline`'s trace).
///
/// ```swift
/// Phase.enter(.forward, step: 12)   // the watchdog sees progress; the timeline, if recording, a mark
/// ```
public enum Phase: Int, CaseIterable, Sendable, CustomStringConvertible {
    case setup, data, forward, backward, reduction, optimizer, evaluation, checkpoint, finishing

    public var description: String {
        switch self {
        case .setup: "setup (config, data, model, agreement)"
        case .data: "loading a batch"
        case .forward: "forward"
        case .backward: "backward"
        case .reduction: "the gradient reduction"
        case .optimizer: "the optimizer step"
        case .evaluation: "evaluation"
        case .checkpoint: "a checkpoint"
        case .finishing: "finishing"
        }
    }

    // Process-wide marks: written by the main thread, read by the watchdog thread.
    static let current = Atomic<Int>(0)
    static let step = Atomic<Int>(0)
    static let beats = Atomic<Int>(0)

    /// Marks this rank's progress into `phase` (of step `step`, counted from 1, when given), for
    /// the watchdog and the timeline alike: relaxed atomic stores and, when recording, one mark.
    @inline(__always) public static func enter(_ phase: Phase, step: Int? = nil) {
        if let step { self.step.store(step, ordering: .relaxed) }
        current.store(phase.rawValue, ordering: .relaxed)
        beats.wrappingAdd(1, ordering: .relaxed)
        Timeline.recorder?.enter(phase, step: step)
    }

    /// Marks progress within the current phase (one batch of an evaluation, one file written).
    @inline(__always) public static func beat() { beats.wrappingAdd(1, ordering: .relaxed) }
}
