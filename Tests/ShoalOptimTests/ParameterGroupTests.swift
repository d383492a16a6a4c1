import ShoalTensor
import Testing
@testable import ShoalOptim

@Suite struct ParameterGroupTests {
    @Test(arguments: [
        ("*.bias", "layers.0.bias", true),
        ("*.bias", "layers.0.weight", false),
        ("*.bias", "bias", false),
        ("*norm*", "layers.2.layernorm.weight", true),
        ("layers.?.weight", "layers.3.weight", true),
        ("layers.?.weight", "layers.12.weight", false),
        ("layers.*.weight", "layers.12.weight", true),
        ("*", "anything", true),
        ("", "", true),
        ("a*b*c", "aXbYbZc", true),
        ("a*b*c", "aXbYbZ", false),
    ])
    func globMatching(pattern: String, name: String, matches: Bool) {
        #expect(globMatches(pattern, name) == matches)
    }

    @Test func firstMatchingGroupWinsElseDefaults() throws {
        let slices = [
            ParameterArena.Entry(name: "layers.0.weight", shape: [4], offset: 0),
            ParameterArena.Entry(name: "layers.0.bias", shape: [2], offset: 4),
            ParameterArena.Entry(name: "layers.1.norm.weight", shape: [2], offset: 6),
            ParameterArena.Entry(name: "layers.1.norm.bias", shape: [2], offset: 8),
        ]
        let defaults = GroupOptions(weightDecay: 0.1)
        let optimizer = try Optimizer(kind: .adamW(), entries: slices, defaults: defaults, groups: [
            ParameterGroup(pattern: "*.bias", options: GroupOptions(weightDecay: 0)),
            ParameterGroup(pattern: "*norm*", options: GroupOptions(weightDecay: 0, lrScale: 0.5)),
            ParameterGroup(pattern: "*.embedding", options: GroupOptions(weightDecay: 1)),
        ])
        #expect(optimizer.options(for: "layers.0.weight") == defaults)
        #expect(optimizer.options(for: "layers.0.bias") == GroupOptions(weightDecay: 0))
        #expect(optimizer.options(for: "layers.1.norm.weight") == GroupOptions(weightDecay: 0, lrScale: 0.5))
        // Matches both "*.bias" and "*norm*": the first wins.
        #expect(optimizer.options(for: "layers.1.norm.bias") == GroupOptions(weightDecay: 0))
        #expect(optimizer.unmatchedGroupPatterns == ["*.embedding"])
    }

    @Test func neighbouringSlicesWithEqualOptionsMergeIntoOneLoop() {
        let slices = [
            ParameterArena.Entry(name: "b.weight", shape: [4], offset: 4),
            ParameterArena.Entry(name: "a.weight", shape: [4], offset: 0),
            ParameterArena.Entry(name: "a.bias", shape: [1], offset: 8),
            ParameterArena.Entry(name: "b.bias", shape: [1], offset: 9),
        ]
        let (ranges, _) = ParameterGroup.updateRanges(
            entries: slices, groups: [ParameterGroup(pattern: "*.bias", options: GroupOptions())],
            defaults: GroupOptions(weightDecay: 0.1))
        #expect(ranges == [
            UpdateRange(start: 0, count: 8, options: GroupOptions(weightDecay: 0.1)),
            UpdateRange(start: 8, count: 2, options: GroupOptions()),
        ])
    }

    @Test func noDecayGroupLeavesBiasUndecayed() throws {
        // AdamW, zero gradient: weights shrink by (1 − lr·wd), biases in the no-decay group do not.
        let slices = [ParameterArena.Entry(name: "l.weight", shape: [1], offset: 0),
                      ParameterArena.Entry(name: "l.bias", shape: [1], offset: 1)]
        let optimizer = try Optimizer(kind: .adamW(), entries: slices, defaults: GroupOptions(weightDecay: 0.5),
                                      groups: [ParameterGroup(pattern: "*.bias", options: GroupOptions())])
        let w = Arena([1, 1]), g = Arena(count: 2)
        optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.1)
        #expect(w.values == [0.95, 1])
    }
}
