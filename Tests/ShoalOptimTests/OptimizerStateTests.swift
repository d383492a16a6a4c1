import ShoalTensor
import Testing
@testable import ShoalOptim

/// The state arena: names for checkpoints, stable addresses, and exact resume.
@Suite struct OptimizerStateTests {
    let slices = [
        ParameterArena.Entry(name: "layers.0.weight", shape: [2, 3], offset: 0),
        ParameterArena.Entry(name: "layers.0.bias", shape: [2], offset: 6),
    ]

    @Test func stateTensorsAreNamedByKindAndParameter() throws {
        let adam = try Optimizer(kind: .adam(), entries: slices, defaults: GroupOptions())
        #expect(adam.stateTensors.map(\.name) == [
            "optimizer.adam.m.layers.0.weight", "optimizer.adam.m.layers.0.bias",
            "optimizer.adam.v.layers.0.weight", "optimizer.adam.v.layers.0.bias",
        ])
        #expect(adam.stateTensors.map(\.shape) == [[2, 3], [2], [2, 3], [2]])
        #expect(adam.stateTensors.map(\.values.count) == [6, 2, 6, 2])
        let momentum = try Optimizer(kind: .nesterov(0.9), entries: slices, defaults: GroupOptions())
        #expect(momentum.stateTensors.map(\.name) == ["optimizer.momentum.v.layers.0.weight",
                                                      "optimizer.momentum.v.layers.0.bias"])
        let sgd = try Optimizer(kind: .sgd, entries: slices, defaults: GroupOptions())
        #expect(sgd.stateTensors.isEmpty)
    }

    @Test func stepWorksInPlaceOnPreallocatedBuffersWithStableStateAddresses() throws {
        let optimizer = try Optimizer(kind: .adamW(), entries: slices, defaults: GroupOptions(weightDecay: 0.1))
        let w = Arena([1, 2, 3, 4, 5, 6, 7, 8]), g = Arena([1, -1, 1, -1, 1, -1, 1, -1])
        let parameterAddress = w.buffer.baseAddress
        let before = optimizer.stateTensors.map { $0.values.baseAddress }
        for _ in 0..<10 {
            optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.01)
        }
        #expect(optimizer.stateTensors.map { $0.values.baseAddress } == before)
        #expect(w.buffer.baseAddress == parameterAddress)
        #expect(w.values != [1, 2, 3, 4, 5, 6, 7, 8])
        // The state tensors are views into the live arena: m is nonzero after steps.
        withExtendedLifetime(optimizer) {
            #expect(optimizer.stateTensors[0].values.contains { $0 != 0 })
        }
    }

    @Test(arguments: [OptimizerKind.momentum(0.9), .nesterov(0.5), .adam(), .adamW()])
    func resumeFromStateAndStepCountIsBitIdentical(kind: OptimizerKind) throws {
        let a: [Float] = [1, 2, 0.5, 3, 1.5, 0.25, 2, 1]
        let w0: [Float] = [1, -1, 2, -2, 0.5, -0.5, 3, -3]
        // Uninterrupted: 6 steps.
        let straight = try Optimizer(kind: kind, entries: slices, defaults: GroupOptions(weightDecay: 0.01))
        let w = Arena(w0), g = Arena(count: 8)
        for _ in 0..<6 {
            quadraticGradient(a: a, w: w, into: g)
            straight.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.05)
        }
        // Interrupted after 3 steps: a fresh optimizer gets the saved tensors and step count.
        let first = try Optimizer(kind: kind, entries: slices, defaults: GroupOptions(weightDecay: 0.01))
        let w2 = Arena(w0)
        for _ in 0..<3 {
            quadraticGradient(a: a, w: w2, into: g)
            first.step(parameters: w2.buffer, gradients: g.buffer, learningRate: 0.05)
        }
        let saved = withExtendedLifetime(first) {
            first.stateTensors.map { (name: $0.name, values: Array($0.values)) }
        }
        let resumed = try Optimizer(kind: kind, entries: slices, defaults: GroupOptions(weightDecay: 0.01))
        for (tensor, copy) in zip(resumed.stateTensors, saved) {
            #expect(tensor.name == copy.name)
            _ = tensor.values.update(fromContentsOf: copy.values)
        }
        resumed.stepCount = 3
        for _ in 0..<3 {
            quadraticGradient(a: a, w: w2, into: g)
            resumed.step(parameters: w2.buffer, gradients: g.buffer, learningRate: 0.05)
        }
        #expect(w2.values == w.values)
        #expect(resumed.stepCount == 6)
    }

    @Test(arguments: [OptimizerKind.sgd, .momentum(0.9), .nesterov(0.9), .adam(), .adamW()])
    func updateOfAnElementDoesNotDependOnItsPosition(kind: OptimizerKind) throws {
        // 4-lane body and scalar tail must agree bit for bit: the same (w, g) pair at index 0
        // (vector body) and index 8 (tail of 9) ends with the same bits after several steps.
        let nine = [ParameterArena.Entry(name: "w", shape: [9], offset: 0)]
        let optimizer = try Optimizer(kind: kind, entries: nine,
                                      defaults: GroupOptions(weightDecay: 0.03, l1: 0.001))
        let w = Arena([0.7, 1, 2, 3, 4, 5, 6, 7, 0.7]), g = Arena(count: 9)
        for step in 0..<4 {
            for i in 0..<9 { g[i] = (i == 0 || i == 8) ? 0.3 / Float(step + 1) : 0.1 }
            optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.01)
        }
        #expect(w[0].bitPattern == w[8].bitPattern)
        #expect(w[0] != 0.7)
    }

    @Test func parametersOutsideEverySliceAreLeftAlone() throws {
        // A gap at [2, 4) between two slices: not a parameter, not updated.
        let gapped = [ParameterArena.Entry(name: "a", shape: [2], offset: 0), ParameterArena.Entry(name: "b", shape: [2], offset: 4)]
        let optimizer = try Optimizer(kind: .sgd, entries: gapped, defaults: GroupOptions())
        #expect(optimizer.parameterCount == 6)
        let w = Arena(Array(repeating: 1, count: 6)), g = Arena(Array(repeating: 1, count: 6))
        optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.5)
        #expect(w.values == [0.5, 0.5, 1, 1, 0.5, 0.5])
    }
}
