import Foundation
import Testing
@testable import ShoalMetrics

/// A record is one flat JSON object: its fields beside its values, null for a non-finite value.
@Suite struct MetricsRecordTests {
    static func encoded(_ record: MetricsRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(record), as: UTF8.self)
    }

    static func decoded(_ json: String) throws -> MetricsRecord {
        try JSONDecoder().decode(MetricsRecord.self, from: Data(json.utf8))
    }

    @Test func encodesFlat() throws {
        let record = MetricsRecord(kind: "train", step: 40, epoch: 1, wallTime: 1764651000.25,
                                   values: ["loss": 0.31, "learning_rate": 0.001])
        #expect(try Self.encoded(record)
            == #"{"epoch":1,"kind":"train","learning_rate":0.001,"loss":0.31,"step":40,"wall_time":1764651000.25}"#)
    }

    @Test func roundTripsEveryField() throws {
        let record = MetricsRecord(kind: "validation", step: 400, epoch: 3, wallTime: 1764651234.5,
                                   values: ["loss": 0.42, "accuracy": 0.875, "perplexity": 1.52, "tokens_per_second": 12345])
        #expect(try Self.decoded(Self.encoded(record)) == record)
    }

    @Test func nonFiniteIsNullAndReadsBackAsNaN() throws {
        let record = MetricsRecord(kind: "train", step: 7, wallTime: 1, values: ["loss": .nan, "grad_norm": .infinity])
        let json = try Self.encoded(record)
        #expect(json == #"{"grad_norm":null,"kind":"train","loss":null,"step":7,"wall_time":1}"#)
        let back = try Self.decoded(json)
        #expect(back.values["loss"]?.isNaN == true)
        #expect(back.values["grad_norm"]?.isNaN == true)
        #expect(back == MetricsRecord(kind: "train", step: 7, wallTime: 1, values: ["loss": .nan, "grad_norm": .nan]))
    }

    @Test func epochIsOptional() throws {
        #expect(try Self.decoded(#"{"kind":"test","step":9,"wall_time":2,"loss":1.5}"#).epoch == nil)
        #expect(try Self.decoded(#"{"kind":"test","step":9,"epoch":null,"wall_time":2}"#).epoch == nil)
        #expect(!(try Self.encoded(MetricsRecord(kind: "test", step: 9, wallTime: 2, values: [:]))).contains("epoch"))
    }

    @Test func readsTheTrainersEarlierLinesWithoutWallTime() throws {
        let record = try Self.decoded(#"{"kind":"train","step":10,"epoch":1,"loss":0.5,"accuracy":0.8,"lr":0.001}"#)
        #expect(record.wallTime.isNaN)
        #expect(record.values == ["loss": 0.5, "accuracy": 0.8, "lr": 0.001])
    }

    @Test(arguments: ["kind", "step", "epoch", "wall_time"])
    func reservedNamesCannotNameValues(_ name: String) {
        let record = MetricsRecord(kind: "train", step: 1, wallTime: 0, values: [name: 1])
        #expect(throws: MetricsError.reservedName(name)) { try Self.encoded(record) }
    }

    @Test func aValueThatIsNotANumberIsRefused() {
        #expect(throws: DecodingError.self) { try Self.decoded(#"{"kind":"train","step":1,"loss":"low"}"#) }
    }

    @Test func equalityIsReflexiveWithNaN() {
        let record = MetricsRecord(kind: "train", step: 1, wallTime: .nan, values: ["loss": .nan])
        #expect(record == record)
        #expect(record != MetricsRecord(kind: "train", step: 1, wallTime: .nan, values: ["loss": 1]))
        #expect(record != MetricsRecord(kind: "train", step: 1, wallTime: .nan, values: ["accuracy": .nan]))
    }
}
