import Foundation

/// One line of a run's `metrics.jsonl`: what was measured, at which step, and when.
///
/// The JSON is flat, the record's own fields beside its values, so `jq` and pandas read it as is;
/// a non-finite value is written as `null` (JSON has no NaN) and read back as `.nan`.
///
/// ```swift
/// let record = MetricsRecord(kind: "train", step: 40, epoch: 1, wallTime: 1764651000.25,
///                            values: ["loss": 0.31, "learning_rate": 0.001])
/// // {"epoch":1,"kind":"train","learning_rate":0.001,"loss":0.31,"step":40,"wall_time":1764651000.25}
/// ```
public struct MetricsRecord: Codable, Equatable, Sendable {
    /// What the line measures: `"train"`, `"validation"`, `"test"` or `"epoch"`.
    public var kind: String
    /// The optimizer steps taken when it was measured.
    public var step: Int
    /// The epoch (from 1), where the line belongs to one.
    public var epoch: Int?
    /// Unix seconds when it was measured; NaN for a line written before `wall_time` was logged.
    public var wallTime: Double
    /// The measurements by name: `"loss"`, `"accuracy"`, `"learning_rate"`, `"grad_norm"`,
    /// `"samples_per_second"`, `"tokens_per_second"`, `"perplexity"`, `"bits_per_character"`, ...
    public var values: [String: Double]

    /// The JSON names of the record's own fields, which no value may take.
    public static let reservedNames: Set<String> = ["kind", "step", "epoch", "wall_time"]

    /// A record; ``encode(to:)`` throws ``MetricsError/reservedName(_:)`` if a value is named
    /// like a field.
    ///
    /// ```swift
    /// let record = MetricsRecord(kind: "validation", step: 400, wallTime: Date().timeIntervalSince1970,
    ///                            values: ["loss": 0.42, "accuracy": 0.87])
    /// ```
    public init(kind: String, step: Int, epoch: Int? = nil, wallTime: Double, values: [String: Double]) {
        self.kind = kind
        self.step = step
        self.epoch = epoch
        self.wallTime = wallTime
        self.values = values
    }

    /// Any JSON name: the values' names are not known in advance.
    private struct Key: CodingKey {
        let stringValue: String
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    /// Reads one flat JSON object; `null` reads as NaN, and a line without `wall_time` (the
    /// trainer's format before issue 16) as NaN too.
    ///
    /// ```swift
    /// let record = try JSONDecoder().decode(MetricsRecord.self, from: Data(#"{"kind":"test","step":9,"loss":null}"#.utf8))
    /// // record.values["loss"]!.isNaN == true
    /// ```
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        kind = try container.decode(String.self, forKey: Key("kind"))
        step = try container.decode(Int.self, forKey: Key("step"))
        epoch = try container.decodeIfPresent(Int.self, forKey: Key("epoch"))
        wallTime = try Self.number(container, Key("wall_time")) ?? .nan
        var values: [String: Double] = [:]
        for key in container.allKeys where !Self.reservedNames.contains(key.stringValue) {
            values[key.stringValue] = try Self.number(container, key)
        }
        self.values = values
    }

    /// Writes one flat JSON object, a non-finite number as `null`.
    ///
    /// ```swift
    /// let record = MetricsRecord(kind: "train", step: 40, wallTime: 1764651000.25, values: ["loss": .nan])
    /// let line = try JSONEncoder().encode(record)   // one flat object; the NaN loss as "loss":null
    /// ```
    public func encode(to encoder: any Encoder) throws {
        if let name = values.keys.first(where: Self.reservedNames.contains) { throw MetricsError.reservedName(name) }
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(kind, forKey: Key("kind"))
        try container.encode(step, forKey: Key("step"))
        try container.encodeIfPresent(epoch, forKey: Key("epoch"))
        try Self.encode(wallTime, Key("wall_time"), &container)
        for (name, value) in values { try Self.encode(value, Key(name), &container) }
    }

    /// A number or null (as NaN); nil when the key is absent.
    private static func number(_ container: KeyedDecodingContainer<Key>, _ key: Key) throws -> Double? {
        guard container.contains(key) else { return nil }
        return try container.decodeNil(forKey: key) ? .nan : container.decode(Double.self, forKey: key)
    }

    private static func encode(_ value: Double, _ key: Key, _ container: inout KeyedEncodingContainer<Key>) throws {
        if value.isFinite { try container.encode(value, forKey: key) } else { try container.encodeNil(forKey: key) }
    }

    /// Equal fields, where a NaN value equals NaN: a record read back from its line is the one
    /// written, and `==` stays reflexive as `Equatable` requires.
    ///
    /// ```swift
    /// let a = MetricsRecord(kind: "train", step: 1, wallTime: 0, values: ["loss": .nan])
    /// // a == a
    /// ```
    public static func == (a: MetricsRecord, b: MetricsRecord) -> Bool {
        a.kind == b.kind && a.step == b.step && a.epoch == b.epoch && same(a.wallTime, b.wallTime)
            && a.values.count == b.values.count
            && a.values.allSatisfy { name, value in b.values[name].map { same(value, $0) } ?? false }
    }

    private static func same(_ a: Double, _ b: Double) -> Bool { a == b || (a.isNaN && b.isNaN) }
}
