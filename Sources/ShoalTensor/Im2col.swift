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
/// Shapes: `image` is (batch, H, W, C); `columns` is (batch·OH·OW, K·K·C) with each row ordered
/// (kh, kw, c) — the NHWC order, so each (kh, kw) is one contiguous copy of C floats. A weight
/// used against these rows must be laid out (out, kh, kw, in); see `Conv2D` for the permutation
/// from PyTorch's (out, in, kh, kw). Pixels that fall in the padding read as 0.
///
/// ```swift
/// let g = ConvGeometry(inHeight: 4, inWidth: 4, channels: 1, kernel: 3, stride: 1, same: false)
/// let image = allocateFloats(4 * 4), columns = allocateFloats(g.outHeight * g.outWidth * g.patchSize)
/// im2col(image.baseAddress!, batch: 1, geometry: g, columns: columns.baseAddress!)   // (4, 9)
/// ```
public func im2col(_ image: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
                   columns: UnsafeMutablePointer<Float>) {
    let C = g.channels, K = g.kernel, H = g.inHeight, W = g.inWidth
    var row = columns
    for n in 0..<batch {
        let img = image + n * H * W * C
        for oh in 0..<g.outHeight {
            for ow in 0..<g.outWidth {
                let h0 = oh * g.stride - g.padTop, w0 = ow * g.stride - g.padLeft
                var dst = row
                for kh in 0..<K {
                    let h = h0 + kh
                    if h < 0 || h >= H { dst.update(repeating: 0, count: K * C); dst += K * C; continue }
                    if w0 >= 0 && w0 + K <= W {
                        // the whole kernel row is inside the image: K·C contiguous floats
                        dst.update(from: img + (h * W + w0) * C, count: K * C)
                        dst += K * C
                        continue
                    }
                    for kw in 0..<K {
                        let w = w0 + kw
                        if w < 0 || w >= W { dst.update(repeating: 0, count: C) } else { dst.update(from: img + (h * W + w) * C, count: C) }
                        dst += C
                    }
                }
                row += g.patchSize
            }
        }
    }
}

/// The adjoint of `im2col`: ADDS each patch-row entry back onto the pixel it was read from.
///
/// Shapes: `columns` is (batch·OH·OW, K·K·C) ordered (kh, kw, c); `image` is (batch, H, W, C)
/// and is accumulated into (zero it first for a plain gradient). Padding entries are dropped.
///
/// ```swift
/// let g = ConvGeometry(inHeight: 4, inWidth: 4, channels: 1, kernel: 3, stride: 1, same: false)
/// let dColumns = allocateFloats(g.outHeight * g.outWidth * g.patchSize), dInput = allocateFloats(4 * 4)
/// col2im(dColumns.baseAddress!, batch: 1, geometry: g, image: dInput.baseAddress!)   // dInput += the patches' sums
/// ```
public func col2im(_ columns: UnsafePointer<Float>, batch: Int, geometry g: ConvGeometry,
                   image: UnsafeMutablePointer<Float>) {
    let C = g.channels, K = g.kernel, H = g.inHeight, W = g.inWidth
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
                        add(row + (kh * K + kw) * C, into: img + (h * W + w) * C, count: C)
                    }
                }
                row += g.patchSize
            }
        }
    }
}
