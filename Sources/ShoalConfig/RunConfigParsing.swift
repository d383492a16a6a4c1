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
        // At most one byte past the bound is read: /dev/zero or a data file given by mistake
        // is refused at once instead of read whole.
        let unreadable = ConfigError(kind: .unreadable, file: path, line: nil, keyPath: "", reason: "cannot read the file (missing or no permission)")
        guard let handle = FileHandle(forReadingAtPath: path) else { throw unreadable }
        defer { try? handle.close() }
        let data: Data
        do { data = try handle.read(upToCount: ConfigLimits.maximumFileBytes + 1) ?? Data() } catch { throw unreadable }
        guard data.count <= ConfigLimits.maximumFileBytes else { throw ConfigLimits.tooLargeFile(path) }
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
        name = try m.string("name", name, doc: "the run's name: its directory under logging.dir (letters, digits, ., _, -)")
        if !name.isEmpty, name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._-".unicodeScalars.contains($0) }),
            name != ".", name != ".."
        {
        } else {
            throw m.error("name", .invalidValue, "must be a directory name of letters, digits, '.', '_' or '-', got \"\(name)\"")
        }
        m.document("seed", type: "integer ≥ 0", default: String(seed),
                   doc: "the one seed of every random choice: initialization, splits, sample order, dropout")
        if let f = m.field("seed") { seed = try f.uint64() }
        try m.section("data") { try data.read(&$0) }
        try m.section("model") { try model.read(&$0) }
        loss = try m.choice("loss", loss, doc: "softmax_cross_entropy (targets: class indices), binary_cross_entropy (targets in [0, 1]), mse")
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

    /// What `body` reads from each mapping of the list under `key`, unknown keys rejected; null
    /// gives an empty list, an absent key nil.
    mutating func mappingList<T>(_ key: String, _ body: (inout ConfigMapping) throws -> T) throws -> [T]? {
        guard let f = field(key) else { return nil }
        if f.node.isNull { return [] }
        return try f.items().map { item in
            var inner = try ConfigMapping(item)
            let value = try body(&inner)
            try inner.finish()
            return value
        }
    }

    /// The value `body` reads from the mapping under `key`, its unknown keys rejected; null gives
    /// nil, an absent key `current`.
    mutating func optionalSection<T>(_ key: String, _ current: T?, _ body: (inout ConfigMapping) throws -> T) throws -> T? {
        guard let f = field(key) else { return current }
        if f.node.isNull { return nil }
        var inner = try ConfigMapping(f)
        let value = try body(&inner)
        try inner.finish()
        return value
    }
}

extension DataConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        source = try m.choice("source", source, doc: "fashion_mnist: the IDX files train-* and t10k-* in data.path; csv: data.csv; text: data.text; tokens: data.tokens")
        path = try m.string("path", path, doc: "directory of the IDX files (fashion_mnist)")
        m.document("csv", type: "mapping or null", default: "null", doc: "the CSV source; required when data.source is csv")
        csv = try m.optionalSection("csv", csv) { try CSVConfig(&$0) }
        m.document("text", type: "mapping or null", default: "null", doc: "the text source of a character language model; required when data.source is text")
        text = try m.optionalSection("text", text) { inner in
            inner.document("path", type: "string", default: "required",
                           doc: "a UTF-8 file, or a directory whose files are read in name order (skipping .dat files, links and hidden files); windows are model.input[0] characters long")
            var t = TextConfig(path: try inner.required("path").string())
            t.evalWindows = try inner.optionalInt("eval_windows", nil, .positive,
                                                  doc: "evaluate on the first N consecutive windows of the validation split; null: all")
            return t
        }
        m.document("tokens", type: "mapping or null", default: "null", doc: "the token shards of a subword language model; required when data.source is tokens")
        tokens = try m.optionalSection("tokens", tokens) { inner in
            inner.document("path", type: "string", default: "required",
                           doc: "a directory written by shoal data prepare (or of llm.c's *_train_*.bin and *_val_*.bin shards); windows are model.input[0] tokens long")
            var t = TokensConfig(path: try inner.required("path").string())
            t.tokenizer = try inner.optionalString("tokenizer", nil,
                                                   doc: "the tokenizer (tokenizer.json, or a directory with it or GPT-2's encoder.json and vocab.bpe) of a directory with no manifest.json; null: the directory's own")
            t.evalWindows = try inner.optionalInt("eval_windows", nil, .positive,
                                                  doc: "evaluate on the first N consecutive windows of the validation shards and as many of the training shards; null: every validation window")
            return t
        }
        validationFraction = try m.double("validation_fraction", validationFraction, .unitInterval, doc: "share of the training samples held out for validation")
        normalize = try m.choice("normalize", normalize, doc: "scale: divide by 255; standardize: per-feature mean and std of the training split (kept in checkpoints); none")
        limitTrain = try m.optionalInt("limit_train", limitTrain, .positive, doc: "use only the first N samples for training and validation (quick runs)")
        limitTest = try m.optionalInt("limit_test", limitTest, .positive, doc: "use only the first N test samples")
        m.document("keep_classes", type: "list of integers or null", default: "null",
                   doc: "train and evaluate on these classes of the source only (at least 2, each once), relabeled 0, 1, ... in this order; null: every class")
        if let f = m.field("keep_classes") {
            keepClasses = f.node.isNull ? nil : try f.items().map { try $0.int() }
            if let kept = keepClasses, kept.count < 2 || Set(kept).count != kept.count || kept.contains(where: { $0 < 0 }) {
                throw f.error(.invalidValue, "must list at least 2 distinct class indices ≥ 0, got \(kept)")
            }
        }
        m.document("class_names", type: "list of strings or null", default: "null",
                   doc: "class names by label for reports; null: Fashion-MNIST's for its Debian files, else class 0, class 1, ...")
        if let f = m.field("class_names") {
            classNames = f.node.isNull ? nil : try f.items().map { try $0.string() }
        }
        do {
            _ = try sourceSection()
        } catch {
            throw ConfigError(kind: .missingKey, file: m.field.file, line: m.field.node.line, keyPath: m.childPath(error.key),
                              reason: error.reason, override: m.field.node.origin)
        }
    }
}

extension CSVConfig {
    init(_ m: inout ConfigMapping) throws {
        m.document("path", type: "string", default: "required", doc: "the CSV file")
        path = try m.required("path").string()
        m.document("target", type: "string or integer", default: "required", doc: "the target column: a header name, or a 0-based index (-1 = last)")
        let t = try m.required("target")
        if case .scalar(let text, quoted: false) = t.node.value, let index = Int(text) {
            target = .index(index)
        } else {
            target = .name(try t.string())
        }
        header = try m.bool("header", header, doc: "whether the first row holds column names")
        delimiter = try m.string("delimiter", delimiter, doc: "the cell separator, one character")
        if delimiter.count != 1 { throw m.error("delimiter", .invalidValue, "must be one character, got \"\(delimiter)\"") }
        testPath = try m.optionalString("test_path", testPath, doc: "a separate test file; null: test_fraction of path is held out")
        testFraction = try m.double("test_fraction", testFraction, .unitInterval, doc: "share of the file held out as the test split when test_path is null")
        classes = try m.optionalInt("classes", classes, Rule("must be ≥ 2") { $0 >= 2 }, doc: "number of classes of a class-index target; null: as many as the model has outputs")
        if case .name = target, !header {
            throw m.error("target", .invalidValue, "a target given by name needs header: true; give a column index instead")
        }
    }
}

extension ModelConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        m.document("input", type: "list of 1 to 3 integers", default: ConfigNode.sequence(input.map(ConfigNode.int)).flow(),
                   doc: "per-sample input shape: [features] or [height, width, channels]")
        if let f = m.field("input") {
            let dims = try f.items().map { try $0.check(try $0.int(), .positive) }
            input = try f.check(dims, Rule("must list 1 to 3 sizes ([features] or [height, width, channels])") { (1...3).contains($0.count) })
        }
        m.document("init", type: "glorot_uniform, he_normal or {normal: std}", default: "glorot_uniform",
                   doc: "weight and embedding initialization (biases start at 0, LayerNorm gains at 1): glorot_uniform (Keras), he_normal, or a normal of a fixed std")
        if let f = m.field("init") { initializer = try Initializer.read(f) }
        m.document("init_rules", type: "list of mappings", default: "[]",
                   doc: "per-tensor initializers by name glob, first match wins, e.g. [{match: \"*.proj.weight\", init: {normal: 0.0035}}]; a pattern that matches no tensor is an error")
        if let rules = try m.mappingList("init_rules", { r in
            r.document("match", type: "string", default: "required", doc: "a glob over tensor names, e.g. *.proj.weight")
            r.document("init", type: "glorot_uniform, he_normal or {normal: std}", default: "required", doc: "the matching tensors' initializer")
            return InitializerRule(match: try r.required("match").string(), initializer: try Initializer.read(try r.required("init")))
        }) { initializerRules = rules }
        initFrom = try m.optionalString("init_from", initFrom, doc: "fine-tuning: a checkpoint (directory, root or run directory) whose tensors of the same name and shape are loaded over the initial values; the run prints which were loaded and which are new, and a tensor whose shape differs is an error unless init_skip lists it")
        m.document("init_skip", type: "list of strings", default: "[]", doc: "name globs of tensors init_from leaves at their initial values, e.g. [\"layers.7.*\"] for a new head")
        if let f = m.field("init_skip") { initSkip = try f.items().map { try $0.string() } }
        m.document("layers", type: "list of layers", default: "the MLP of fashion-mlp",
                   doc: "the layers in order; see Layers below. A top-level layer with `trainable: false` (dense: {units: 64, trainable: false}) is frozen: no gradient is computed for its tensors, and the optimizer and the reduction leave them out; frozen layers must come before every trained one (a frozen base under a new head)")
        if let f = m.field("layers") {
            let items = try f.items()
            if items.isEmpty { throw f.error(.invalidValue, "must list at least one layer") }
            layers = try items.map { try LayerYAML.layer($0, topLevel: true) }
        }
    }
}

extension OptimizerConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        name = try m.choice("name", name, doc: "the update rule")
        lr = try m.double("lr", lr, .positive, doc: "base learning rate (the schedule scales it)")
        momentum = try m.double("momentum", momentum, .unitInterval, doc: "momentum and nesterov: velocity decay")
        beta1 = try m.double("beta1", beta1, .unitInterval, doc: "adam and adamw: first-moment decay")
        beta2 = try m.double("beta2", beta2, .unitInterval, doc: "adam and adamw: second-moment decay")
        eps = try m.double("eps", eps, .positive, doc: "adam and adamw: added to the root of the second moment")
        weightDecay = try m.double("weight_decay", weightDecay, .nonNegative, doc: "L2 penalty: added to the gradient, or decoupled (w −= lr·wd·w) for adamw")
        l1 = try m.double("l1", l1, .nonNegative, doc: "L1 penalty, l1·sign(w) added to the gradient")
        clipNorm = try m.optionalDouble("clip_norm", clipNorm, .positive, doc: "clip the global gradient norm to this; null: no clipping")
        m.document("groups", type: "list of mappings", default: "[{match: \"*.bias\", weight_decay: 0.0}]",
                   doc: "per-tensor overrides by name glob, first match wins; a pattern that matches no tensor is an error")
        if let list = try m.mappingList("groups", { g in
            g.document("match", type: "string", default: "required", doc: "a glob over tensor names, e.g. *.bias or layers.0.*")
            var group = ParameterGroupConfig(match: try g.required("match").string())
            group.lr = try g.optionalDouble("lr", nil, .positive, doc: "the group's learning rate; null: optimizer.lr")
            group.weightDecay = try g.optionalDouble("weight_decay", nil, .nonNegative, doc: "the group's weight decay; null: optimizer.weight_decay")
            group.l1 = try g.optionalDouble("l1", nil, .nonNegative, doc: "the group's L1 penalty; null: optimizer.l1")
            group.rank = try g.optionalInt("rank", nil, .positive, doc: "match only tensors of this many dimensions (1: biases and LayerNorm gains); null: any")
            return group
        }) { groups = list }
    }
}

extension ScheduleConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        kind = try m.choice("kind", kind, doc: "how the rate changes with the step: constant, step (× gamma every step_size), exponential, cosine (to min_lr at the last step)")
        warmupSteps = try m.int("warmup_steps", warmupSteps, .nonNegative, doc: "linear ramp from 0 to lr over this many steps, before the schedule")
        stepSize = try m.int("step_size", stepSize, .positive, doc: "step and exponential: the steps each factor of gamma spans")
        gamma = try m.double("gamma", gamma, Rule("must be in (0, 1]") { $0 > 0 && $0 <= 1 }, doc: "step and exponential: the factor per step_size steps")
        minLR = try m.double("min_lr", minLR, .nonNegative, doc: "cosine: the rate at the last step")
    }
}

extension TrainingConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        epochs = try m.int("epochs", epochs, .positive, doc: "passes over the training split")
        steps = try m.optionalInt("steps", steps, .positive, doc: "train for this many optimizer steps instead (the schedule spans them); null: epochs decide")
        globalBatch = try m.int("global_batch", globalBatch, .positive, doc: "samples per optimizer step, over all ranks: fixed by the config, not by the rank count")
        microBatch = try m.int("micro_batch", microBatch, .positive, doc: "samples per leaf (one forward and backward on one rank); at most global_batch")
        if microBatch > globalBatch {
            throw m.error(
                m.entries.contains { $0.key == "micro_batch" } ? "micro_batch" : "global_batch", .invalidValue,
                "micro_batch (\(microBatch)) must be ≤ global_batch (\(globalBatch))")
        }
        evalEvery = try m.int("eval_every", evalEvery, .nonNegative, doc: "evaluate on the validation split every N steps; 0: at the end of each epoch")
        try m.section("early_stopping") { e in
            earlyStopping.lossBelow = try e.optionalDouble("loss_below", earlyStopping.lossBelow, doc: "stop once a step's training loss is below this; null: never")
            earlyStopping.patience = try e.optionalInt("patience", earlyStopping.patience, .positive, doc: "stop after this many validations without an improvement of min_delta; null: never")
            earlyStopping.minDelta = try e.double("min_delta", earlyStopping.minDelta, .nonNegative, doc: "the validation-loss decrease that counts as an improvement")
        }
    }
}

extension DistributedConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        reduction = try m.choice("reduction", reduction, doc: "exact: fixed-point sums, the same bits for any number of ranks; fast: Float sums, a few percent faster")
        bucketMB = try m.double("bucket_mb", bucketMB, .positive, doc: "fast mode: MiB of gradients per all-reduce")
        overlap = try m.choice("overlap", overlap, doc: "fast mode: thread or nonblocking start bucket sums while backward runs; none waits (measured faster when every core computes)")
        timeout = try m.double("timeout", timeout, .nonNegative, doc: "seconds a rank may make no progress in any phase (a peer stopped, a hung disk) before the job ends with exit code 124, naming the rank, step and phase; 0: no limit. 3 minutes: far above any phase of these models, short enough to free a hung allocation soon")
    }
}

extension CheckpointConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        dir = try m.optionalString("dir", dir, doc: "where checkpoints go; null: <logging.dir>/<name>/version_<N>/checkpoints")
        every = try m.int("every", every, .nonNegative, doc: "write a checkpoint every N steps; 0: only at the end (and on SIGTERM/SIGINT)")
        everySeconds = try m.double("every_seconds", everySeconds, .nonNegative, doc: "also write one once this many seconds passed since the last (rank 0's clock decides for all); 0: never. 10 minutes: a lost node costs at most that, for about 1 s of writing")
        keepLast = try m.int("keep_last", keepLast, .positive, doc: "complete checkpoints kept; older ones are deleted")
    }
}

extension LoggingConfig {
    mutating func read(_ m: inout ConfigMapping) throws {
        dir = try m.string("dir", dir, doc: "runs go to <dir>/<name>/version_<N>/ (config, metrics, event files, checkpoints)")
        if dir.isEmpty { throw m.error("dir", .invalidValue, "must not be empty") }
        progress = try m.choice("progress", progress, doc: "auto: a live line on a terminal, plain lines elsewhere; plain; none: events only")
        every = try m.int("every", every, .positive, doc: "training metrics (running means since the last) to metrics.jsonl and TensorBoard every N steps, as Lightning's log_every_n_steps")
    }
}

extension Initializer {
    /// `glorot_uniform`, `he_normal`, or `{normal: std}`.
    static func read(_ f: ConfigField) throws -> Initializer {
        if case .scalar = f.node.value {
            let name = try f.string()
            if let initializer = Initializer.named[name] { return initializer }
            throw f.error(.invalidValue, "unknown initializer \"\(name)\"; expected glorot_uniform, he_normal or {normal: std}")
        }
        var m = try ConfigMapping(f)
        guard let std = m.present("normal") else {
            throw f.error(.invalidValue, "expected glorot_uniform, he_normal or {normal: std}, got \(f.node.shown)")
        }
        let value = try std.check(try std.double(), .positive)
        try m.finish()
        return .normal(std: value)
    }
}
