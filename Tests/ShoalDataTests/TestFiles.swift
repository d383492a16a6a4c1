import Foundation

/// An IDX header: magic 0x00 0x00 0x08 ndims, then big-endian dimensions.
func idxHeader(_ dims: [Int], type: UInt8 = 0x08) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dims.count)]
    for d in dims { bytes += [UInt8(d >> 24 & 0xFF), UInt8(d >> 16 & 0xFF), UInt8(d >> 8 & 0xFF), UInt8(d & 0xFF)] }
    return bytes
}

/// Gzip-compresses `bytes` with the system's gzip tool.
func gzipped(_ bytes: [UInt8]) throws -> [UInt8] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-c", "-n"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    input.fileHandleForWriting.write(Data(bytes))
    try input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Array(data)
}
