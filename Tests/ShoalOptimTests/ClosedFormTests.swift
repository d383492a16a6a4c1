import Foundation
import ShoalTensor
import Testing
@testable import ShoalOptim

/// Each update rule against a sequence known in closed form or unrolled by hand.
@Suite struct ClosedFormTests {
    let slice = [ParameterArena.Entry(name: "w", shape: [1], offset: 0)]

    @Test func sgdOnQuadraticIsGeometric() throws {
        // f(w) = ½·a·w², g = a·w  ⇒  w_t = (1 − lr·a)^t · w0
        let a: Float = 2, lr: Float = 0.1, w0: Float = 3
        let optimizer = try Optimizer(kind: .sgd, entries: slice, defaults: GroupOptions())
        let w = Arena([w0]), g = Arena(count: 1)
        for t in 1...30 {
            quadraticGradient(a: [a], w: w, into: g)
            optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: lr)
            let expected = Double(w0) * pow(1 - Double(lr * a), Double(t))
            #expect(close(w[0], Float(expected), 1e-5), "step \(t)")
        }
        #expect(optimizer.stepCount == 30)
    }

    @Test func coupledWeightDecayAddsToCurvature() throws {
        // g' = a·w + wd·w  ⇒  w_t = (1 − lr·(a + wd))^t · w0
        let optimizer = try Optimizer(kind: .sgd, entries: slice, defaults: GroupOptions(weightDecay: 0.5))
        let w = Arena([1]), g = Arena(count: 1)
        for _ in 0..<10 {
            quadraticGradient(a: [1], w: w, into: g)
            optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.1)
        }
        #expect(close(w[0], Float(pow(1 - 0.1 * 1.5, 10.0))))
    }

    @Test func l1AddsSignOfWeight() throws {
        // zero gradient: w_t = w0 − t·lr·l1·sign(w); sign(0) = 0 leaves zero weights alone
        let slices = [ParameterArena.Entry(name: "w", shape: [3], offset: 0)]
        let optimizer = try Optimizer(kind: .sgd, entries: slices, defaults: GroupOptions(l1: 0.25))
        let w = Arena([1, -1, 0]), g = Arena(count: 3)
        for _ in 0..<2 { optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.5) }
        #expect(w.values == [0.75, -0.75, 0])
    }

    @Test func momentumMatchesHandUnrolledRecurrence() throws {
        // v_t = μ·v_{t−1} + a·w_{t−1},  w_t = w_{t−1} − lr·v_t   (unrolled in Double)
        let a = 1.0, lr = 0.1, mu = 0.9
        let optimizer = try Optimizer(kind: .momentum(Float(mu)), entries: slice, defaults: GroupOptions())
        let w = Arena([1]), g = Arena(count: 1)
        var wRef = 1.0, vRef = 0.0
        for t in 1...25 {
            quadraticGradient(a: [Float(a)], w: w, into: g)
            optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: Float(lr))
            vRef = mu * vRef + a * wRef
            wRef -= lr * vRef
            #expect(close(w[0], Float(wRef), 1e-5), "step \(t)")
        }
    }

    @Test func nesterovFirstTwoStepsByHand() throws {
        // a = 1, lr = 0.1, μ = 0.9, w0 = 1:
        // step 1: g = 1,    v = 1,              w = 1 − 0.1·(1 + 0.9·1)        = 0.81
        // step 2: g = 0.81, v = 0.9·1 + 0.81 = 1.71, w = 0.81 − 0.1·(0.81 + 0.9·1.71) = 0.5751
        let optimizer = try Optimizer(kind: .nesterov(0.9), entries: slice, defaults: GroupOptions())
        let w = Arena([1]), g = Arena(count: 1)
        quadraticGradient(a: [1], w: w, into: g)
        optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.1)
        #expect(close(w[0], 0.81, 1e-6))
        quadraticGradient(a: [1], w: w, into: g)
        optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.1)
        #expect(close(w[0], 0.5751, 1e-6))
    }

    @Test func adamOnConstantGradientTakesStepsOfLr() throws {
        // Constant gradient c: bias correction makes m̂ = c and v̂ = c² exactly, so every step is
        // lr·c / (|c| + ε)  ⇒  w_t = w0 − t·lr·c/(|c| + ε), whatever β1 and β2.
        let slices = [ParameterArena.Entry(name: "w", shape: [2], offset: 0)]
        for kind in [OptimizerKind.adam(), .adam(beta1: 0.5, beta2: 0.9, eps: 1e-3), .adamW()] {
            let optimizer = try Optimizer(kind: kind, entries: slices, defaults: GroupOptions())
            let w = Arena([0, 0]), g = Arena([3, -0.5])
            guard case let .adam(_, _, eps) = kind.asAdam else { Issue.record("not Adam"); return }
            for _ in 0..<10 {
                optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.01)
            }
            let c: [Double] = [3, -0.5]
            let expected = c.map { Float(-10 * 0.01 * $0 / (abs($0) + Double(eps))) }
            #expect(close(w.values, expected, 1e-5), "\(kind)")
        }
    }

    @Test func adamWDecaysWeightsMultiplicatively() throws {
        // zero gradient ⇒ m = v = 0 and the Adam term vanishes: w_t = (1 − lr·wd)^t · w0
        let optimizer = try Optimizer(kind: .adamW(), entries: slice, defaults: GroupOptions(weightDecay: 0.1))
        let w = Arena([2]), g = Arena(count: 1)
        for _ in 0..<5 { optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.5) }
        #expect(close(w[0], Float(2 * pow(1 - 0.05, 5.0)), 1e-6))
    }

    @Test func gradientsAreNotWritten() throws {
        let slices = [ParameterArena.Entry(name: "w", shape: [2], offset: 0)]
        let optimizer = try Optimizer(kind: .adam(), entries: slices,
                                      defaults: GroupOptions(weightDecay: 0.1, l1: 0.1))
        let w = Arena([1, -2]), g = Arena([0.5, 0.25])
        optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: 0.1)
        #expect(g.values == [0.5, 0.25])
    }
}

extension OptimizerKind {
    /// AdamW viewed as Adam with the same β and ε (test helper).
    var asAdam: OptimizerKind {
        if case let .adamW(b1, b2, eps) = self { return .adam(beta1: b1, beta2: b2, eps: eps) }
        return self
    }
}
