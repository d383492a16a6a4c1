import FuzzDriver
import ShoalConfig

// The input as a config file's text: parsed, validated and built into a model, as
// `shoal model summary` does. A ConfigError or ModelError is fine; a trap is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    do {
        let config = try RunConfig.parse(yaml: text, file: "fuzz.yaml")
        _ = config.resolvedYAML()
        // A small memory limit: a legal but large model only takes time (seconds under ASan).
        _ = try config.makeModel(maxBatch: min(config.training.microBatch, 4), memoryLimit: 16 << 20)
    } catch is ConfigError {
    } catch {
        // ModelError: typed, thrown by makeModel.
    }
    return 0
}

runFuzzer(fuzz)
