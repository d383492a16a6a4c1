import ShoalTensor
import Testing
@testable import ShoalOptim

/// Trajectories of PyTorch 1.13's own optimizers on the same problem, as an independent check
/// of every update rule, of per-group weight decay and learning-rate scale, and of L1.
///
/// The constants below were printed by `reference/pytorch_reference.py` (run once with
/// Debian's python3-torch 1.13.1: `/usr/bin/python3 reference/pytorch_reference.py`) and pasted
/// here; the test does not need torch. Problem: f(w) = Σ ½·a·w², g = a·w in Float;
/// "layers.0.weight" (4 values) gets weight decay and L1, "layers.0.bias" (2 values) gets
/// neither and a learning-rate scale — see the script's header.
@Suite struct PyTorchReferenceTests {
    static let aWeight: [Float] = [1.0, 0.5, 2.0, 3.0]
    static let w0Weight: [Float] = [1.0, -2.0, 0.5, 0.0]
    static let aBias: [Float] = [1.5, 0.25]
    static let w0Bias: [Float] = [-1.0, 4.0]
    static let slices = [
        ParameterArena.Entry(name: "layers.0.weight", shape: [2, 2], offset: 0),
        ParameterArena.Entry(name: "layers.0.bias", shape: [2], offset: 4),
    ]

    /// Runs five steps of `kind` as the script does and compares every step.
    func check(_ kind: OptimizerKind, lr: Float, weightDecay: Float, l1: Float, biasScale: Float,
               expected: [[Float]]) throws {
        let optimizer = try Optimizer(
            kind: kind, entries: Self.slices, defaults: GroupOptions(weightDecay: weightDecay, l1: l1),
            groups: [ParameterGroup(pattern: "*.bias", options: GroupOptions(lrScale: biasScale))])
        let a = Self.aWeight + Self.aBias
        let w = Arena(Self.w0Weight + Self.w0Bias), g = Arena(count: 6)
        for (step, row) in expected.enumerated() {
            quadraticGradient(a: a, w: w, into: g)
            optimizer.step(parameters: w.buffer, gradients: g.buffer, learningRate: lr)
            #expect(close(w.values, row, 2e-6), "\(kind) step \(step + 1): \(w.values) vs \(row)")
        }
    }

    @Test func sgdMatchesPyTorch() throws {
        try check(.sgd, lr: 0.1, weightDecay: 0.1, l1: 0.01, biasScale: 1, expected: Self.sgd)
    }

    @Test func momentumMatchesPyTorch() throws {
        try check(.momentum(0.9), lr: 0.1, weightDecay: 0.1, l1: 0, biasScale: 1, expected: Self.momentum)
    }

    @Test func nesterovMatchesPyTorch() throws {
        try check(.nesterov(0.9), lr: 0.1, weightDecay: 0.1, l1: 0.01, biasScale: 1, expected: Self.nesterov)
    }

    @Test func adamMatchesPyTorch() throws {
        try check(.adam(), lr: 0.05, weightDecay: 0.1, l1: 0, biasScale: 1, expected: Self.adam)
    }

    @Test func adamWMatchesPyTorch() throws {
        try check(.adamW(beta1: 0.8, beta2: 0.99, eps: 1e-6), lr: 0.05, weightDecay: 0.1, l1: 0,
                  biasScale: 2, expected: Self.adamw)
    }

    // sgd: lr 0.1, {}, weight_decay 0.1, l1 0.01 (weights), bias lr x1.0
    static let sgd: [[Float]] = [
        [0.8889999985694885, -1.878999948501587, 0.39399999380111694, 0.0, -0.8500000238418579, 3.9000000953674316],
        [0.7902100086212158, -1.7652599811553955, 0.31025999784469604, 0.0, -0.7225000262260437, 3.802500009536743],
        [0.7022868990898132, -1.6583443880081177, 0.24410539865493774, 0.0, -0.6141250133514404, 3.707437515258789],
        [0.6240353584289551, -1.5578436851501465, 0.19184327125549316, 0.0, -0.5220062732696533, 3.6147515773773193],
        [0.5543914437294006, -1.463373064994812, 0.15055619180202484, 0.0, -0.44370532035827637, 3.5243828296661377],
    ]
    // momentum: lr 0.1, {'momentum': 0.9}, weight_decay 0.1, l1 0.0 (weights), bias lr x1.0
    static let momentum: [[Float]] = [
        [0.8899999856948853, -1.8799999952316284, 0.39500001072883606, 0.0, -0.8500000238418579, 3.9000000953674316],
        [0.6930999755859375, -1.6591999530792236, 0.21755002439022064, 0.0, -0.5875000357627869, 3.7125000953674316],
        [0.43964898586273193, -1.360927939414978, 0.012159520760178566, 0.0, -0.2631250321865082, 3.450937509536743],
        [0.16318170726299286, -1.0108274221420288, -0.17524541914463043, 0.0, 0.06828123331069946, 3.129257917404175],
        [-0.10358882695436478, -0.6350873708724976, -0.3071083128452301, 0.0, 0.35630467534065247, 2.761514663696289],
    ]
    // nesterov: lr 0.1, {'momentum': 0.9, 'nesterov': True}, weight_decay 0.1, l1 0.01 (weights), bias lr x1.0
    static let nesterov: [[Float]] = [
        [0.7890999913215637, -1.7700999975204468, 0.2985999882221222, 0.0, -0.7150000333786011, 3.809999942779541],
        [0.5323681235313416, -1.4683985710144043, 0.09169860184192657, 0.0, -0.3897250294685364, 3.548024892807007],
        [0.2671653628349304, -1.12405526638031, -0.07566499710083008, 0.0, -0.0824308916926384, 3.2294411659240723],
        [0.024349793791770935, -0.7642975449562073, -0.1759708672761917, 0.0, 0.16501374542713165, 2.869148015975952],
        [-0.17382395267486572, -0.4130846858024597, -0.20933444797992706, 0.0, 0.32955682277679443, 2.481261968612671],
    ]
    // adam: lr 0.05, {}, weight_decay 0.1, l1 0.0 (weights), bias lr x1.0
    static let adam: [[Float]] = [
        [0.949999988079071, -1.9500000476837158, 0.45000001788139343, 0.0, -0.949999988079071, 3.950000047683716],
        [0.9000832438468933, -1.9000370502471924, 0.4002061188220978, 0.0, -0.9000832438468933, 3.900017499923706],
        [0.8503116965293884, -1.8501369953155518, 0.35079315304756165, 0.0, -0.8503116965293884, 3.8500640392303467],
        [0.8007524609565735, -1.8003267049789429, 0.3019695580005646, 0.0, -0.8007524609565735, 3.800151824951172],
        [0.7514778971672058, -1.7506338357925415, 0.2539818584918976, 0.0, -0.7514778971672058, 3.750293016433716],
    ]
    // adamw: lr 0.05, {'betas': (0.8, 0.99), 'eps': 1e-06}, weight_decay 0.1, l1 0.0 (weights), bias lr x2.0
    static let adamw: [[Float]] = [
        [0.9450000524520874, -1.940000057220459, 0.4475000500679016, 0.0, -0.9000000357627869, 3.9000000953674316],
        [0.8904450535774231, -1.8803867101669312, 0.3956327438354492, 0.0, -0.8006961345672607, 3.800142526626587],
        [0.8364565968513489, -1.821217656135559, 0.34469741582870483, 0.0, -0.7026563882827759, 3.7005252838134766],
        [0.7831624150276184, -1.7625513076782227, 0.2950362265110016, 0.0, -0.6065324544906616, 3.601247787475586],
        [0.7306953072547913, -1.7044456005096436, 0.24703381955623627, 0.0, -0.5130596160888672, 3.5024099349975586],
    ]
}
