#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ShoalTensor

/// The three losses on the model output ("logits" z), each returning the SUM over the batch of
/// per-sample losses and writing `dz = scale · ∂(per-sample loss)/∂z` for backward.
///
/// Shapes: z and dz are (B, P, O) with P the positions of a sample (T for a per-position
/// (T, classes) output, else 1); targets are (B, P) class indices stored as Float for softmax
/// cross-entropy, and (B, P·O) values for binary cross-entropy and MSE (which take P = 1).
///
/// Per-sample losses (means over positions and outputs where there are several, as Keras):
/// - softmax cross-entropy: `mean_p [logsumexp(z_p) − z_p[t_p]]`;
/// - binary cross-entropy from logits: `mean_o [max(z,0) − z·t + log(1 + e^{−|z|})]`;
/// - MSE: `mean_o (z − t)²`.
///
/// A class index that is not an integer in [0, O) gives a NaN loss (and a zero gradient for that
/// sample), so a trainer that stops on a NaN loss stops on bad labels too.
func computeLoss(_ spec: LossSpec, z: UnsafePointer<Float>, targets t: UnsafePointer<Float>, batch: Int, positions P: Int,
                 outputs O: Int, scale sampleScale: Float, dz: UnsafeMutablePointer<Float>) -> Double {
    var total = 0.0
    switch spec {
    case .softmaxCrossEntropy:
        // Every row is one position of one sample; each weighs 1/P in its sample's loss.
        let B = batch * P, inverseP = 1 / Double(P), scale = P == 1 ? sampleScale : sampleScale / Float(P)
        for b in 0..<B {
            let zb = z + b * O, db = dz + b * O
            let label = t[b]
            guard label >= 0, label < Float(O), label == label.rounded(.towardZero) else {
                zero(db, count: O); total += .nan; continue
            }
            let k = Int(label)
            // loss = log Σ_j e^{z_j} − z_k;  dz_j = softmax(z)_j − [j = k]
            let m = maximum(zb, count: O)
            var s: Float = 0
            for j in 0..<O { db[j] = expf(zb[j] - m); s += db[j] }
            total += P == 1 ? log(Double(s)) + Double(m) - Double(zb[k]) : (log(Double(s)) + Double(m) - Double(zb[k])) * inverseP
            let inv = scale / s
            for j in 0..<O { db[j] *= inv }
            db[k] -= scale
        }
    case .binaryCrossEntropy:
        let B = batch, scale = sampleScale, inv = 1 / Double(O)
        for i in 0..<B * O {
            let x = z[i], y = t[i]
            // loss = max(x,0) − x y + log(1 + e^{−|x|});  d/dx = σ(x) − y
            total += inv * (Double(max(x, 0)) - Double(x) * Double(y) + Double(log1pf(expf(-abs(x)))))
            dz[i] = scale * Float(inv) * (sigmoid(x) - y)
        }
    case .meanSquaredError:
        let B = batch, scale = sampleScale, inv = 1 / Double(O)
        for i in 0..<B * O {
            // loss = (z − t)² / O;  d/dz = 2 (z − t) / O
            let d = z[i] - t[i]
            total += inv * Double(d) * Double(d)
            dz[i] = scale * Float(2 * inv) * d
        }
    }
    return total
}

/// The training loss, computed from the model's last output (logits for the two cross-entropies).
public enum LossSpec: String, Equatable, Sendable, CaseIterable {
    /// Softmax cross-entropy from logits; targets are class indices.
    case softmaxCrossEntropy = "softmax_cross_entropy"
    /// Binary cross-entropy from logits (sigmoid folded in); targets are 0 or 1 per output.
    case binaryCrossEntropy = "binary_cross_entropy"
    /// Mean squared error per output; targets are real values.
    case meanSquaredError = "mse"
}
