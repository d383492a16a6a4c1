import Foundation
import Testing
import TestSupport

@testable import ShoalData

/// The one check that a path is a regular file a reader may open (data files and checkpoint
/// files alike): its size, or why not.
@Suite struct RegularFileTests {
    @Test func aRegularFileGivesItsSize() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("x.csv", text: "a,b\n1,2\n")
        #expect(try regularFileSize(file) == 8)
    }

    @Test func aDirectoryOrDeviceIsNotRegular() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(throws: NotARegularFile.notRegular) { try regularFileSize(dir.path) }
        #expect(throws: NotARegularFile.notRegular) { try regularFileSize("/dev/zero") }
        #expect(NotARegularFile.notRegular.description == "not a regular file")
    }

    @Test func aMissingFileSaysWhy() {
        #expect(throws: NotARegularFile.cannotStat(errno: ENOENT)) { try regularFileSize("/nonexistent/x.csv") }
        #expect(NotARegularFile.cannotStat(errno: ENOENT).description == "No such file or directory")
        #expect(notARegularFile("/nonexistent/x.csv") == .unreadable(file: "/nonexistent/x.csv", reason: "cannot open (missing file or no permission)"))
        #expect(notARegularFile("/dev/zero") == .unreadable(file: "/dev/zero", reason: "not a regular file"))
    }
}
