import ArgumentParser
import ShoalConfig

/// The config file and `--set` overrides shared by every command that reads a run config.
struct ConfigOptions: ParsableArguments {
    @Argument(help: "The run config (YAML). Without one, the embedded default run (configs/fashion-mlp.yaml).")
    var config: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config key, e.g. --set optimizer.lr=0.01 (repeatable).", valueName: "key=value"))
    var overrides: [String] = []

    func load() throws -> RunConfig {
        if let config { return try RunConfig.load(path: config, overrides: overrides) }
        return try RunConfig.loadDefault(overrides: overrides)
    }
}
