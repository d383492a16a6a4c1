import Foundation
import Testing
import TestSupport

@testable import ShoalData

/// Makes a FIFO at `path`: opening it for reading would wait for a writer forever.
func makeFIFO(_ path: String) -> Bool { mkfifo(path, 0o600) == 0 }

@Suite("Data readers check every length against the file before allocating, and never trap")
struct BoundedReadTests {
    @Test("IDX dimensions whose product overflows Int are a bad header, not a trap")
    func overflowingDimensions() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("huge", bytes: [0, 0, 8, 4] + Array(repeating: 0xFF, count: 16))
        let error = #expect(throws: DataError.self) { try IDXFile(path: file) }
        #expect(error?.description == "\(file): bad IDX header: dimensions [4294967295, 4294967295, 4294967295, 4294967295] "
                + "multiply to more bytes than a file can hold")
    }

    @Test("an IDX header announcing more bytes than the file can hold is refused before reading")
    func headerLargerThanFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let plain = try dir.write("plain", bytes: idxHeader([1 << 30, 1 << 10]) + [1, 2, 3])
        #expect(throws: DataError.truncated(file: plain, reason: "header says [1073741824, 1024] = 1099511627776 data bytes, file has 3")) {
            try IDXFile(path: plain)
        }
        // Gzipped, the bound is deflate's largest ratio: still far below a terabyte.
        let gz = try dir.write("gz.gz", bytes: try gzipped(idxHeader([1 << 30, 1 << 10]) + [1, 2, 3]))
        let error = #expect(throws: DataError.self) { try IDXFile(path: gz) }
        #expect(error?.description.contains("gzip file can hold") == true, "\(String(describing: error))")
    }

    @Test("trailing bytes are still counted exactly")
    func trailing() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("t", bytes: idxHeader([2]) + [1, 2, 3, 4, 5])
        #expect(throws: DataError.trailingData(file: file, expected: 2, found: 5)) { try IDXFile(path: file) }
    }

    @Test("zero images of 2³²−1 × 2³²−1 pixels: the dataset refuses the shape instead of trapping")
    func emptyImagesOfOverflowingShape() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let images = try dir.write("images", bytes: [0, 0, 8, 3, 0, 0, 0, 0] + Array(repeating: 0xFF, count: 8))
        let labels = try dir.write("labels", bytes: idxHeader([0]))
        let error = #expect(throws: DataError.self) { try FashionMNIST.loadPair(images: images, labels: labels, classCount: 10) }
        #expect(error?.description == "feature shape [4294967295, 4294967295, 1] has more elements than memory can address")
    }

    @Test("a FIFO or a directory given as a data file is refused at once, not waited on")
    func notRegularFiles() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let fifo = dir.path + "/fifo"
        #expect(makeFIFO(fifo))
        let notRegular = DataError.unreadable(file: fifo, reason: "not a regular file")
        #expect(throws: notRegular) { try IDXFile(path: fifo) }
        #expect(throws: notRegular) { try CSVReader.read(path: fifo, target: .index(-1)) }
        #expect(throws: notRegular) { try TextCorpus.load(path: fifo) }
        #expect(throws: DataError.unreadable(file: dir.path, reason: "not a regular file")) { try IDXFile(path: dir.path) }
        #expect(throws: DataError.unreadable(file: "/dev/zero", reason: "not a regular file")) {
            try CSVReader.read(path: "/dev/zero", target: .index(-1))
        }
    }
}
