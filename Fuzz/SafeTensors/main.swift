import FuzzDriver
import Coordinator
import Foundation
import ShoalFormats

// The input as a safetensors file, read with the real reader: it must throw a
// SafeTensorsError or return a file whose tensors fit their headers, never trap.
private let path = "/dev/shm/shoal-fuzz-safetensors-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes(data, size)))
    do {
        let file = try SafeTensorsFile.read(from: URL(fileURLWithPath: path))
        for tensor in file.tensors {
            precondition(tensor.elementCount.map { $0 * tensor.dtype.byteWidth } == tensor.data.count, "tensor does not fit its header")
        }
    } catch is SafeTensorsError {
    } catch {
        fatalError("untyped error: \(error)")
    }
    return 0
}

runFuzzer(fuzz)
