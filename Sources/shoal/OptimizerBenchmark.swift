// Measures an optimizer step against the machine's memory bandwidth: `shoal bench optimizer`.
import ShoalOptim
import ShoalTensor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Seconds on a monotonic clock.
private func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Makes the optimizer assume `pointer`'s memory is read and written: without it, LLVM deletes
/// copies into a buffer that is freed unread (dead-store elimination), or turns a copy from a
/// buffer it saw memset into a memset, and the benchmark times the wrong thing.
@inline(never) @_optimize(none)
private func blackHole(_ pointer: UnsafeMutableRawPointer) {}

/// Copy bandwidth of this machine in bytes per second, counting bytes read plus bytes
/// written (2 × `bytes` per copy), the same way ``benchmarkOptimizerStep(kind:parameterCount:iterations:)``
/// counts its traffic, and timed the same way: one warm-up `memcpy` of a `bytes`-sized buffer,
/// then the mean of `repetitions` more. Choose `bytes` well above the last-level cache
/// (e.g. 256 MiB).
///
/// ```swift
/// let copy = measureCopyBandwidth(bytes: 256 << 20)   // e.g. 7.7e10
/// ```
func measureCopyBandwidth(bytes: Int, repetitions: Int = 5) -> Double {
    let source = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    let destination = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
    defer { source.deallocate(); destination.deallocate() }
    memset(source, 1, bytes)
    memset(destination, 2, bytes)  // touch every page before timing
    blackHole(source)
    memcpy(destination, source, bytes)  // warm-up
    blackHole(destination)
    let copies = max(1, repetitions)
    let start = monotonicSeconds()
    for _ in 0..<copies {
        memcpy(destination, source, bytes)
        blackHole(destination)
    }
    let secondsPerCopy = (monotonicSeconds() - start) / Double(copies)
    return 2 * Double(bytes) / secondsPerCopy
}

/// Times ``Optimizer/step(parameters:gradients:learningRate:)`` on one entry of
/// `parameterCount` parameters (weight decay 0.01, no L1) after one warm-up step.
///
/// `bytesPerSecond` is ``OptimizerKind/bytesPerParameterPerStep`` × `parameterCount` /
/// `secondsPerStep`: the memory traffic the step must make, to compare with
/// ``measureCopyBandwidth(bytes:repetitions:)``.
///
/// ```swift
/// let adam = benchmarkOptimizerStep(kind: .adam(), parameterCount: 1 << 24, iterations: 20)
/// let fraction = adam.bytesPerSecond / measureCopyBandwidth(bytes: 256 << 20)
/// ```
func benchmarkOptimizerStep(kind: OptimizerKind, parameterCount: Int, iterations: Int)
    -> (secondsPerStep: Double, bytesPerSecond: Double)
{
    let entries = [ParameterArena.Entry(name: "bench.weight", shape: [parameterCount], offset: 0)]
    guard parameterCount > 0, iterations > 0,
          let optimizer = try? Optimizer(kind: kind, entries: entries, defaults: GroupOptions(weightDecay: 0.01))
    else { return (0, 0) }
    let parameters = UnsafeMutableBufferPointer<Float>.allocate(capacity: parameterCount)
    let gradients = UnsafeMutableBufferPointer<Float>.allocate(capacity: parameterCount)
    defer { parameters.deallocate(); gradients.deallocate() }
    for i in 0..<parameterCount {
        parameters[i] = Float(i % 1000) * 1e-3 - 0.5
        gradients[i] = Float(i % 777) * 1e-4 - 0.03
    }
    optimizer.step(parameters: parameters, gradients: gradients, learningRate: 1e-3)  // warm-up
    let start = monotonicSeconds()
    for _ in 0..<iterations {
        optimizer.step(parameters: parameters, gradients: gradients, learningRate: 1e-3)
        blackHole(UnsafeMutableRawPointer(parameters.baseAddress!))
    }
    let secondsPerStep = (monotonicSeconds() - start) / Double(iterations)
    let bytes = Double(kind.bytesPerParameterPerStep) * Double(parameterCount)
    return (secondsPerStep, bytes / secondsPerStep)
}
