import Testing
import TestSupport

@testable import ShoalData

@Suite("CSV reader")
struct CSVReaderTests {
    @Test("a header row names the target; other columns become features in order")
    func byName() throws {
        let data = try CSVReader.parse(
            text: "a,label,b\n1,0,2\n3,1,4\n", file: "x.csv", target: .name("label"), header: true)
        #expect(data.count == 2)
        #expect(data.featureShape == [2])
        #expect(data.features == [1, 2, 3, 4])
        #expect(data.targets == [0, 1])
    }

    @Test("without a header the target is a column index; -1 is the last; CRLF, blanks and comments are fine")
    func byIndex() throws {
        let text = "# generated\r\n0.5, 1.5, 1\r\n\r\n\"2\",3e-1,0\r\n"
        let data = try CSVReader.parse(text: text, file: "x.csv", target: .index(-1), header: false)
        #expect(data.features == [0.5, 1.5, 2, 0.3])
        #expect(data.targets == [1, 0])
    }

    @Test("a bad cell is reported with file, line, column and value")
    func badCell() {
        let text = "x,y,label\n1,2,0\n\n3,abc,1\n"
        let error = #expect(throws: DataError.self) {
            try CSVReader.parse(text: text, file: "data/x.csv", target: .name("label"))
        }
        #expect(error?.description == "data/x.csv:4: column 2 (\"y\"): expected a number, got \"abc\"")
    }

    @Test("a short row is reported with its line")
    func ragged() {
        let error = #expect(throws: DataError.self) {
            try CSVReader.parse(text: "1,2,3\n4,5\n", file: "r.csv", target: .index(0), header: false)
        }
        #expect(error?.description == "r.csv:2: expected 3 cells, found 2")
    }

    @Test("an unknown target name lists the columns")
    func unknownTarget() {
        let error = #expect(throws: DataError.self) {
            try CSVReader.parse(text: "a,b\n1,2\n", file: "t.csv", target: .name("label"))
        }
        #expect(error?.description == "t.csv:1: no column named \"label\"; columns are \"a\", \"b\"")
    }

    @Test("a target that is not a class index is refused when classes are given")
    func classRange() {
        let error = #expect(throws: DataError.self) {
            try CSVReader.parse(text: "a,y\n1,0\n2,0.5\n", file: "c.csv", target: .name("y"), targets: .classIndex(count: 2))
        }
        #expect(error?.description == "c.csv:3: target 0.5 is not a class index in 0..<2")
    }

    @Test("a file with no rows is refused")
    func empty() {
        #expect(throws: DataError.self) { try CSVReader.parse(text: "a,b\n", file: "e.csv", target: .index(1)) }
    }

    @Test("read(path:) reads from disk and names a missing file")
    func fromDisk() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("d.csv", text: "f,t\n1,1\n")
        #expect(try CSVReader.read(path: file, target: .name("t")).targets == [1])
        #expect(throws: DataError.self) { try CSVReader.read(path: dir.path + "/none.csv", target: .index(0)) }
    }
}
