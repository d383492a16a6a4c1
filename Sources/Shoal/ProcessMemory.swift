import Foundation

/// The most memory this process has held resident so far (Linux's `VmHWM` in
/// `/proc/self/status`), in bytes; nil where the kernel does not say. The end of a run prints it:
/// memory per rank is what decides whether a model fits.
///
/// ```swift
/// peakResidentBytes().map { $0 >> 20 }   // 84 (MiB)
/// ```
public func peakResidentBytes() -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        // "VmHWM:     86016 kB"
        let fields = line.split(separator: " ")
        if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
    }
    return nil
}
