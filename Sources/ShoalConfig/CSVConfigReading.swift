import ShoalData

extension CSVConfig {
    /// The reader's name for the configured target column. The one conversion between the two
    /// enums: a config's target is a name or an index, never the reader's `.absent` (a training
    /// file must have a target), so the config keeps the narrower type.
    ///
    /// ```swift
    /// CSVConfig(path: "x.csv", target: .index(-1)).readerTarget   // CSVTarget.index(-1)
    /// ```
    public var readerTarget: CSVTarget {
        switch target {
        case .name(let name): .name(name)
        case .index(let index): .index(index)
        }
    }

    /// The cell separator as the reader takes it (the config reader checked it is one character).
    public var delimiterCharacter: Character { delimiter.first ?? "," }

    /// Reads `path` laid out as this section says: its header, delimiter and target column, or
    /// with `target: .absent` the same columns without the target (samples to predict).
    ///
    /// ```swift
    /// let csv = CSVConfig(path: "data/x.csv", target: .name("label"))
    /// let train = try csv.read(csv.path, targets: .classIndex(count: 2))
    /// let unlabeled = try csv.read("new.csv", target: .absent)
    /// ```
    /// - Throws: ``DataError`` naming the file and, for a bad cell, its line and column.
    public func read(_ path: String, target: CSVTarget? = nil, targets rule: TargetRule = .any) throws -> Dataset {
        try CSVReader.read(path: path, target: target ?? readerTarget, header: header, delimiter: delimiterCharacter, targets: rule)
    }
}
