import ShoalComm

/// A rank's sums over its leaves of one step: the loss sum in fixed point (so that it adds up to
/// the same bits however the leaves are split over ranks) and the correct predictions.
struct LeafSums {
    var loss = FixedPointSum()
    var correct: Int64 = 0

    mutating func add(loss leafLoss: Double, correct leafCorrect: Int64) {
        loss.add(leafLoss)
        correct += leafCorrect
    }
}

/// What every rank adds to one Int64 all-reduce after a step, by name. Preallocated once: a
/// step allocates nothing.
///
/// ```swift
/// let world = try World.start()
/// let counts = StepCounts()
/// counts.correct = 57
/// try counts.sum(over: world)   // counts.correct: the batch's correct predictions on all ranks
/// ```
final class StepCounts {
    /// (5): loss, correct, stop signals, saturated losses, checkpoint due; summed in place.
    private let slots: UnsafeMutableBufferPointer<Int64>

    init() {
        slots = .allocate(capacity: 5)
        slots.initialize(repeating: 0)
    }

    deinit { slots.deallocate() }

    /// The batch's loss sum (fixed point).
    var loss: FixedPointSum {
        get { FixedPointSum(raw: slots[0]) }
        set { slots[0] = newValue.raw }
    }
    /// Correct predictions.
    var correct: Int64 {
        get { slots[1] }
        set { slots[1] = newValue }
    }
    /// Ranks that received a stop signal (SIGTERM, SIGINT).
    var stopSignals: Int64 {
        get { slots[2] }
        set { slots[2] = newValue }
    }
    /// Ranks whose loss sum saturated: keeps a diverged loss infinite where the sums of several
    /// saturated ranks would wrap around.
    var saturatedLosses: Int64 {
        get { slots[3] }
        set { slots[3] = newValue }
    }
    /// 1 when rank 0's clock says a timed checkpoint is due (only rank 0 sets it).
    var checkpointDue: Int64 {
        get { slots[4] }
        set { slots[4] = newValue }
    }

    /// Replaces every count by its sum over all ranks.
    func sum(over world: any Communicator) throws { try world.allReduce(slots, .sum) }
}
