import Foundation
import Testing
import TestSupport
@testable import ShoalMetrics


/// Event files that TensorBoard reads: TFRecord framing, both CRCs, the version event first,
/// then one event per addScalars.
@Suite struct EventFileWriterTests {
    static let start = 1764651000.75
    static let steps: [(step: Int, wallTime: Double, scalars: [(tag: String, value: Float)])] = [
        (10, 1764651001.5, [("train/loss", 2.25), ("train/learning_rate", 0.001)]),
        (20, 1764651002.5, [("train/loss", 1.5), ("train/learning_rate", 0.0005)]),
        (20, 1764651003.0, [("validation/loss", 1.75), ("validation/accuracy", 0.625)]),
        (300, 1764651004.0, [("train/loss", -0.125)]),
    ]

    /// Writes the steps above into `directory`; returns the file's path.
    static func writeExample(in directory: String) throws -> String {
        let writer = try EventFileWriter(directory: directory, host: "testhost", time: start)
        for entry in steps { try writer.addScalars(entry.scalars, step: entry.step, wallTime: entry.wallTime) }
        return writer.path
    }

    @Test func fileIsNamedForTimeAndHost() throws {
        try TemporaryDirectory.with { directory in
            let path = try Self.writeExample(in: directory)
            #expect(path == directory + "/events.out.tfevents.1764651000.testhost")
            // The same second again: its own file beside the first, never the first one reopened.
            #expect(try EventFileWriter(directory: directory, host: "testhost", time: Self.start).path == path + ".1")
        }
    }

    @Test func independentReaderReadsEveryEvent() throws {
        try TemporaryDirectory.with { directory in
            let file = try Array(Data(contentsOf: URL(fileURLWithPath: Self.writeExample(in: directory))))
            let events = try IndependentEventReader.records(file).map(IndependentEventReader.event)
            try #require(events.count == Self.steps.count + 1)
            #expect(events[0].fileVersion == "brain.Event:2")
            #expect(events[0].wallTime == Self.start)
            #expect(events[0].step == nil && events[0].scalars.isEmpty)
            for (event, expected) in zip(events.dropFirst(), Self.steps) {
                #expect(event.wallTime == expected.wallTime)
                #expect(event.step == Int64(expected.step))
                #expect(event.fileVersion == nil)
                #expect(event.scalars.map(\.tag) == expected.scalars.map(\.tag))
                #expect(event.scalars.map(\.value) == expected.scalars.map(\.value))
            }
        }
    }

    @Test func framingIsLengthThenChecksums() throws {
        let data: [UInt8] = Array("hello".utf8)
        let framed = EventFileWriter.record(data)
        #expect(framed.count == data.count + 16)
        #expect(Array(framed[0..<8]) == [5, 0, 0, 0, 0, 0, 0, 0])
        #expect(Array(framed[12..<17]) == data)
        #expect(try IndependentEventReader.records(framed) == [data])
    }

    @Test func aFlippedByteIsDetected() throws {
        try TemporaryDirectory.with { directory in
            let file = try Array(Data(contentsOf: URL(fileURLWithPath: Self.writeExample(in: directory))))
            let firstLength = Int(IndependentEventReader.littleEndian(file[0..<8]))
            let second = firstLength + 16
            var inData = file
            inData[second + 12 + 3] ^= 0x01
            #expect(throws: IndependentEventReader.Failure.dataChecksum(offset: second)) { try IndependentEventReader.records(inData) }
            var inLength = file
            inLength[second] ^= 0x40
            #expect(throws: IndependentEventReader.Failure.lengthChecksum(offset: second)) { try IndependentEventReader.records(inLength) }
            var inChecksum = file
            inChecksum[file.count - 1] ^= 0x80
            #expect(throws: IndependentEventReader.Failure.self) { try IndependentEventReader.records(inChecksum) }
        }
    }

    @Test func missingDirectoryIsAnErrorWithThePath() {
        let error = #expect(throws: MetricsError.self) { try EventFileWriter(directory: "/nonexistent/tb", host: "h", time: 1) }
        #expect(error?.description == "could not open /nonexistent/tb/events.out.tfevents.1.h: No such file or directory")
    }
}

/// Python's tensorboard reads the file: the reader TensorBoard itself uses, where installed.
@Suite struct TensorBoardReadsEventFileTests {
    /// `python3` on PATH, when it can import tensorboard; otherwise why not.
    static func python() -> (path: String?, reason: String) {
        let directories = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        guard let python = directories.map({ "\($0)/python3" }).first(where: FileManager.default.isExecutableFile) else {
            return (nil, "no python3 on PATH")
        }
        guard (try? run(python, ["-c", "import tensorboard"]).status) == 0 else {
            return (nil, "\(python) cannot import tensorboard (pip install tensorboard)")
        }
        return (python, "")
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }

    static let script = """
    import json, sys
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    accumulator = EventAccumulator(sys.argv[1])
    accumulator.Reload()
    print(json.dumps({tag: [[e.step, e.value, e.wall_time] for e in accumulator.Scalars(tag)]
                      for tag in accumulator.Tags()["scalars"]}))
    """

    @Test func eventAccumulatorReadsTagsStepsAndValues() throws {
        let (python, reason) = Self.python()
        guard let python else {
            print("skipped TensorBoard check: \(reason)")
            return
        }
        try TemporaryDirectory.with { directory in
            _ = try EventFileWriterTests.writeExample(in: directory)
            let result = try Self.run(python, ["-c", Self.script, directory])
            try #require(result.status == 0)
            let scalars = try #require(try JSONSerialization.jsonObject(with: result.output) as? [String: [[Double]]])
            var expected: [String: [[Double]]] = [:]
            for entry in EventFileWriterTests.steps {
                for (tag, value) in entry.scalars { expected[tag, default: []].append([Double(entry.step), Double(value), entry.wallTime]) }
            }
            #expect(scalars.keys.sorted() == expected.keys.sorted())
            for (tag, events) in expected {
                let read = scalars[tag] ?? []
                #expect(read.map { $0[0] } == events.map { $0[0] }, "steps of \(tag)")
                // Compared as float32, what was stored: Foundation's JSON parser can be an ulp off
                // in the double Python prints.
                #expect(read.map { Float($0[1]) } == events.map { Float($0[1]) }, "values of \(tag)")
                #expect(zip(read, events).allSatisfy { abs($0[2] - $1[2]) < 1e-6 }, "wall times of \(tag)")
            }
        }
    }
}

@Suite struct EventFileNameTests {
    @Test func aSecondWriterInTheSameSecondGetsItsOwnFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tb-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try EventFileWriter(directory: directory, host: "h", time: 1_764_651_000)
        let second = try EventFileWriter(directory: directory, host: "h", time: 1_764_651_000.5)
        #expect(first.path.hasSuffix("events.out.tfevents.1764651000.h"))
        #expect(second.path.hasSuffix("events.out.tfevents.1764651000.h.1"))
    }
}
