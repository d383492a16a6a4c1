import Foundation
import Testing
import TestSupport
@testable import ShoalMetrics

/// metrics.jsonl survives a kill mid-write, and a bad line elsewhere is named by its number.
@Suite struct MetricsFileTests {
    static func record(_ step: Int, loss: Double = 0.5) -> MetricsRecord {
        MetricsRecord(kind: "train", step: step, epoch: 1, wallTime: 1764651000 + Double(step), values: ["loss": loss])
    }

    static func append(_ text: String, to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(text.utf8))
        try handle.close()
    }

    @Test func writtenRecordsReadBackInOrder() throws {
        try TemporaryDirectory.with { directory in
            let path = directory + "/metrics.jsonl"
            let records = [Self.record(10), Self.record(20, loss: .nan), Self.record(30, loss: 0.25)]
            let writer = try MetricsFileWriter(path: path)
            for record in records { try writer.append(record) }
            #expect(try MetricsFile.read(path: path) == records)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text.split(separator: "\n").count == 3 && text.hasSuffix("}\n"))
        }
    }

    @Test func aSecondWriterAppends() throws {
        try TemporaryDirectory.with { directory in
            let path = directory + "/metrics.jsonl"
            try MetricsFileWriter(path: path).append(Self.record(10))
            try MetricsFileWriter(path: path).append(Self.record(20))
            #expect(try MetricsFile.read(path: path).map(\.step) == [10, 20])
        }
    }

    @Test func truncatedLastLineIsSkipped() throws {
        try TemporaryDirectory.with { directory in
            let path = directory + "/metrics.jsonl"
            let writer = try MetricsFileWriter(path: path)
            try writer.append(Self.record(10))
            try writer.append(Self.record(20))
            try Self.append(#"{"kind":"train","step":30,"wall_"#, to: path)
            #expect(try MetricsFile.read(path: path).map(\.step) == [10, 20])
        }
    }

    @Test func completeLastLineWithoutNewlineIsRead() throws {
        try TemporaryDirectory.with { directory in
            let path = directory + "/metrics.jsonl"
            try "{\"kind\":\"train\",\"step\":1}\n{\"kind\":\"train\",\"step\":2}".write(toFile: path, atomically: false, encoding: .utf8)
            #expect(try MetricsFile.read(path: path).map(\.step) == [1, 2])
        }
    }

    @Test func malformedMiddleLineIsReportedWithItsNumber() throws {
        try TemporaryDirectory.with { directory in
            let path = directory + "/metrics.jsonl"
            let lines = [#"{"kind":"train","step":10,"loss":1}"#, "", #"{"kind":"train","loss":1}"#, #"{"kind":"train","step":30,"loss":1}"#]
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: false, encoding: .utf8)
            let error = try #require(throws: MetricsError.self) { try MetricsFile.read(path: path) }
            #expect(error == .malformedLine(path: path, line: 3, reason: #""step" is missing"#))
            #expect(error.description == "\(path):3: not a metrics record: \"step\" is missing")
        }
    }

    @Test func lineThatIsNotJSONIsReported() throws {
        try TemporaryDirectory.with { directory in
            let path = directory + "/metrics.jsonl"
            try "{\"kind\":\"train\",\"step\":1}\nnot json\n{\"kind\":\"train\",\"step\":2}\n".write(toFile: path, atomically: false, encoding: .utf8)
            #expect(throws: MetricsError.malformedLine(path: path, line: 2, reason: "not valid JSON")) { try MetricsFile.read(path: path) }
        }
    }

    @Test func reopeningAfterAKillDropsThePartialLine() throws {
        try TemporaryDirectory.with { directory in
            let path = directory + "/metrics.jsonl"
            try MetricsFileWriter(path: path).append(Self.record(10))
            try Self.append(#"{"kind":"train","st"#, to: path)
            try MetricsFileWriter(path: path).append(Self.record(20))
            #expect(try MetricsFile.read(path: path).map(\.step) == [10, 20])
        }
    }

    @Test func reopeningAFileOfOnlyAPartialLineEmptiesIt() throws {
        try TemporaryDirectory.with { directory in
            let path = directory + "/metrics.jsonl"
            // Longer than the writer's 4 KiB read-back block, so the search crosses blocks.
            try String(repeating: "x", count: 9000).write(toFile: path, atomically: false, encoding: .utf8)
            try MetricsFileWriter(path: path).append(Self.record(10))
            #expect(try MetricsFile.read(path: path).map(\.step) == [10])
        }
    }

    @Test func fileLargerThanTheBoundIsRefused() throws {
        try TemporaryDirectory.with { directory in
            let path = directory + "/metrics.jsonl"
            try MetricsFileWriter(path: path).append(Self.record(10))
            let error = try #require(throws: MetricsError.self) { try MetricsFile.read(path: path, maxBytes: 16) }
            #expect(error.description.hasPrefix("\(path): "))
            #expect(error.description.contains("more than the 16 bytes"))
        }
    }

    @Test func missingFileNamesItsPath() throws {
        let error = try #require(throws: MetricsError.self) { try MetricsFile.read(path: "/nonexistent/metrics.jsonl") }
        #expect(error.description == "could not read /nonexistent/metrics.jsonl: No such file or directory")
        #expect(throws: MetricsError.self) { try MetricsFileWriter(path: "/nonexistent/metrics.jsonl") }
    }
}
