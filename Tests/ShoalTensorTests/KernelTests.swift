import Testing
import ShoalTensor

@Suite struct KernelTests {
    @Test func sgemmMatchesHandProductWithTransposes() {
        // A (2, 3), B stored (2, 3) and used transposed: C = A · Bᵀ is (2, 2)
        let a = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
        let b = Tensor(shape: [2, 3], values: [1, 0, -1, 2, 1, 0])
        let c = Tensor(shape: [2, 2], values: [10, 10, 10, 10])
        sgemm(transA: false, transB: true, m: 2, n: 2, k: 3, a: a.storage.baseAddress!, lda: 3,
              b: b.storage.baseAddress!, ldb: 3, beta: 1, c: c.storage.baseAddress!, ldc: 2)
        // rows of A · Bᵀ: (1−3, 1·2+2·1, 4−6, 4·2+5·1) = (−2, 4, −2, 13)
        let expected: [Float] = [8, 14, 8, 23]
        #expect(c.array == expected)
    }

    @Test func tensorIsRowMajorAndAligned() {
        let t = Tensor(shape: [2, 3, 4])
        t[1, 2, 3] = 7
        #expect(t.storage[1 * 12 + 2 * 4 + 3] == 7)
        #expect(Int(bitPattern: t.storage.baseAddress) % 64 == 0)
        #expect(t.array.reduce(0, +) == 7)
    }

    @Test func sameAndValidGeometryFollowKeras() {
        let valid = ConvGeometry(inHeight: 28, inWidth: 28, channels: 1, kernel: 3, stride: 1, same: false)
        #expect(valid.outHeight == 26 && valid.outWidth == 26 && valid.padTop == 0)
        let same = ConvGeometry(inHeight: 7, inWidth: 6, channels: 2, kernel: 3, stride: 2, same: true)
        #expect(same.outHeight == 4 && same.outWidth == 3)
        // height: pad total (4−1)·2 + 3 − 7 = 2 → 1 before; width: (3−1)·2 + 3 − 6 = 1 → 0 before
        #expect(same.padTop == 1 && same.padLeft == 0)
    }

    @Test func col2imIsTheAdjointOfIm2col() {
        // ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩ for random x and c, with padding and stride
        let g = ConvGeometry(inHeight: 7, inWidth: 6, channels: 3, kernel: 3, stride: 2, same: true)
        let batch = 2, rows = batch * g.outHeight * g.outWidth
        let x = Tensor(shape: [batch, 7, 6, 3]), c = Tensor(shape: [rows, g.patchSize])
        let col = Tensor(shape: [rows, g.patchSize]), back = Tensor(shape: [batch, 7, 6, 3])
        let rng = Philox(seed: UInt64.random(in: 0...UInt64.max))
        for i in 0..<x.count { x.storage[i] = rng.uniform(at: UInt64(i)) - 0.5 }
        for i in 0..<c.count { c.storage[i] = rng.uniform(at: UInt64(1_000_000 + i)) - 0.5 }
        im2col(x.storage.baseAddress!, batch: batch, geometry: g, columns: col.storage.baseAddress!)
        col2im(c.storage.baseAddress!, batch: batch, geometry: g, image: back.storage.baseAddress!)
        let lhs = dot(col.storage.baseAddress!, c.storage.baseAddress!, count: c.count)
        let rhs = dot(x.storage.baseAddress!, back.storage.baseAddress!, count: x.count)
        #expect(abs(lhs - rhs) < 1e-4 * max(1, abs(lhs)))
    }

    @Test func im2colRowsAreOrderedKernelThenChannel() {
        // 2×2 image, 2 channels, kernel 2: the single patch row is (kh, kw, c), the NHWC order
        let g = ConvGeometry(inHeight: 2, inWidth: 2, channels: 2, kernel: 2, stride: 1, same: false)
        // NHWC: pixel (h, w) holds (10·h + w, 100 + 10·h + w)
        let x = Tensor(shape: [1, 2, 2, 2], values: [0, 100, 1, 101, 10, 110, 11, 111])
        let col = Tensor(shape: [1, 8])
        im2col(x.storage.baseAddress!, batch: 1, geometry: g, columns: col.storage.baseAddress!)
        #expect(col.array == [0, 100, 1, 101, 10, 110, 11, 111])
    }

    @Test func reductionsAccumulateInDouble() {
        let t = Tensor(shape: [5], values: [1, -2, 7, 7, 3])
        let p = t.storage.baseAddress!
        #expect(sum(p, count: 5) == 16)
        #expect(maximum(p, count: 5) == 7)
        #expect(argmax(p, count: 5) == 2)
        addColumnSums(p, rows: 1, cols: 5, into: p)
        #expect(t.array == [2, -4, 14, 14, 6])
    }
}
