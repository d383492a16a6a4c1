import Testing
import ShoalNN

/// Sizes a config can write but no machine can hold: refused with a ModelError naming the
/// layer, never an overflow trap or a failed allocation (both crashed `shoal model summary`).
@Suite struct ModelSizeTests {
    static func error(_ input: [Int], _ layers: [LayerSpec], maxBatch: Int = 4) -> String? {
        do {
            _ = try Model(inputShape: input, layers: layers, loss: .meanSquaredError, seed: 1, maxBatch: maxBatch)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aDenseLayerOfAHundredBillionUnitsIsRefusedByItsArgumentBound() {
        #expect(Self.error([784], [.dense(units: 100_000_000_000, activation: nil)])
                == "layer 0 (dense): argument 'units' must be at most 16777216, got 100000000000")
    }

    @Test func inputExtentsWhoseProductOverflowsAreRefused() {
        #expect(Self.error([4_611_686_018_427_387_904, 4, 1], [.flatten])
                == "input shape (4611686018427387904, 4, 1): extents must be at most 16777216")
        // Each extent within the bound, their product with the batch beyond Int.
        #expect(Self.error([1 << 24, 1 << 24, 1 << 24], [.flatten])
                == "input shape (16777216, 16777216, 16777216): 4 samples of it hold more floats than any machine's memory")
    }

    @Test func parametersBeyondTheMachinesMemoryAreRefusedBeforeAllocation() {
        let e = Self.error([10_000, 10_000, 1], [.flatten, .dense(units: 64, activation: nil)])
        #expect(e?.hasPrefix("the model is too large: the parameters and gradients buffers (") == true, "\(String(describing: e))")
        #expect(e?.hasSuffix("this machine's memory; use smaller layers or a smaller training.micro_batch") == true)
    }

    @Test func anAttentionOverAMillionPositionsIsRefusedInItsLayer() {
        let layers = [LayerSpec(kind: "embedding", arguments: ["vocab": .int(10), "width": .int(8)]),
                      LayerSpec(kind: "attention", arguments: ["heads": .int(2)])]
        let e = Self.error([1 << 20], layers)
        #expect(e?.hasPrefix("layer 1 (Attention): buffers (") == true, "\(String(describing: e))")
    }

    @Test func anLSTMWithAHugeBatchIsRefused() {
        let e = Self.error([1000, 8], [LayerSpec(kind: "lstm", arguments: ["units": .int(1 << 24)])], maxBatch: 1 << 20)
        #expect(e?.contains("LSTM") == true, "\(String(describing: e))")
    }
}

/// Fuzzing finding (scripts/fuzz.sh config, LeakSanitizer): configs/char-gpt.yaml under a 16 MiB
/// limit made Attention throw after allocating some of its buffers, which leaked. Every layer now
/// charges all its buffers before allocating any; under ASan this case reports no leak.
@Suite struct ModelSizeFuzzFindings {
    @Test func anAttentionRefusedForMemoryAllocatesNothing() {
        let layers = [LayerSpec(kind: "embedding", arguments: ["vocab": .int(113), "width": .int(128)]),
                      LayerSpec(kind: "positional_embedding"),
                      LayerSpec(kind: "attention", arguments: ["heads": .int(4)])]
        do {
            _ = try Model(inputShape: [128], layers: layers, loss: .meanSquaredError, seed: 1, maxBatch: 4, memoryLimit: 600_000)
            Issue.record("built within 600 kB")
        } catch {
            #expect(error.description.hasPrefix("layer 2 (Attention): buffers ("), "\(error)")
            #expect(error.description.contains("past 0.6 MB") || error.description.contains("the limit"), "\(error)")
        }
    }
}
