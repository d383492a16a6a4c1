import FuzzDriver
import Foundation
import ShoalData

// The input as an IDX file (plain, or gzip if it starts with the gzip magic), read with the
// real reader and paired as images and labels.
private let path = "/dev/shm/shoal-fuzz-idx-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes(data, size)))
    do {
        let file = try IDXFile(path: path)
        precondition(file.dimensions.reduce(1, *) == file.bytes.count, "bytes do not fit the dimensions")
        _ = try? FashionMNIST.loadPair(images: path, labels: path, classCount: 256)
    } catch is DataError {
    } catch {
        fatalError("untyped error: \(error)")
    }
    return 0
}

runFuzzer(fuzz)
