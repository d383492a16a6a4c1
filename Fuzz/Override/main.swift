import FuzzDriver
import ShoalConfig

// The input as one `--set` argument, applied to the default run (the embedded default config).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    do {
        let config = try RunConfig.loadDefault(overrides: [text])
        // A small memory limit: a legal but large model only takes time (seconds under ASan).
        _ = try config.makeModel(maxBatch: min(config.training.microBatch, 4), memoryLimit: 16 << 20)
    } catch is ConfigError {
    } catch {
    }
    return 0
}

runFuzzer(fuzz)
