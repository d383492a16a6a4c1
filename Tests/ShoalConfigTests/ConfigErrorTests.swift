import Testing

@testable import ShoalConfig

/// The error `yaml` gives, parsed as file `x.yaml`.
func configError(_ yaml: String, overrides: [String] = []) -> ConfigError? {
    do {
        _ = try RunConfig.parse(yaml: yaml, file: "configs/x.yaml", overrides: overrides)
        return nil
    } catch let error as ConfigError {
        return error
    } catch {
        Issue.record("unexpected error type: \(error)")
        return nil
    }
}

@Suite("Config errors name the file, line, key path and reason")
struct ConfigErrorTests {
    @Test("an impossible value: negative learning rate")
    func negativeLR() {
        let e = configError("name: x\noptimizer:\n  name: adam\n  lr: -0.1\n")
        #expect(e?.description == "configs/x.yaml:4: optimizer.lr: must be > 0, got -0.1")
        #expect(e?.kind == .invalidValue)
        #expect(e?.line == 4)
        #expect(e?.keyPath == "optimizer.lr")
    }

    @Test("language-model keys: a text source needs data.text, initializers and group ranks are checked")
    func languageModelKeys() {
        #expect(configError("data:\n  source: text\n")?.description
                == "configs/x.yaml:2: data.text: missing required key 'text' for source: text, e.g. text: {path: /usr/share/games/fortunes}")
        #expect(configError("data:\n  text: {path: a, eval_windows: 0}\n")?.description
                == "configs/x.yaml:2: data.text.eval_windows: must be > 0, got 0")
        #expect(configError("model:\n  init: lecun\n")?.description
                == "configs/x.yaml:2: model.init: unknown initializer \"lecun\"; expected glorot_uniform, he_normal or {normal: std}")
        #expect(configError("model:\n  init: {normal: -0.02}\n")?.description == "configs/x.yaml:2: model.init.normal: must be > 0, got -0.02")
        #expect(configError("model:\n  init: {uniform: 1}\n")?.description.hasPrefix(
            "configs/x.yaml:2: model.init: expected glorot_uniform, he_normal or {normal: std}") == true)
        #expect(configError("model:\n  init_rules: [{init: he_normal}]\n")?.description
                == "configs/x.yaml:2: model.init_rules[0].match: missing required key 'match'")
        #expect(configError("optimizer:\n  groups: [{match: '*', rank: 0}]\n")?.description
                == "configs/x.yaml:2: optimizer.groups[0].rank: must be > 0, got 0")
        #expect(configError("training:\n  steps: 0\n")?.description == "configs/x.yaml:2: training.steps: must be > 0, got 0")
    }

    @Test("an unknown key suggests the closest known one")
    func unknownKey() {
        let e = configError("optimizer:\n  lrr: 0.1\n")
        #expect(e?.description == "configs/x.yaml:2: optimizer.lrr: unknown key 'lrr'; did you mean 'lr'?")
        #expect(e?.kind == .unknownKey)
        let far = configError("zzzzzz: 1\n")
        #expect(far?.description.hasPrefix("configs/x.yaml:1: zzzzzz: unknown key 'zzzzzz'; known keys here: name, seed, data") == true)
    }

    @Test("a wrong type says what was expected and what was found")
    func wrongType() {
        #expect(configError("training:\n  epochs: abc\n")?.description == "configs/x.yaml:2: training.epochs: expected an integer, got \"abc\"")
        #expect(configError("training:\n  epochs: 2.5\n")?.kind == .wrongType)
        #expect(configError("optimizer:\n  lr: \"0.1\"\n")?.description == "configs/x.yaml:2: optimizer.lr: expected a number, got \"0.1\"")
        #expect(configError("optimizer: [1, 2]\n")?.description == "configs/x.yaml:1: optimizer: expected a mapping, got a list")
        #expect(configError("data:\n  csv: {path: a.csv, target: y, header: maybe}\n")?.description
            == "configs/x.yaml:2: data.csv.header: expected true or false, got \"maybe\"")
    }

    @Test("micro_batch larger than global_batch")
    func microBatch() {
        let e = configError("training:\n  global_batch: 32\n  micro_batch: 64\n")
        #expect(e?.description == "configs/x.yaml:3: training.micro_batch: micro_batch (64) must be ≤ global_batch (32)")
    }

    @Test("non-positive global_batch")
    func globalBatch() {
        #expect(configError("training:\n  global_batch: 0\n")?.description == "configs/x.yaml:2: training.global_batch: must be > 0, got 0")
    }

    @Test("validation_fraction outside [0, 1)")
    func validationFraction() {
        #expect(configError("data:\n  validation_fraction: 1.0\n")?.description
            == "configs/x.yaml:2: data.validation_fraction: must be in [0, 1), got 1.0")
        #expect(configError("data:\n  validation_fraction: -0.1\n")?.kind == .invalidValue)
    }

    @Test("beta outside [0, 1) and eps ≤ 0")
    func betaAndEps() {
        #expect(configError("optimizer:\n  beta2: 1.5\n")?.description == "configs/x.yaml:2: optimizer.beta2: must be in [0, 1), got 1.5")
        #expect(configError("optimizer:\n  beta1: -0.5\n")?.keyPath == "optimizer.beta1")
        #expect(configError("optimizer:\n  eps: 0\n")?.description == "configs/x.yaml:2: optimizer.eps: must be > 0, got 0.0")
    }

    @Test("an unknown enum value lists the allowed ones")
    func unknownEnum() {
        #expect(configError("optimizer:\n  name: adamx\n")?.description
            == "configs/x.yaml:2: optimizer.name: unknown value \"adamx\"; expected one of: sgd, momentum, nesterov, adam, adamw (did you mean 'adam'?)")
        #expect(configError("loss: hinge\n")?.description
            == "configs/x.yaml:1: loss: unknown value \"hinge\"; expected one of: softmax_cross_entropy, binary_cross_entropy, mse")
        #expect(configError("distributed: {reduction: exactly}\n")?.keyPath == "distributed.reduction")
    }

    @Test("a dropout rate outside [0, 1), with the layer's index in the key path")
    func dropoutRate() {
        let yaml = "model:\n  layers:\n    - flatten\n    - dropout: {rate: 1.5}\n    - dense: {units: 10}\n"
        #expect(configError(yaml)?.description == "configs/x.yaml:4: model.layers[1].dropout.rate: must be in [0, 1), got 1.5")
    }

    @Test("layer parameters: wrong type, unknown key, unknown layer, bad activation")
    func layers() {
        let conv = "model:\n  layers:\n    - flatten\n    - dense: {units: 8}\n    - dense: {units: 8}\n    - conv2d: {filters: 32, kernel: x}\n"
        #expect(configError(conv)?.description == "configs/x.yaml:6: model.layers[3].conv2d.kernel: expected an integer, got \"x\"")
        #expect(configError("model:\n  layers:\n    - dense: {unit: 8}\n")?.description
            == "configs/x.yaml:3: model.layers[0].dense.units: missing required key 'units'")
        #expect(configError("model:\n  layers:\n    - dense: {units: 8, activaton: relu}\n")?.description
            == "configs/x.yaml:3: model.layers[0].dense.activaton: unknown key 'activaton'; did you mean 'activation'?")
        #expect(configError("model:\n  layers:\n    - dnse: {units: 8}\n")?.description.contains("unknown layer 'dnse'") == true)
        #expect(configError("model:\n  layers:\n    - dense: {units: 8, activation: rleu}\n")?.description.contains(
            "model.layers[0].dense.activation: unknown activation 'rleu'") == true)
        #expect(configError("model:\n  layers:\n    - dense\n")?.kind == .missingKey)
    }

    @Test("a missing required key")
    func missingKey() {
        #expect(configError("data:\n  source: csv\n")?.description.hasPrefix(
            "configs/x.yaml:2: data.csv: missing required key 'csv'") == true)
        #expect(configError("data:\n  source: csv\n  csv: {target: y}\n")?.description
            == "configs/x.yaml:3: data.csv.path: missing required key 'path'")
    }

    @Test("a YAML syntax error has its line")
    func syntax() {
        let e = configError("name: x\noptimizer:\n  lr: [0.1\ntraining:\n  epochs: 1\n")
        #expect(e?.kind == .syntax)
        #expect(e?.line != nil)
        #expect(e?.description.hasPrefix("configs/x.yaml:") == true)
        #expect(e?.description.contains("YAML syntax error") == true)
        let dup = configError("seed: 1\nseed: 2\n")
        #expect(dup?.kind == .syntax)
        #expect(dup?.description.contains("duplicate key") == true)
    }

    @Test("a file that does not exist")
    func unreadable() {
        #expect(throws: ConfigError.self) { try RunConfig.load(path: "/nonexistent/x.yaml") }
    }
}
