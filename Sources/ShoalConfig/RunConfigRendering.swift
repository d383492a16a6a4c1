import Foundation
import ShoalFormats
import ShoalNN

extension RunConfig {
    /// The resolved config as canonical YAML: every key with defaults filled in, sections and
    /// keys in schema order, numbers in their shortest round-trip form. Parsing it gives back an
    /// equal config. `shoal config show` prints it; checkpoints store it.
    ///
    /// ```swift
    /// print(RunConfig.default.resolvedYAML())
    /// // name: fashion-mlp
    /// // seed: 42
    /// // data:
    /// //   source: fashion_mnist
    /// // ...
    /// ```
    public func resolvedYAML() -> String { tree.yaml() }

    /// SHA-256 of ``resolvedYAML()``, its first 16 hex digits: equal for configs that mean the
    /// same run however they were written (comments, key order, defaults spelled out or not).
    public var canonicalHash: String {
        String(sha256Hex(of: Data(resolvedYAML().utf8)).prefix(16))
    }

    /// The keys whose resolved values differ, as `key.path: old -> new` lines in schema order
    /// (`(absent)` for a list item only one side has). Empty when the configs are equal.
    ///
    /// ```swift
    /// var changed = RunConfig.default
    /// changed.optimizer.lr = 0.01
    /// changed.differences(from: .default)   // ["optimizer.lr: 0.002 -> 0.01"]
    /// ```
    public func differences(from old: RunConfig) -> [String] {
        let before = old.tree.flattened(), after = tree.flattened()
        let oldValues = Dictionary(before.map { ($0.path, $0.text) }, uniquingKeysWith: { a, _ in a })
        let newPaths = Set(after.map(\.path))
        var lines: [String] = []
        for (path, text) in after where oldValues[path] != text {
            lines.append("\(path): \(oldValues[path] ?? "(absent)") -> \(text)")
        }
        for (path, text) in before where !newPaths.contains(path) {
            lines.append("\(path): \(text) -> (absent)")
        }
        return lines
    }

    var tree: ConfigNode {
        .mapping([
            ("name", .string(name)),
            ("seed", .uint(seed)),
            ("data", data.node),
            ("model", model.node),
            ("loss", .string(loss.rawValue)),
            ("optimizer", optimizer.node),
            ("schedule", schedule.node),
            ("training", training.node),
            ("distributed", distributed.node),
            ("checkpoint", checkpoint.node),
            ("logging", logging.node),
        ])
    }
}

extension DataConfig {
    var node: ConfigNode {
        .mapping([
            ("source", .string(source.rawValue)),
            ("path", .string(path)),
            ("csv", .optional(csv) { $0.node }),
            ("text", .optional(text) { .mapping([("path", .string($0.path)), ("eval_windows", .optional($0.evalWindows, ConfigNode.int))]) }),
            ("tokens", .optional(tokens) {
                .mapping([("path", .string($0.path)), ("tokenizer", .optional($0.tokenizer, ConfigNode.string)),
                          ("eval_windows", .optional($0.evalWindows, ConfigNode.int))])
            }),
            ("validation_fraction", .double(validationFraction)),
            ("normalize", .string(normalize.rawValue)),
            ("limit_train", .optional(limitTrain, ConfigNode.int)),
            ("limit_test", .optional(limitTest, ConfigNode.int)),
            ("keep_classes", .optional(keepClasses) { .sequence($0.map(ConfigNode.int)) }),
            ("class_names", .optional(classNames) { .sequence($0.map(ConfigNode.string)) }),
        ])
    }
}

extension CSVConfig {
    var node: ConfigNode {
        let targetNode: ConfigNode
        switch target {
        case .name(let n): targetNode = ConfigNode(.scalar(n, quoted: ConfigNode.needsQuotes(n) || Int(n) != nil))
        case .index(let i): targetNode = .int(i)
        }
        return .mapping([
            ("path", .string(path)),
            ("target", targetNode),
            ("header", .bool(header)),
            ("delimiter", ConfigNode(.scalar(delimiter, quoted: true))),
            ("test_path", .optional(testPath, ConfigNode.string)),
            ("test_fraction", .double(testFraction)),
            ("classes", .optional(classes, ConfigNode.int)),
        ])
    }
}

extension ModelConfig {
    var node: ConfigNode {
        .mapping([
            ("input", .sequence(input.map(ConfigNode.int))),
            ("init", initializer.node),
            ("init_rules", .sequence(initializerRules.map { r in
                .mapping([("match", ConfigNode(.scalar(r.match, quoted: true))), ("init", r.initializer.node)])
            })),
            ("init_from", initFrom.map { ConfigNode(.scalar($0, quoted: true)) } ?? .null),
            ("init_skip", .sequence(initSkip.map { ConfigNode(.scalar($0, quoted: true)) })),
            ("layers", .sequence(layers.map(LayerYAML.node))),
        ])
    }
}

extension OptimizerConfig {
    var node: ConfigNode {
        .mapping([
            ("name", .string(name.rawValue)),
            ("lr", .double(lr)),
            ("momentum", .double(momentum)),
            ("beta1", .double(beta1)),
            ("beta2", .double(beta2)),
            ("eps", .double(eps)),
            ("weight_decay", .double(weightDecay)),
            ("l1", .double(l1)),
            ("clip_norm", .optional(clipNorm, ConfigNode.double)),
            (
                "groups",
                .sequence(
                    groups.map { g in
                        .mapping([
                            ("match", ConfigNode(.scalar(g.match, quoted: true))),
                            ("lr", .optional(g.lr, ConfigNode.double)),
                            ("weight_decay", .optional(g.weightDecay, ConfigNode.double)),
                            ("l1", .optional(g.l1, ConfigNode.double)),
                            ("rank", .optional(g.rank, ConfigNode.int)),
                        ])
                    })
            ),
        ])
    }
}

extension ScheduleConfig {
    var node: ConfigNode {
        .mapping([
            ("kind", .string(kind.rawValue)),
            ("warmup_steps", .int(warmupSteps)),
            ("step_size", .int(stepSize)),
            ("gamma", .double(gamma)),
            ("min_lr", .double(minLR)),
        ])
    }
}

extension TrainingConfig {
    var node: ConfigNode {
        .mapping([
            ("epochs", .int(epochs)),
            ("steps", .optional(steps, ConfigNode.int)),
            ("global_batch", .int(globalBatch)),
            ("micro_batch", .int(microBatch)),
            ("eval_every", .int(evalEvery)),
            (
                "early_stopping",
                .mapping([
                    ("loss_below", .optional(earlyStopping.lossBelow, ConfigNode.double)),
                    ("patience", .optional(earlyStopping.patience, ConfigNode.int)),
                    ("min_delta", .double(earlyStopping.minDelta)),
                ])
            ),
        ])
    }
}

extension DistributedConfig {
    var node: ConfigNode {
        .mapping([
            ("reduction", .string(reduction.rawValue)),
            ("bucket_mb", .double(bucketMB)),
            ("overlap", .string(overlap.rawValue)),
            ("timeout", .double(timeout)),
        ])
    }
}

extension CheckpointConfig {
    var node: ConfigNode {
        .mapping([
            ("dir", .optional(dir, ConfigNode.string)),
            ("every", .int(every)),
            ("every_seconds", .double(everySeconds)),
            ("keep_last", .int(keepLast)),
        ])
    }
}

extension LoggingConfig {
    var node: ConfigNode {
        .mapping([("dir", .string(dir)), ("progress", .string(progress.rawValue)), ("every", .int(every))])
    }
}

extension Initializer {
    var node: ConfigNode {
        switch self {
        case .glorotUniform: .string("glorot_uniform")
        case .heNormal: .string("he_normal")
        case .normal(let std): .mapping([("normal", .double(std))])
        }
    }
}
