import Foundation
import Testing
import TestSupport

@testable import ShoalData

@Suite("IDX files")
struct IDXFileTests {
    @Test("the Debian Fashion-MNIST files read as 60000 + 10000 labelled 28×28 images")
    func fashionMNIST() throws {
        let (train, test) = try FashionMNIST.load(directory: FashionMNIST.defaultDirectory)
        #expect(train.count == 60000)
        #expect(test.count == 10000)
        #expect(train.featureShape == [28, 28, 1])
        #expect(train.features.count == 60000 * 784)
        #expect(train.classCount == 10)
        #expect(Array(train.targets.prefix(4)) == [9, 0, 0, 3])  // ankle boot, T-shirt, T-shirt, dress
        #expect(test.targets[0] == 9)
        #expect(train.targets.allSatisfy { $0 >= 0 && $0 <= 9 })
        #expect(train.features[0..<784].reduce(0, +) == 76247)  // pixel sum of the first image
        #expect(train.features.max() == 255)
    }

    @Test("a plain (uncompressed) IDX file reads the same as a gzipped one")
    func plainAndGzip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let content = idxHeader([2, 3]) + [1, 2, 3, 4, 5, 6]
        let plain = try IDXFile(path: try dir.write("x-idx2-ubyte", bytes: content))
        let gz = try IDXFile(path: try dir.write("x-idx2-ubyte.gz", bytes: try gzipped(content)))
        #expect(plain.dimensions == [2, 3])
        #expect(plain.bytes == [1, 2, 3, 4, 5, 6])
        #expect(gz.dimensions == plain.dimensions)
        #expect(gz.bytes == plain.bytes)
    }

    @Test("a missing file is reported by name")
    func missing() {
        #expect(throws: DataError.unreadable(file: "/nonexistent/x.gz", reason: "cannot open (missing file or no permission)")) {
            try IDXFile(path: "/nonexistent/x.gz")
        }
    }

    @Test("a wrong magic number is refused")
    func wrongMagic() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("bad", bytes: [0x1F, 0x00, 0x08, 0x01, 0, 0, 0, 1, 7])
        let error = #expect(throws: DataError.self) { try IDXFile(path: file) }
        #expect(error?.description == "\(file): wrong magic number 0x1F 0x0 0x8 0x1; expected an IDX file (0x00 0x00 type ndims)")
    }

    @Test("a non-byte data type is refused")
    func wrongType() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("floats", bytes: idxHeader([1], type: 0x0D) + [0, 0, 0, 0])
        let error = #expect(throws: DataError.self) { try IDXFile(path: file) }
        #expect(error?.description.contains("only unsigned bytes") == true)
    }

    @Test("fewer data bytes than the header announces is 'truncated'")
    func truncatedData() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("short", bytes: idxHeader([10, 28, 28]) + [UInt8](repeating: 0, count: 100))
        let error = #expect(throws: DataError.self) { try IDXFile(path: file) }
        #expect(error == .truncated(file: file, reason: "header says [10, 28, 28] = 7840 data bytes, file has 100"))
        #expect(error?.description.hasPrefix("\(file): truncated") == true)
    }

    @Test("a header cut inside its dimensions is 'truncated'")
    func truncatedHeader() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("header", bytes: [0, 0, 8, 3, 0, 0])
        let error = #expect(throws: DataError.self) { try IDXFile(path: file) }
        guard case .truncated(let f, _) = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(f == file)
    }

    @Test("a gzip stream cut in the middle is 'truncated'")
    func truncatedGzip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        var content = idxHeader([1000])
        for i in 0..<1000 { content.append(UInt8(truncatingIfNeeded: i &* 7919 >> 3)) }
        let gz = try gzipped(content)
        let file = try dir.write("cut.gz", bytes: Array(gz.prefix(gz.count / 2)))
        let error = #expect(throws: DataError.self) { try IDXFile(path: file) }
        guard case .truncated(let f, _) = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(f == file)
    }

    @Test("bytes after the announced data are refused")
    func trailing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("long", bytes: idxHeader([2]) + [1, 2, 3])
        #expect(throws: DataError.trailingData(file: file, expected: 2, found: 3)) { try IDXFile(path: file) }
    }

    @Test("images and labels with different counts are refused, naming both files")
    func countMismatch() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let images = try dir.write("images", bytes: idxHeader([3, 2, 2]) + [UInt8](repeating: 9, count: 12))
        let labels = try dir.write("labels", bytes: idxHeader([2]) + [0, 1])
        let error = #expect(throws: DataError.self) { try FashionMNIST.loadPair(images: images, labels: labels, classCount: 10) }
        #expect(error == .countMismatch(imagesFile: images, images: 3, labelsFile: labels, labels: 2))
        #expect(error?.description == "\(images) holds 3 images but \(labels) holds 2 labels; they must come from the same split")
    }

    @Test("a label outside the classes is refused")
    func labelRange() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let images = try dir.write("images", bytes: idxHeader([2, 1, 1]) + [0, 0])
        let labels = try dir.write("labels", bytes: idxHeader([2]) + [0, 10])
        let error = #expect(throws: DataError.self) { try FashionMNIST.loadPair(images: images, labels: labels, classCount: 10) }
        #expect(error?.description.contains("label 10 of sample 1 is not below 10") == true)
    }
}
