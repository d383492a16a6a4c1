import Foundation
import ShoalNN

extension RunConfig {
    /// Reads, overrides and validates a config file.
    ///
    /// ```swift
    /// let config = try RunConfig.load(path: "configs/fashion-mlp.yaml", overrides: ["training.epochs=1"])
    /// ```
    ///
    /// - Parameter overrides: `key.path=value` strings (as given to `--set`), applied in order to
    ///   the YAML tree before validation; the value is read as a YAML scalar or flow collection.
    /// - Throws: ``ConfigError`` naming the file, line, key path and reason.
    public static func load(path: String, overrides: [String] = []) throws -> RunConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(kind: .unreadable, file: path, line: nil, keyPath: "", reason: "cannot read the file (missing or no permission)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(kind: .unreadable, file: path, line: nil, keyPath: "", reason: "not UTF-8 text")
        }
        return try parse(yaml: text, file: path, overrides: overrides)
    }

    /// The embedded default run (configs/fashion-mlp.yaml) with `overrides` applied: every key
    /// of it can be overridden, `model.layers[1].dense.units=64` included.
    public static func loadDefault(overrides: [String] = []) throws -> RunConfig {
        try parse(yaml: RunConfig.default.resolvedYAML(), file: "<default>", overrides: overrides)
    }

    /// Parses config text; `file` names it in errors.
    ///
    /// ```swift
    /// let config = try RunConfig.parse(yaml: "optimizer: {lr: 0.01}", file: "inline.yaml")
    /// ```
    public static func parse(yaml: String, file: String = "<string>", overrides: [String] = []) throws -> RunConfig {
        var tree = try ConfigNode.parse(yaml: yaml, file: file)
        for text in overrides { try ConfigOverride(text, file: file).apply(to: &tree) }
        return try RunConfig(tree: tree, file: file)
    }

    init(tree: ConfigNode, file: String) throws {
        self.init()
        var m = try ConfigMapping(ConfigField(node: tree, path: "", file: file))
        name = try m.string("name", name)
        if !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }),
            name != ".", name != ".."
        {
        } else {
            throw m.error("name", .invalidValue, "must be a directory name of letters, digits, '.', '_' or '-', got \"\(name)\"")
        }
        if let f = m.field("seed") { seed = try f.uint64() }
        try m.section("data") { try data.read(&$0) }
        try m.section("model") { try model.read(&$0) }
        loss = try m.choice("loss", loss)
        try m.section("optimizer") { try optimizer.read(&$0) }
        try m.section("schedule") { try schedule.read(&$0) }
        try m.section("training") { try training.read(&$0) }
        try m.section("distributed") { try distributed.read(&$0) }
        try m.section("checkpoint") { try checkpoint.read(&$0) }
        try m.section("logging") { try logging.read(&$0) }
        try m.finish()
    }
}

extension ConfigMapping {
    /// Reads the mapping under `key` (if given) with `body`, then rejects its unknown keys.
    mutating func section(_ key: String, _ body: (inout ConfigMapping) throws -> Void) throws {
        guard let f = field(key) else { return }
        var inner = try ConfigMapping(f)
        try body(&inner)
        try inner.finish()
    }
}

extension DataConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        source = try m.choice("source", source)
        path = try m.string("path", path)
        if let f = m.field("csv") {
            if f.node.isNull {
                csv = nil
            } else {
                var inner = try ConfigMapping(f)
                csv = try CSVConfig(&inner)
                try inner.finish()
            }
        }
        validationFraction = try m.double("validation_fraction", validationFraction, .unitInterval)
        normalize = try m.choice("normalize", normalize)
        limitTrain = try m.optionalInt("limit_train", limitTrain, .positive)
        limitTest = try m.optionalInt("limit_test", limitTest, .positive)
        if let f = m.field("class_names") {
            classNames = f.node.isNull ? nil : try f.items().map { try $0.string() }
        }
        if source == .csv && csv == nil {
            throw ConfigError(
                kind: .missingKey, file: m.field.file, line: m.field.node.line, keyPath: m.childPath("csv"),
                reason: "missing required key 'csv' for source: csv, e.g. csv: {path: data/x.csv, target: label}",
                override: m.field.node.origin)
        }
    }
}

extension CSVConfig {
    init(_ m: inout ConfigMapping) throws {
        path = try m.required("path").string()
        let t = try m.required("target")
        if case .scalar(let text, quoted: false) = t.node.value, let index = Int(text) {
            target = .index(index)
        } else {
            target = .name(try t.string())
        }
        header = try m.bool("header", header)
        delimiter = try m.string("delimiter", delimiter)
        if delimiter.count != 1 { throw m.error("delimiter", .invalidValue, "must be one character, got \"\(delimiter)\"") }
        testPath = try m.optionalString("test_path", testPath)
        testFraction = try m.double("test_fraction", testFraction, .unitInterval)
        classes = try m.optionalInt("classes", classes, Rule("must be ≥ 2") { $0 >= 2 })
        if case .name = target, !header {
            throw m.error("target", .invalidValue, "a target given by name needs header: true; give a column index instead")
        }
    }
}

extension ModelConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        if let f = m.field("input") {
            let dims = try f.items().map { try $0.check(try $0.int(), .positive) }
            input = try f.check(dims, Rule("must list 1 to 3 sizes ([features] or [height, width, channels])") { (1...3).contains($0.count) })
        }
        initializer = try m.choice("init", initializer)
        if let f = m.field("layers") {
            let items = try f.items()
            if items.isEmpty { throw f.error(.invalidValue, "must list at least one layer") }
            layers = try items.map(LayerYAML.layer)
        }
    }
}

extension OptimizerConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        name = try m.choice("name", name)
        lr = try m.double("lr", lr, .positive)
        momentum = try m.double("momentum", momentum, .unitInterval)
        beta1 = try m.double("beta1", beta1, .unitInterval)
        beta2 = try m.double("beta2", beta2, .unitInterval)
        eps = try m.double("eps", eps, .positive)
        weightDecay = try m.double("weight_decay", weightDecay, .nonNegative)
        l1 = try m.double("l1", l1, .nonNegative)
        clipNorm = try m.optionalDouble("clip_norm", clipNorm, .positive)
        if let f = m.field("groups") {
            groups = try f.node.isNull ? [] : f.items().map { item in
                var g = try ConfigMapping(item)
                var group = ParameterGroupConfig(match: try g.required("match").string())
                group.lr = try g.optionalDouble("lr", nil, .positive)
                group.weightDecay = try g.optionalDouble("weight_decay", nil, .nonNegative)
                group.l1 = try g.optionalDouble("l1", nil, .nonNegative)
                try g.finish()
                return group
            }
        }
    }
}

extension ScheduleConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        kind = try m.choice("kind", kind)
        warmupSteps = try m.int("warmup_steps", warmupSteps, .nonNegative)
        stepSize = try m.int("step_size", stepSize, .positive)
        gamma = try m.double("gamma", gamma, Rule("must be in (0, 1]") { $0 > 0 && $0 <= 1 })
        minLR = try m.double("min_lr", minLR, .nonNegative)
    }
}

extension TrainingConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        epochs = try m.int("epochs", epochs, .positive)
        globalBatch = try m.int("global_batch", globalBatch, .positive)
        microBatch = try m.int("micro_batch", microBatch, .positive)
        if microBatch > globalBatch {
            throw m.error(
                m.entries.contains { $0.key == "micro_batch" } ? "micro_batch" : "global_batch", .invalidValue,
                "micro_batch (\(microBatch)) must be ≤ global_batch (\(globalBatch))")
        }
        evalEvery = try m.int("eval_every", evalEvery, .nonNegative)
        try m.section("early_stopping") { e in
            earlyStopping.lossBelow = try e.optionalDouble("loss_below", earlyStopping.lossBelow)
            earlyStopping.patience = try e.optionalInt("patience", earlyStopping.patience, .positive)
            earlyStopping.minDelta = try e.double("min_delta", earlyStopping.minDelta, .nonNegative)
        }
    }
}

extension DistributedConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        reduction = try m.choice("reduction", reduction)
        bucketMB = try m.double("bucket_mb", bucketMB, .positive)
        overlap = try m.choice("overlap", overlap)
    }
}

extension CheckpointConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        dir = try m.optionalString("dir", dir)
        every = try m.int("every", every, .nonNegative)
        keepLast = try m.int("keep_last", keepLast, .positive)
    }
}

extension LoggingConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        dir = try m.string("dir", dir)
        if dir.isEmpty { throw m.error("dir", .invalidValue, "must not be empty") }
        progress = try m.choice("progress", progress)
    }
}
