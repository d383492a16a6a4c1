import Foundation
import Testing
import ShoalNN
import ShoalTensor

/// The summary table: one row per spec of the model's list, and with `expandNested` the specs
/// inside repeat and residual blocks, named by their tensors' prefix, each block's count the sum
/// of the rows one level inside it.
@Suite struct SummaryTests {
    /// The 2-block GPT of `SequenceLayerTests` on 5 positions: embeddings 88 + 40, per block an
    /// attention residual (LayerNorm 16 + Attention 288) and an MLP residual (LayerNorm 16 +
    /// Dense 8→32 288 + Dense 32→8 264), a final LayerNorm 16 and a tied head with no tensor.
    func gpt() throws -> Model {
        try Model(inputShape: [5], layers: SequenceLayerTests.gpt(), loss: .softmaxCrossEntropy, seed: 1, maxBatch: 2)
    }

    @Test func collapsedTableIsUnchanged() throws {
        let m = try gpt()
        let expected = """
            Model (input (5), loss softmax_cross_entropy)
            _________________________________________________________________
            Layer (type)                 Output Shape              Param #
            =================================================================
            layers.0 (Embedding)         (None, 5, 8)              88
            _________________________________________________________________
            layers.1 (PositionalEmbedding) (None, 5, 8)              40
            _________________________________________________________________
            layers.2 (Repeat ×2)         (None, 5, 8)              1,744
            _________________________________________________________________
            layers.3 (LayerNorm)         (None, 5, 8)              16
            _________________________________________________________________
            layers.4 (Dense)             (None, 5, 11)             0
            =================================================================
            Total params: 1,888
            Trainable params: 1,888
            Non-trainable params: 0
            _________________________________________________________________

            """
        #expect(m.summary() == expected)
        #expect(m.summary(expandNested: false) == expected)
        #expect(m.layerSummaries == m.layerSummaries(expandNested: false))
        #expect(m.layerSummaries.map(\.name) == ["layers.0", "layers.1", "layers.2", "layers.3", "layers.4"])
        #expect(m.layerSummaries.allSatisfy { $0.depth == 0 })
    }

    @Test func expandedRowsNameTheLayersInsideBlocksWithTheirCounts() throws {
        let rows = try gpt().layerSummaries(expandNested: true)
        let block: [(String, String, Int)] = [
            ("0", "Residual", 304), ("0.0", "LayerNorm", 16), ("0.1", "Attention", 288),
            ("1", "Residual", 568), ("1.0", "LayerNorm", 16), ("1.1", "Dense", 288), ("1.2", "Dense", 264),
        ]
        let copies: [(String, String, Int)] = (0..<2).flatMap { k in block.map { ("layers.2.\(k).\($0.0)", $0.1, $0.2) } }
        let expected: [(String, String, Int)] = [("layers.0", "Embedding", 88), ("layers.1", "PositionalEmbedding", 40), ("layers.2", "Repeat ×2", 1744)]
            + copies + [("layers.3", "LayerNorm", 16), ("layers.4", "Dense", 0)]
        #expect(rows.map(\.name) == expected.map { $0.0 })
        #expect(rows.map(\.type) == expected.map { $0.1 })
        #expect(rows.map(\.parameterCount) == expected.map { $0.2 })
        #expect(rows.map(\.depth) == [0, 0, 0] + Array(repeating: [1, 2, 2, 1, 2, 2, 2], count: 2).flatMap { $0 } + [0, 0])
        #expect(rows.allSatisfy { $0.index == Int($0.name.split(separator: ".")[1])! })
        // The MLP's first Dense carries its fused GELU and widens the rows to 4·8.
        #expect(rows.first { $0.name == "layers.2.1.1.1" }?.outputShape == [5, 32])
        #expect(rows.first { $0.name == "layers.2.1.1" }?.outputShape == [5, 8])
    }

    @Test func nestedCountsSumToTheirBlockAndMatchTheArena() throws {
        let m = try gpt()
        let rows = m.layerSummaries(expandNested: true)
        for (k, row) in rows.enumerated() {
            let inside = rows[(k + 1)...].prefix { $0.depth > row.depth }.filter { $0.depth == row.depth + 1 }
            if !inside.isEmpty { #expect(inside.reduce(0) { $0 + $1.parameterCount } == row.parameterCount, "\(row.name)") }
            // A row counts exactly the arena's tensors under its name.
            let tensors = m.arena.entries.filter { $0.name.hasPrefix(row.name + ".") }.reduce(0) { $0 + $1.count }
            #expect(tensors == row.parameterCount, "\(row.name)")
        }
        #expect(rows.filter { $0.depth == 0 }.reduce(0) { $0 + $1.parameterCount } == m.parameterCount)
    }

    @Test func expandedTableIndentsTheNestedRowsAndKeepsTheTotals() throws {
        let m = try gpt()
        let collapsed = m.summary(), expanded = m.summary(expandNested: true)
        let lines = expanded.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.contains { $0.hasPrefix("layers.2 (Repeat ×2) ") && $0.hasSuffix(" 1,744") })
        #expect(lines.contains { $0.hasPrefix("  layers.2.1.0 (Residual) ") && $0.hasSuffix(" 304") })
        #expect(lines.contains { $0.hasPrefix("    layers.2.1.0.1 (Attention) ") && $0.contains("(None, 5, 8)") && $0.hasSuffix(" 288") })
        // The columns stay aligned: every row's shape starts where the header's does.
        func column(_ text: String, in line: String) -> Int { line.distance(from: line.startIndex, to: line.range(of: text)!.lowerBound) }
        let header = lines.first { $0.hasPrefix("Layer (type)") }!
        for line in lines where line.contains("(None, ") {
            #expect(column("(None, ", in: line) == column("Output Shape", in: header), "\(line)")
        }
        func totals(_ s: String) -> [Substring] { s.split(separator: "\n").filter { $0.contains("params:") } }
        #expect(totals(expanded) == totals(collapsed) && totals(collapsed).first == "Total params: 1,888")
    }

    @Test func modelWithoutBlocksExpandsToItsCollapsedRows() throws {
        let m = try Model(inputShape: [784], layers: ModelTests.mlp, loss: .softmaxCrossEntropy, seed: 1, maxBatch: 1)
        #expect(m.layerSummaries(expandNested: true) == m.layerSummaries)
        #expect(m.summary(expandNested: true) == m.summary())
    }

    @Test func foldedOutputActivationInsideARepeatHasNoRow() throws {
        let m = try Model(inputShape: [4], layers: [.repeat(1, [.dense(units: 3), .activation(.softmax)])], loss: .softmaxCrossEntropy,
                          seed: 1, maxBatch: 1)
        #expect(m.foldedOutputActivation == .softmax)
        #expect(m.layerSummaries(expandNested: true).map(\.name) == ["layers.0", "layers.0.0.0"])
        #expect(m.layerSummaries(expandNested: true).map(\.parameterCount) == [15, 15])
    }
}
