import Foundation
import ShoalTensor

/// Sums the flat gradient arena over all ranks in buckets, starting each bucket's all-reduce as
/// soon as backward has finished with it, so communication overlaps the rest of backward.
///
/// The step (fast mode's ``GradientReduction``): `beginStep()` zeroes the arena's gradients,
/// every leaf's backward accumulates into them, `backwardFinished(upTo:)` hands buckets on as
/// the last backward completes parameters front to back, and `finishStep()` completes every
/// bucket before the optimizer reads them. The sums are plain Float sums.
///
/// ```swift
/// let world = try World.start()
/// let model = try Model(inputShape: [784], layers: [.dense(units: 10, activation: nil)],
///                       loss: .softmaxCrossEntropy, seed: 1, maxBatch: 64)
/// let sync = try FastReduction(world: world, gradients: model.arena.gradients, bucketElements: 1 << 20, overlap: .thread)
/// sync.beginStep()
/// // model.forward, model.loss
/// model.backward { sync.backwardFinished(upTo: $0) }
/// _ = try sync.finishStep()   // model.arena.gradients: the sum over all ranks
/// ```
public final class FastReduction: GradientReduction, @unchecked Sendable {
    /// How bucket reductions run alongside backward.
    public enum Overlap: String, Sendable, CaseIterable {
        /// A communication thread makes blocking all-reduce calls while backward goes on.
        case thread
        /// Non-blocking `MPI_Iallreduce` started from the compute thread, completed in `wait()`.
        case nonblocking
        /// All buckets are reduced in `wait()`, after backward: no overlap.
        case none
    }

    public let plan: BucketPlan
    public let overlap: Overlap
    private let world: any Communicator
    /// The arena's gradients: backward accumulates into them, the sums replace them.
    public let gradients: UnsafeMutableBufferPointer<Float>
    /// Buckets handed on so far this step.
    private var started = 0
    private var pending: [PendingReduction?]
    private let worker: ReductionWorker?

    public init(world: any Communicator, gradients: UnsafeMutableBufferPointer<Float>, bucketElements: Int, overlap: Overlap) throws {
        guard bucketElements > 0 else { throw CommunicatorError.invalidArgument("bucket size must be positive, got \(bucketElements) elements") }
        self.world = world
        self.gradients = gradients
        self.plan = BucketPlan(elementCount: gradients.count, bucketElements: bucketElements)
        self.overlap = overlap
        self.pending = Array(repeating: nil, count: plan.buckets.count)
        if self.overlap == .thread {
            guard world.threadLevel >= .serialized else {
                throw CommunicatorError.threadLevelUnavailable(requested: .serialized, provided: world.threadLevel)
            }
            worker = ReductionWorker(world: world, gradients: gradients, plan: plan)
        } else {
            worker = nil
        }
    }

    public var summary: String { "fast reduction" }

    private lazy var layout = ReductionFingerprint.layoutHash(plan.buckets)

    public func fingerprint(step: Int, leavesPlanned: Int) -> ReductionFingerprint {
        ReductionFingerprint(step: step, mode: 0, width: 32, layout: layout, count: gradients.count,
                             leavesPlanned: leavesPlanned, leavesDone: leavesThisStep)
    }

    /// Leaves finished since `beginStep()`.
    private var leavesThisStep = 0

    /// Starts a step: gradients zeroed, no bucket handed on yet.
    public func beginStep() {
        started = 0
        leavesThisStep = 0
        if let p = gradients.baseAddress { zero(p, count: gradients.count) }
    }

    /// Leaves accumulate in the arena itself: only counted here.
    public func finishLeaf(_ leafGradients: UnsafeMutableBufferPointer<Float>, isLast: Bool) { leavesThisStep += 1 }

    /// Fast mode never redoes a step.
    public var leavesCarried: Int { 0 }

    /// Float sums carry nothing from one step to the next.
    public var state: ReductionState? { nil }

    @discardableResult
    public func restore(_ state: ReductionState?) -> Bool { state == nil }

    /// Backward has written the final gradients of every element below `offset`.
    public func backwardFinished(upTo offset: Int) {
        guard overlap != .none else { return }
        let ready = plan.readyCount(finishedUpTo: offset)
        while started < ready {
            let bucket = plan.buckets[started]
            switch overlap {
            case .thread: worker?.submit(started)
            case .nonblocking:
                // An error here resurfaces in wait(), which redoes the bucket synchronously.
                pending[started] = try? world.startAllReduce(UnsafeMutableBufferPointer(rebasing: gradients[bucket]), .sum)
            case .none: break
            }
            started += 1
        }
    }

    /// Completes every bucket; afterwards `gradients` holds the sum over all ranks.
    public func finishStep() throws -> ReductionOutcome {
        defer { started = 0 }
        switch overlap {
        case .thread:
            while started < plan.buckets.count { worker?.submit(started); started += 1 }
            try worker?.waitForAll()
        case .nonblocking:
            for index in plan.buckets.indices {
                if let request = pending[index] {
                    try request.wait()
                    pending[index] = nil
                } else {
                    try world.allReduce(UnsafeMutableBufferPointer(rebasing: gradients[plan.buckets[index]]), .sum)
                }
            }
        case .none:
            for (index, bucket) in plan.buckets.enumerated() {
                Timeline.recorder?.bucket(index, started: true)
                try world.allReduce(UnsafeMutableBufferPointer(rebasing: gradients[bucket]), .sum)
                Timeline.recorder?.bucket(index, started: false)
            }
        }
        return .done
    }
}

/// The communication thread of ``FastReduction/Overlap/thread``: takes bucket indices in order
/// and reduces each with a blocking call. The queue is preallocated; a step allocates nothing.
final class ReductionWorker: @unchecked Sendable {
    private let world: any Communicator
    private let gradients: UnsafeMutableBufferPointer<Float>
    private let plan: BucketPlan
    private let condition = NSCondition()
    private var submitted = 0
    private var completed = 0
    private var failure: Error?
    private var thread: Thread?

    init(world: any Communicator, gradients: UnsafeMutableBufferPointer<Float>, plan: BucketPlan) {
        self.world = world
        self.gradients = gradients
        self.plan = plan
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "shoal-gradient-sync"
        self.thread = thread
        thread.start()
    }

    /// Hands bucket `index` to the thread; buckets must be submitted in order 0, 1, 2, ...
    func submit(_ index: Int) {
        condition.lock()
        precondition(index == submitted, "buckets are submitted in order")
        submitted += 1
        condition.signal()
        condition.unlock()
    }

    /// Blocks until every bucket of the step is reduced, then resets for the next step.
    func waitForAll() throws {
        condition.lock()
        defer { condition.unlock() }
        while completed < plan.buckets.count && failure == nil { condition.wait() }
        submitted = 0
        completed = 0
        if let failure { self.failure = nil; throw failure }
    }

    private func loop() {
        while true {
            condition.lock()
            while completed >= submitted { condition.wait() }
            let index = completed
            condition.unlock()
            do {
                Timeline.recorder?.bucket(index, started: true)
                try world.allReduce(UnsafeMutableBufferPointer(rebasing: gradients[plan.buckets[index]]), .sum)
                Timeline.recorder?.bucket(index, started: false)
            } catch {
                condition.lock(); failure = error; condition.broadcast(); condition.unlock()
                return
            }
            condition.lock()
            completed += 1
            condition.broadcast()
            condition.unlock()
        }
    }
}
