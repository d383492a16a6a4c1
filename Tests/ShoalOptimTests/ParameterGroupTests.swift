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
            ParameterSlice(name: "layers.0.weight", offset: 0, count: 4),
            ParameterSlice(name: "layers.0.bias", offset: 4, count: 2),
            ParameterSlice(name: "layers.1.norm.weight", offset: 6, count: 2),
            ParameterSlice(name: "layers.1.norm.bias", offset: 8, count: 2),
        ]
        let defaults = GroupOptions(weightDecay: 0.1)
        let optimizer = try Optimizer(kind: .adamW(), slices: slices, defaults: defaults, groups: [
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
            ParameterSlice(name: "b.weight", offset: 4, count: 4),
            ParameterSlice(name: "a.weight", offset: 0, count: 4),
            ParameterSlice(name: "a.bias", offset: 8, count: 1),
            ParameterSlice(name: "b.bias", offset: 9, count: 1),
        ]
        let (ranges, _) = ParameterGroup.updateRanges(
            slices: slices, groups: [ParameterGroup(pattern: "*.bias", options: GroupOptions())],
            defaults: GroupOptions(weightDecay: 0.1))
        #expect(ranges == [
            UpdateRange(start: 0, count: 8, options: GroupOptions(weightDecay: 0.1)),
            UpdateRange(start: 8, count: 2, options: GroupOptions()),
        ])
    }

    @Test func noDecayGroupLeavesBiasUndecayed() throws {
        // AdamW, zero gradient: weights shrink by (1 − lr·wd), biases in the no-decay group do not.
        let slices = [ParameterSlice(name: "l.weight", offset: 0, count: 1),
                      ParameterSlice(name: "l.bias", offset: 1, count: 1)]
        let optimizer = try Optimizer(kind: .adamW(), slices: slices, defaults: GroupOptions(weightDecay: 0.5),
                                      groups: [ParameterGroup(pattern: "*.bias", options: GroupOptions())])
        let w = Arena([1, 1]), g = Arena(count: 2)
        optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.1)
        #expect(w.values == [0.95, 1])
    }
}
