import Foundation
import ShoalNN
import Testing

@testable import ShoalConfig

/// The repository root, found from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

@Suite("Run config")
struct RunConfigTests {
    @Test("an empty file is the default run")
    func emptyIsDefault() throws {
        #expect(try RunConfig.parse(yaml: "") == RunConfig.default)
    }

    @Test("configs/fashion-mlp.yaml is the embedded default run")
    func fashionMLPIsDefault() throws {
        let config = try RunConfig.load(path: repositoryRoot + "/configs/fashion-mlp.yaml")
        #expect(config == RunConfig.default)
        #expect(config.canonicalHash == RunConfig.default.canonicalHash)
    }

    @Test("every file in configs/ parses and round-trips through resolvedYAML")
    func everyConfig() throws {
        let dir = repositoryRoot + "/configs"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 4)
        for file in files {
            let config = try RunConfig.load(path: dir + "/" + file)
            #expect(config.name + ".yaml" == file)
            let again = try RunConfig.parse(yaml: config.resolvedYAML(), file: file + " (resolved)")
            #expect(again == config, "\(file)")
            #expect(again.canonicalHash == config.canonicalHash)
            #expect(again.resolvedYAML() == config.resolvedYAML())
        }
    }

    @Test("the CNN config reads into the layer specs the model builder takes")
    func cnnLayers() throws {
        let config = try RunConfig.load(path: repositoryRoot + "/configs/fashion-cnn.yaml")
        #expect(config.model.layers == [
            .conv2D(filters: 32, kernel: 3, stride: 1, padding: .valid, activation: .relu),
            .maxPool2D(size: 2, stride: nil),
            .dropout(rate: 0.25),
            .flatten,
            .dense(units: 128, activation: .relu),
            .dropout(rate: 0.5),
            .dense(units: 10, activation: nil),
        ])
        let csv = try RunConfig.load(path: repositoryRoot + "/configs/csv-binary.yaml")
        #expect(csv.data.csv?.target == .name("label"))
        #expect(csv.loss == .binaryCrossEntropy)
        #expect(csv.model.input == [8])
    }

    @Test("a round trip keeps unusual values: leaky ReLU, pool stride, groups, nulls, quoted names")
    func roundTripUnusual() throws {
        var c = RunConfig.default
        c.name = "odd.run_1"
        c.seed = UInt64.max
        c.model.layers = [
            .conv2D(filters: 4, kernel: 5, stride: 2, padding: .same, activation: .leakyReLU(alpha: 0.2)),
            .maxPool2D(size: 3, stride: 1), .activation(.leakyReLU(alpha: 0.01)), .activation(.gelu), .flatten,
            .dense(units: 3, activation: .softmax),
        ]
        c.optimizer.eps = 1e-8
        c.optimizer.clipNorm = 1.5
        c.optimizer.groups = [ParameterGroupConfig(match: "layers.0.*", lr: 0.1, weightDecay: nil, l1: 1e-5)]
        c.optimizer.groups[0].rank = 2
        c.model.initializer = .normal(std: 0.02)
        c.model.initializerRules = [InitializerRule(match: "*.weight", initializer: .heNormal)]
        c.training.steps = 7
        c.data.text = TextConfig(path: "corpus dir")
        c.data.text?.evalWindows = 5
        c.data.source = .csv
        var csv = CSVConfig(path: "data/with space.csv", target: .name("1"))
        csv.delimiter = ";"
        csv.classes = 3
        c.data.csv = csv
        c.data.limitTrain = 100
        c.training.earlyStopping.patience = 3
        c.checkpoint.dir = "/tmp/ckpt"
        let yaml = c.resolvedYAML()
        let again = try RunConfig.parse(yaml: yaml)
        #expect(again == c, "\(yaml)")
        #expect(yaml.contains("eps: 1.0e-08"))
    }

    @Test("resolvedYAML lists every key with defaults in a stable order")
    func resolvedDefault() {
        let yaml = RunConfig.default.resolvedYAML()
        #expect(yaml.hasPrefix("name: fashion-mlp\nseed: 42\ndata:\n  source: fashion_mnist\n"))
        for key in ["validation_fraction: 0.1", "  layers:\n    - flatten\n    - dense: {units: 256, activation: relu, bias: true, tie: null}",
            "lr: 0.002", "groups:\n    - {match: \"*.bias\", lr: null, weight_decay: 0.0, l1: null, rank: null}", "bucket_mb: 4.0",
            "keep_last: 3", "progress: auto", "dense: {units: 10, activation: null, bias: true, tie: null}"]
        {
            #expect(yaml.contains(key), "\(key)")
        }
        #expect(RunConfig.default.canonicalHash.count == 16)
    }

    @Test("the hash ignores how a config is written but not what it says")
    func hash() throws {
        let a = try RunConfig.parse(yaml: "# comment\ntraining: {epochs: 20}\noptimizer: {lr: 0.002}\n")
        let b = try RunConfig.parse(yaml: "optimizer:\n  lr: 2.0e-3\n")
        let c = try RunConfig.parse(yaml: "optimizer:\n  lr: 0.001\n")
        #expect(a.canonicalHash == b.canonicalHash)
        #expect(a.canonicalHash == RunConfig.default.canonicalHash)
        #expect(a.canonicalHash != c.canonicalHash)
    }

    @Test("differences lists changed keys as 'path: old -> new'")
    func differences() throws {
        let old = RunConfig.default
        let new = try RunConfig.parse(yaml: "optimizer: {lr: 0.01}\ntraining: {micro_batch: 32}\nmodel:\n  layers: [flatten, {dense: {units: 10}}]\n")
        #expect(new.differences(from: old) == [
            "model.layers[1].dense.units: 256 -> 10",
            "model.layers[1].dense.activation: relu -> null",
            "optimizer.lr: 0.002 -> 0.01",
            "training.micro_batch: 64 -> 32",
            "model.layers[2].dense.units: 128 -> (absent)",
            "model.layers[2].dense.activation: relu -> (absent)",
            "model.layers[2].dense.bias: true -> (absent)",
            "model.layers[2].dense.tie: null -> (absent)",
            "model.layers[3].dense.units: 10 -> (absent)",
            "model.layers[3].dense.activation: null -> (absent)",
            "model.layers[3].dense.bias: true -> (absent)",
            "model.layers[3].dense.tie: null -> (absent)",
        ])
        #expect(old.differences(from: old).isEmpty)
    }
}

@Suite("--set overrides")
struct OverrideTests {
    @Test("an override changes the resolved value")
    func changesValue() throws {
        let c = try RunConfig.parse(yaml: "optimizer: {lr: 0.001}\n", overrides: ["optimizer.lr=0.01", "training.epochs=2"])
        #expect(c.optimizer.lr == 0.01)
        #expect(c.training.epochs == 2)
        #expect(c.resolvedYAML().contains("lr: 0.01\n"))
    }

    @Test("an override reaches into a list item and creates missing sections")
    func listIndex() throws {
        let c = try RunConfig.load(
            path: repositoryRoot + "/configs/fashion-mlp.yaml",
            overrides: ["model.layers[1].dense.units=64", "data.limit_train=500", "checkpoint.dir=/tmp/x", "model.input=[784]"])
        #expect(c.model.layers[1] == .dense(units: 64, activation: .relu))
        #expect(c.data.limitTrain == 500)
        #expect(c.checkpoint.dir == "/tmp/x")
        #expect(c.model.input == [784])
        let fromEmpty = try RunConfig.parse(yaml: "", overrides: ["schedule.kind=cosine"])
        #expect(fromEmpty.schedule.kind == .cosine)
    }

    @Test("an override of an unknown key is an error naming the key and the override")
    func unknownKey() {
        let e = configError("optimizer: {lr: 0.1}\n", overrides: ["optimizer.lrr=0.2"])
        #expect(e?.description == "configs/x.yaml (--set optimizer.lrr=0.2): optimizer.lrr: unknown key 'lrr'; did you mean 'lr'?")
        #expect(configError("", overrides: ["optimiser.lr=0.2"])?.keyPath == "optimiser")
    }

    @Test("an override's value is validated like the file's")
    func validated() {
        #expect(configError("", overrides: ["optimizer.lr=-1"])?.description
            == "configs/x.yaml (--set optimizer.lr=-1): optimizer.lr: must be > 0, got -1.0")
        #expect(configError("", overrides: ["training.epochs=many"])?.kind == .wrongType)
    }

    @Test("malformed overrides and paths that do not exist are refused")
    func malformed() {
        #expect(configError("", overrides: ["optimizer.lr"])?.kind == .badOverride)
        #expect(configError("model:\n  layers: [flatten]\n", overrides: ["model.layers[9].dense.units=1"])?.description
            == "configs/x.yaml (--set model.layers[9].dense.units=1): model.layers: has 1 items; index [9] is out of range")
        #expect(configError("", overrides: ["model.layers[0].dense.units=1"])?.kind == .badOverride)
        #expect(configError("optimizer: {lr: 0.1}\n", overrides: ["optimizer.lr.x=1"])?.description
            == "configs/x.yaml (--set optimizer.lr.x=1): optimizer.lr: is not a mapping, so it has no key 'x'")
        #expect(configError("", overrides: ["model.layers[x]=1"])?.kind == .badOverride)
    }
}

/// The block syntax: `residual: [...]`, `repeat: {count, layers}`, weight tying and GELU's tanh form.
@Suite("Block syntax")
struct BlockSyntaxTests {
    @Test("the Transformer config reads into blocks and survives its resolved YAML")
    func transformer() throws {
        let config = try RunConfig.load(path: repositoryRoot + "/configs/fashion-transformer.yaml")
        let block: [LayerSpec] = [
            .residual([.layerNorm(), .attention(heads: 4, dropout: 0.1)]),
            .residual([.layerNorm(), .dense(units: 256, activation: .gelu), .dense(units: 64), .dropout(rate: 0.1)]),
        ]
        #expect(config.model.layers == [.dense(units: 64), .positionalEmbedding, .repeat(2, block), .layerNorm(), .flatten, .dense(units: 10)])
        #expect(try RunConfig.parse(yaml: config.resolvedYAML()) == config)
    }

    @Test("tie, bias and gelu's tanh form read and render")
    func tieAndGelu() throws {
        let yaml = """
        model:
          input: [8]
          layers:
            - embedding: {vocab: 20, width: 16}
            - gelu: {approximate: tanh}
            - dense: {units: 16, activation: {gelu: {approximate: tanh}}}
            - dense: {units: 20, bias: false, tie: layers.0.weight}
        """
        let config = try RunConfig.parse(yaml: yaml)
        #expect(config.model.layers == [.embedding(vocab: 20, width: 16), .activation(.geluTanh), .dense(units: 16, activation: .geluTanh),
                                        .dense(units: 20, bias: false, tie: "layers.0.weight")])
        #expect(config.resolvedYAML().contains("dense: {units: 16, activation: {gelu: {approximate: tanh}}, bias: true, tie: null}"))
        #expect(try RunConfig.parse(yaml: config.resolvedYAML()) == config)
    }

    @Test("a block's errors name the path inside it")
    func errors() {
        func message(_ yaml: String) -> String? {
            do { _ = try RunConfig.parse(yaml: yaml, file: "x.yaml"); return nil } catch { return "\(error)" }
        }
        #expect(message("model:\n  layers:\n    - residual: [layer_norm, {dense: {units: 0}}]\n")
                == "x.yaml:3: model.layers[0].residual.layers[1].dense.units: must be > 0, got 0")
        #expect(message("model:\n  layers:\n    - repeat: {layers: [layer_norm]}\n")?.contains("model.layers[0].repeat.count: missing required key 'count'") == true)
        #expect(message("model:\n  layers:\n    - gelu: {approximate: cubic}\n")?.contains("expected one of: none, tanh") == true)
    }
}
