import FuzzDriver
import ShoalData

// The input as CSV text, parsed with the header and target choices the first byte picks.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let input = bytes(data, size)
    let mode = input[0]
    let text = String(decoding: input.dropFirst(), as: UTF8.self)
    let target: CSVTarget = mode & 1 == 0 ? .index(Int(Int8(bitPattern: mode)) >> 1) : .name("label")
    let rules: [TargetRule] = [.any, .classIndex(count: 3), .probability]
    do {
        let dataset = try CSVReader.parse(text: text, file: "fuzz.csv", target: target, header: mode & 2 == 0,
                                          delimiter: mode & 4 == 0 ? "," : ";", targets: rules[Int(mode >> 3) % 3])
        precondition(dataset.features.count == dataset.count * dataset.featureCount, "features do not fit the count")
    } catch is DataError {
    } catch {
        fatalError("untyped error: \(error)")
    }
    return 0
}

runFuzzer(fuzz)
