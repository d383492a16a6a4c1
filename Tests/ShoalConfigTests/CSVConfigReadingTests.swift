import Foundation
import ShoalData
import Testing

@testable import ShoalConfig

/// A CSV section reads its files one way, for training and for `shoal predict` alike.
@Suite struct CSVConfigReadingTests {
    @Test func theTargetConvertsOnce() {
        #expect(CSVConfig(path: "x.csv", target: .name("label")).readerTarget == .name("label"))
        #expect(CSVConfig(path: "x.csv", target: .index(-1)).readerTarget == .index(-1))
    }

    @Test func aFileReadsWithTheSectionsLayout() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("shoal-csv-\(UUID().uuidString).csv").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "x1;label;x2\n0.5;1;1.5\n2;0;3\n".write(toFile: path, atomically: true, encoding: .utf8)
        var csv = CSVConfig(path: path, target: .name("label"))
        csv.delimiter = ";"
        let labeled = try csv.read(path)
        #expect(labeled.featureShape == [2] && labeled.targets == [1, 0])
        // Without the target column: the same file read as samples to predict, every column a feature.
        let unlabeled = try csv.read(path, target: .absent)
        #expect(unlabeled.featureShape == [3])
        #expect(throws: DataError.self) { try csv.read(path, targets: .classIndex(count: 1)) }
    }
}
