// TensorBoard event files, encoded by hand rather than with swift-protobuf: a scalar log needs
// two tiny messages (Event, Summary) and five of their fields, which a page of code writes;
// generated code and a package dependency would be larger than the writer. The layouts are
// tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto; the framing is
// TFRecord's (tensorflow/core/lib/io/record_writer.cc).
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes scalars to a TensorBoard event file, `events.out.tfevents.<unix seconds>.<host>`,
/// so that `tensorboard --logdir runs` shows a run's curves while it trains.
///
/// Each event goes to the file in one write(2), with no buffer in this process, so TensorBoard
/// reads it at its next poll: there is nothing to flush.
///
/// ```swift
/// let events = try EventFileWriter(directory: "runs/fashion-mlp")
/// try events.addScalars([("train/loss", 0.31), ("train/learning_rate", 0.001)],
///                       step: 40, wallTime: Date().timeIntervalSince1970)
/// ```
public final class EventFileWriter {
    /// The event file written.
    public let path: String
    private let file: OutputFile

    /// Creates the event file in `directory` (which must exist) and writes its first event, the
    /// file version TensorBoard checks. Where a file of that name exists (a run resumed in
    /// the same second), the new one is `<name>.1` (`.2`, …), never two runs in one file.
    ///
    /// ```swift
    /// let events = try EventFileWriter(directory: "/tmp/tb", host: "node1", time: 1764651000)
    /// // events.path == "/tmp/tb/events.out.tfevents.1764651000.node1"
    /// ```
    public init(directory: String, host: String = ProcessInfo.processInfo.hostName,
                time: Double = Date().timeIntervalSince1970) throws {
        // Int(exactly:) is nil for NaN and out-of-range times, where Int() would trap.
        let seconds = Int(exactly: time.rounded(.down)) ?? 0
        let name = "events.out.tfevents.\(seconds).\(host.replacingOccurrences(of: "/", with: "_"))"
        // A run resumed within the same second on the same host finds its name taken: it gets
        // `name.1`, `name.2`, … (TensorBoard reads any file with "tfevents" in its name), never
        // the other writer's file.
        var suffix = 0
        while true {
            let candidate = URL(fileURLWithPath: directory).appendingPathComponent(suffix == 0 ? name : "\(name).\(suffix)").path
            do {
                file = try OutputFile(path: candidate, flags: O_WRONLY | O_CREAT | O_EXCL)
                path = candidate
                break
            } catch where suffix < 1000 && FileManager.default.fileExists(atPath: candidate) {
                suffix += 1
            }
        }
        var event = ProtobufEncoding()
        event.double(1, time)                  // Event.wall_time
        event.string(3, "brain.Event:2")       // Event.file_version
        try file.write(Self.record(event.bytes))
    }

    /// Writes one event at `step` holding every value given, each under its tag.
    ///
    /// ```swift
    /// let events = try EventFileWriter(directory: "runs/a"), now = Date().timeIntervalSince1970
    /// try events.addScalars([("validation/loss", 0.42), ("validation/accuracy", 0.87)], step: 400, wallTime: now)
    /// ```
    public func addScalars(_ values: [(tag: String, value: Float)], step: Int, wallTime: Double) throws {
        var summary = ProtobufEncoding()
        for (tag, value) in values {
            var entry = ProtobufEncoding()
            entry.string(1, tag)               // Summary.Value.tag
            entry.float(2, value)              // Summary.Value.simple_value
            summary.message(1, entry)          // Summary.value (repeated)
        }
        var event = ProtobufEncoding()
        event.double(1, wallTime)              // Event.wall_time
        event.int64(2, Int64(step))            // Event.step
        event.message(5, summary)              // Event.summary
        try file.write(Self.record(event.bytes))
    }

    /// TFRecord framing: the length as uint64 little-endian, the masked CRC-32C of those eight
    /// bytes, the data, the masked CRC-32C of the data (both CRCs uint32 little-endian).
    ///
    /// ```swift
    /// var event = ProtobufEncoding()
    /// event.int64(2, 400)                              // Event.step
    /// let framed = EventFileWriter.record(event.bytes) // 16 bytes longer than the event
    /// ```
    static func record(_ data: [UInt8]) -> [UInt8] {
        var framed: [UInt8] = []
        framed.reserveCapacity(data.count + 16)
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { framed += $0 }
        withUnsafeBytes(of: CRC32C.masked(CRC32C.checksum(framed)).littleEndian) { framed += $0 }
        framed += data
        withUnsafeBytes(of: CRC32C.masked(CRC32C.checksum(data)).littleEndian) { framed += $0 }
        return framed
    }
}
