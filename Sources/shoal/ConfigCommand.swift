import ArgumentParser
import ShoalComm
import ShoalConfig

struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with run configs.",
        subcommands: [Show.self, Reference.self]
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the resolved config: every key, defaults filled in, overrides applied."
        )

        @OptionGroup var options: ConfigOptions

        func run() throws {
            let config = try options.load()
            guard World.launchRank == 0 else { return }  // under mpirun, said once
            print(config.resolvedYAML(), terminator: "")
            print("# hash \(config.canonicalHash)")
        }
    }

    struct Reference: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the config reference (Markdown): every key, type, default, rule and meaning, and every layer kind."
        )

        func run() throws {
            if World.launchRank == 0 { print(ConfigReference.markdown(), terminator: "") }
        }
    }
}
