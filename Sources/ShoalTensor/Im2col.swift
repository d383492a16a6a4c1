/// Geometry of a 2-D convolution or pooling window over NHWC images.
///
/// Output size is `(in + padTotal - kernel) / stride + 1` per axis. For Keras/TensorFlow "same"
/// padding the output is `ceil(in / stride)` and the extra padding pixel (if odd) goes after the
/// image (bottom / right); `padTop`/`padLeft` are the leading pads.
///
/// ```swift
/// let g = ConvGeometry(inHeight: 28, inWidth: 28, channels: 1, kernel: 3, stride: 1, same: false)
/// (g.outHeight, g.outWidth)   // (26, 26)
/// ```
public struct ConvGeometry: Sendable, Equatable {
    public let inHeight: Int, inWidth: Int, channels: Int
    public let kernel: Int, stride: Int
    public let padTop: Int, padLeft: Int
    public let outHeight: Int, outWidth: Int

    public init(inHeight: Int, inWidth: Int, channels: Int, kernel: Int, stride: Int, same: Bool) {
        self.inHeight = inHeight; self.inWidth = inWidth; self.channels = channels
        self.kernel = kernel; self.stride = stride
        if same {
            outHeight = (inHeight + stride - 1) / stride
            outWidth = (inWidth + stride - 1) / stride
            padTop = max((outHeight - 1) * stride + kernel - inHeight, 0) / 2
            padLeft = max((outWidth - 1) * stride + kernel - inWidth, 0) / 2
        } else {
            outHeight = inHeight >= kernel ? (inHeight - kernel) / stride + 1 : 0
            outWidth = inWidth >= kernel ? (inWidth - kernel) / stride + 1 : 0
            padTop = 0; padLeft = 0
        }
    }

    /// Length of one im2col row: channels · kernel · kernel.
    public var patchSize: Int { channels * kernel * kernel }
}

/// Unfolds NHWC images into patch rows so that convolution becomes one GEMM.
///
/// Shapes: `image` is (batch, H, W, C); `columns` is (batch·OH·OW, C·K·K) with each row ordered
/// (c, kh, kw) — the order of a PyTorch Conv2d weight row (out, in, kh, kw), so
/// `out = columns · Wᵀ`. Pixels that fall in the padding read as 0.
///
/// ```swift
/// im2col(image, batch: 1, geometry: g, columns: col)
/// ```
public func im2col(_ image: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
                   columns: UnsafeMutablePointer<Float>) {
    let C = g.channels, K = g.kernel, KK = K * K, H = g.inHeight, W = g.inWidth
    var row = columns
    for n in 0..<batch {
        let img = image + n * H * W * C
        for oh in 0..<g.outHeight {
            for ow in 0..<g.outWidth {
                let h0 = oh * g.stride - g.padTop, w0 = ow * g.stride - g.padLeft
                for kh in 0..<K {
                    let h = h0 + kh
                    for kw in 0..<K {
                        let w = w0 + kw
                        let dst = row + kh * K + kw
                        if h < 0 || h >= H || w < 0 || w >= W {
                            for c in 0..<C { dst[c * KK] = 0 }
                        } else {
                            let src = img + (h * W + w) * C
                            for c in 0..<C { dst[c * KK] = src[c] }
                        }
                    }
                }
                row += g.patchSize
            }
        }
    }
}

/// The adjoint of `im2col`: ADDS each patch-row entry back onto the pixel it was read from.
///
/// Shapes: `columns` is (batch·OH·OW, C·K·K) ordered (c, kh, kw); `image` is (batch, H, W, C)
/// and is accumulated into (zero it first for a plain gradient). Padding entries are dropped.
///
/// ```swift
/// col2im(dColumns, batch: 1, geometry: g, image: dInput)
/// ```
public func col2im(_ columns: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
                   image: UnsafeMutablePointer<Float>) {
    let C = g.channels, K = g.kernel, KK = K * K, H = g.inHeight, W = g.inWidth
    var row = columns
    for n in 0..<batch {
        let img = image + n * H * W * C
        for oh in 0..<g.outHeight {
            for ow in 0..<g.outWidth {
                let h0 = oh * g.stride - g.padTop, w0 = ow * g.stride - g.padLeft
                for kh in 0..<K {
                    let h = h0 + kh
                    if h < 0 || h >= H { continue }
                    for kw in 0..<K {
                        let w = w0 + kw
                        if w < 0 || w >= W { continue }
                        let src = row + kh * K + kw
                        let dst = img + (h * W + w) * C
                        for c in 0..<C { dst[c] += src[c * KK] }
                    }
                }
                row += g.patchSize
            }
        }
    }
}
