import Coordinator
import Foundation
import ShoalFormats
import Testing
import TestSupport

@Suite("safetensors files")
struct SafeTensorsTests {
    @Test("every supported dtype round-trips bit for bit, with metadata and file order kept")
    func roundTripEveryDType() throws {
        let dirDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), dir = dirDirectory.url
        defer { dirDirectory.remove() }
        let url = dir.appendingPathComponent("all.safetensors")
        let tensors = [
            SafeTensor(name: "f32", shape: [2, 3], values: [Float(1.5), -0, .infinity, .nan, 3e-38, -7]),
            SafeTensor(name: "f64", shape: [3], values: [Double.pi, -1e300, 0]),
            SafeTensor(name: "i64", shape: [2], values: [Int64.min, Int64.max]),
            SafeTensor(name: "i32", shape: [1, 1, 2], values: [Int32.min, 7]),
            SafeTensor(name: "u8", shape: [5], values: [UInt8](arrayLiteral: 0, 1, 127, 128, 255)),
            SafeTensor(name: "scalar", shape: [], values: [Float(2)]),
            SafeTensor(name: "empty", shape: [0, 4], values: [Float]()),
        ]
        let metadata = ["format": "pt", "quote\"and\\slash": "line\nbreak ü"]
        try SafeTensorsFile.write(tensors, metadata: metadata, to: url)

        let file = try SafeTensorsFile.read(from: url)
        #expect(file.metadata == metadata)
        #expect(file.tensors.map(\.name) == tensors.map(\.name))
        #expect(file.tensors == tensors)  // Data equality: bit for bit, NaN included
        let f32 = try #require(file.tensor(named: "f32"))
        var back = [Float](repeating: 0, count: 6)
        try back.withUnsafeMutableBufferPointer { try f32.copy(into: $0) }
        #expect(back[0] == 1.5 && back[2] == .infinity && back[3].isNaN)
        #expect(try file.tensor(named: "i64")?.values(as: Int64.self) == [Int64.min, Int64.max])
        // No temporary file is left beside the result.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["all.safetensors"])
    }

    @Test("copying into a buffer checks the element type and the count")
    func copyChecksTypeAndCount() throws {
        let tensor = SafeTensor(name: "w", shape: [4], values: [Float](repeating: 1, count: 4))
        var small = [Float](repeating: 0, count: 3)
        let countError = errorMessage { try small.withUnsafeMutableBufferPointer { try tensor.copy(into: $0) } }
        #expect(countError == "tensor \"w\" holds 4 elements but the destination has room for 3")
        #expect(errorMessage { _ = try tensor.values(as: Double.self) } == "tensor \"w\" holds F32 elements, not F64")
    }

    @Test("a file written by Shoal parses with an independent reader: u64 length, JSON header, offsets, bytes")
    func independentReader() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("m.safetensors")
        let weight: [Float] = [1, 2, 3, 4, 5, 6]
        try SafeTensorsFile.write(
            [SafeTensor(name: "layers.0.weight", shape: [2, 3], values: weight),
             SafeTensor(name: "layers.0.bias", shape: [2], values: [Double(7), 8])],
            metadata: ["format": "pt"], to: url)

        let bytes = try Data(contentsOf: url)
        let n = Int(bytes.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
        #expect(n % 8 == 0)
        let header = try #require(JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<8 + n)) as? [String: Any])
        #expect(header["__metadata__"] as? [String: String] == ["format": "pt"])
        let entry = try #require(header["layers.0.weight"] as? [String: Any])
        #expect(entry["dtype"] as? String == "F32")
        #expect(entry["shape"] as? [Int] == [2, 3])
        #expect(entry["data_offsets"] as? [Int] == [0, 24])
        let bias = try #require(header["layers.0.bias"] as? [String: Any])
        #expect(bias["dtype"] as? String == "F64")
        #expect(bias["data_offsets"] as? [Int] == [24, 40])
        #expect(bytes.count == 8 + n + 40)
        let stored = bytes.subdata(in: 8 + n..<8 + n + 24)
        #expect(stored == weight.withUnsafeBytes { Data($0) })
    }

    @Test("a file written by Shoal loads in Python's safetensors (skipped when it is not installed)",
          .enabled(if: pythonSafetensorsAvailable()))
    func pythonSafetensorsReadsShoalFiles() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("m.safetensors")
        try SafeTensorsFile.write(
            [SafeTensor(name: "a", shape: [2, 2], values: [Float(1), 2, 3, 4]),
             SafeTensor(name: "b", shape: [1], values: [Int64(-5)]),
             SafeTensor(name: "c", shape: [], values: [Double(0.25)]),
             SafeTensor(name: "e", shape: [0, 3], values: [Float]()),
             SafeTensor(name: "i", shape: [2], values: [Int32(-1), 9]),
             SafeTensor(name: "u", shape: [3], values: [UInt8(0), 128, 255])],
            metadata: ["format": "np"], to: url)
        let script = """
            import sys
            from safetensors.numpy import load_file
            from safetensors import safe_open
            t = load_file(sys.argv[1])
            assert t["a"].tolist() == [[1.0, 2.0], [3.0, 4.0]], t["a"]
            assert t["b"].tolist() == [-5], t["b"]
            assert t["c"].shape == () and t["c"].dtype == "float64" and float(t["c"]) == 0.25
            assert t["e"].shape == (0, 3)
            assert t["i"].tolist() == [-1, 9] and t["i"].dtype == "int32"
            assert t["u"].tolist() == [0, 128, 255] and t["u"].dtype == "uint8"
            with safe_open(sys.argv[1], "np") as f:
                assert f.metadata() == {"format": "np"}
            print("ok")
            """
        let (status, output) = try runPython(["-c", script, url.path])
        #expect(status == 0, "\(output)")
    }

    @Test("a file written by Python's safetensors reads in Shoal (skipped when it is not installed)",
          .enabled(if: pythonSafetensorsAvailable()))
    func shoalReadsPythonSafetensorsFiles() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("py.safetensors")
        let script = """
            import sys, numpy as np
            from safetensors.numpy import save_file
            save_file({"w": np.arange(6, dtype=np.float32).reshape(2, 3), "s": np.array([7], dtype=np.int64),
                       "d": np.array([0.5], dtype=np.float64)}, sys.argv[1], metadata={"format": "np"})
            """
        let (status, output) = try runPython(["-c", script, url.path])
        try #require(status == 0, "\(output)")
        let file = try SafeTensorsFile.read(from: url)
        #expect(file.metadata == ["format": "np"])
        #expect(try file.requireTensor(named: "w", dtype: .f32, count: 6).values(as: Float.self) == [0, 1, 2, 3, 4, 5])
        #expect(try file.requireTensor(named: "w", dtype: .f32).shape == [2, 3])
        #expect(try file.requireTensor(named: "s", dtype: .i64, count: 1).values(as: Int64.self) == [7])
        #expect(try file.requireTensor(named: "d", dtype: .f64, count: 1).values(as: Double.self) == [0.5])
    }

    // MARK: Refusals, each with its message

    @Test("a truncated file is refused as truncated, naming the file")
    func truncatedFile() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("t.safetensors")
        try SafeTensorsFile.write([SafeTensor(name: "w", shape: [8], values: [Float](repeating: 1, count: 8))], metadata: [:], to: url)
        let bytes = try Data(contentsOf: url)
        try bytes.prefix(bytes.count - 5).write(to: url)
        let message = errorMessage { _ = try SafeTensorsFile.read(from: url) }
        #expect(message == "\(url.path): truncated: the header describes 32 bytes of tensor data but the file holds only 27; the file was cut short (disk full or an interrupted copy?)")

        try bytes.prefix(20).write(to: url)  // cut inside the header
        #expect(errorMessage { _ = try SafeTensorsFile.read(from: url) }?.contains("\(url.path): truncated: header length") == true)
        try bytes.prefix(3).write(to: url)
        #expect(errorMessage { _ = try SafeTensorsFile.read(from: url) }?.contains("\(url.path): truncated: the file is 3 bytes") == true)
    }

    @Test("a header length above 100 MB is refused before anything is allocated")
    func headerTooLarge() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("h.safetensors")
        try writeRawSafeTensors(header: "{}", data: [], to: url, declaredLength: 1 << 40)
        #expect(errorMessage { _ = try SafeTensorsFile.read(from: url) }
            == "\(url.path): bad header: header length 1099511627776 exceeds the limit of 100000000 bytes; this is not a safetensors file or it is corrupt")
    }

    @Test("overlapping offsets are refused, naming both tensors")
    func overlappingOffsets() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("o.safetensors")
        try writeRawSafeTensors(header: #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}"#,
                                data: [UInt8](repeating: 0, count: 12), to: url)
        #expect(errorMessage { _ = try SafeTensorsFile.read(from: url) } == "\(url.path): bad header: the data of tensors \"a\" and \"b\" overlap")
    }

    @Test("a gap between tensors, before the first, or after the last is refused")
    func gaps() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("g.safetensors")
        try writeRawSafeTensors(header: #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#,
                                data: [UInt8](repeating: 0, count: 12), to: url)
        #expect(errorMessage { _ = try SafeTensorsFile.read(from: url) } == "\(url.path): bad header: 4 bytes between tensors \"a\" and \"b\" belong to no tensor")

        try writeRawSafeTensors(header: #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}"#, data: [1, 2, 3], to: url)
        #expect(errorMessage { _ = try SafeTensorsFile.read(from: url) } == "\(url.path): bad header: 2 bytes before the first tensor \"a\" belong to no tensor")

        try writeRawSafeTensors(header: #"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, data: [1, 2, 3], to: url)
        #expect(errorMessage { _ = try SafeTensorsFile.read(from: url) } == "\(url.path): bad header: 2 bytes after the last tensor belong to no tensor")
    }

    @Test("an unknown dtype string is refused, listing the known ones")
    func unknownDType() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("d.safetensors")
        try writeRawSafeTensors(header: #"{"w":{"dtype":"F33","shape":[1],"data_offsets":[0,4]}}"#, data: [0, 0, 0, 0], to: url)
        let message = try #require(errorMessage { _ = try SafeTensorsFile.read(from: url) })
        #expect(message.hasPrefix("\(url.path): tensor \"w\" has unknown dtype \"F33\" (known: F64, F32"))
    }

    @Test("a dtype and shape that do not match the byte range are refused")
    func sizeMismatch() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("s.safetensors")
        try writeRawSafeTensors(header: #"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: [UInt8](repeating: 0, count: 8), to: url)
        #expect(errorMessage { _ = try SafeTensorsFile.read(from: url) }
            == "\(url.path): tensor \"w\": dtype F32 with shape [3] needs 12 bytes but its data_offsets span 8")
    }

    @Test("duplicate tensor names are refused even though JSONSerialization would keep one")
    func duplicateNames() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("dup.safetensors")
        let header = #"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"w":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#
        try writeRawSafeTensors(header: header, data: [1, 2], to: url)
        #expect(errorMessage { _ = try SafeTensorsFile.read(from: url) } == "\(url.path): bad header: tensor name \"w\" appears more than once")
        // The writer refuses them too.
        let w = SafeTensor(name: "w", shape: [1], values: [UInt8(1)])
        #expect(errorMessage { try SafeTensorsFile.write([w, w], metadata: [:], to: url) } == "cannot write tensor \"w\": the name is used by two tensors")
    }

    @Test("malformed JSON and entries with fields of the wrong type are refused")
    func malformedHeaders() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("j.safetensors")
        let cases: [(String, String)] = [
            (#"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}"#, "bad header: the header is not valid JSON: expected ',' or '}' in an object, found the end at byte 52"),
            (#"[1]"#, "bad header: the header is an array, not a JSON object"),
            (#"{"w":{"dtype":8,"shape":[1],"data_offsets":[0,1]}}"#, "bad header: tensor \"w\": dtype is a number, not a string"),
            (#"{"w":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}"#, "bad header: tensor \"w\": shape holds something other than non-negative integers"),
            (#"{"w":{"dtype":"U8","shape":[1],"data_offsets":[0]}}"#, "bad header: tensor \"w\": data_offsets is not an array of two integers"),
            (#"{"w":{"dtype":"U8","shape":[1]}}"#, "bad header: tensor \"w\": the data_offsets field is missing"),
            (#"{"w":{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, "bad header: the header is not valid JSON: duplicate key \"dtype\" at byte 19"),
            (#"{"__metadata__":{"k":1},"w":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, "bad header: __metadata__ value of \"k\" is a number, not a string"),
            (#"{"w\u0000":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}} x"#, "bad header: the header is not valid JSON: unexpected text after the JSON value at byte 60"),
        ]
        for (header, reason) in cases {
            try writeRawSafeTensors(header: header, data: [9], to: url)
            #expect(errorMessage { _ = try SafeTensorsFile.read(from: url) } == "\(url.path): \(reason)", "header: \(header)")
        }
    }

    @Test("requireTensor names the file and the tensor when it is missing, of another dtype, or of another size")
    func requireTensor() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("r.safetensors")
        try SafeTensorsFile.write([SafeTensor(name: "w", shape: [2, 2], values: [Float](repeating: 0, count: 4))], metadata: [:], to: url)
        let file = try SafeTensorsFile.read(from: url)
        #expect(try file.requireTensor(named: "w", dtype: .f32, count: 4).shape == [2, 2])
        #expect(errorMessage { _ = try file.requireTensor(named: "v", dtype: .f32) }
            == "\(url.path): has no tensor \"v\"; the checkpoint was written for a different model (check the config)")
        #expect(errorMessage { _ = try file.requireTensor(named: "w", dtype: .f64) } == "\(url.path): tensor \"w\" is F32, expected F64")
        #expect(errorMessage { _ = try file.requireTensor(named: "w", dtype: .f32, count: 5) }
            == "\(url.path): tensor \"w\" has 4 elements, expected 5; the checkpoint was written for a different model (check the config)")
    }

    @Test("sha256Hex agrees for memory, Data and a streamed file")
    func hashing() throws {
        let scratchDirectory = try TemporaryDirectory(prefix: "shoal-coordinator-tests"), scratch = scratchDirectory.url
        defer { scratchDirectory.remove() }
        let url = scratch.appendingPathComponent("h.bin")
        #expect(sha256Hex(of: Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let big = Data((0..<(3 << 20) + 17).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try big.write(to: url)
        #expect(try sha256Hex(ofFileAt: url) == sha256Hex(of: big))
        #expect(big.withUnsafeBytes { sha256Hex(of: $0) } == sha256Hex(of: big))
    }
}

func pythonSafetensorsAvailable() -> Bool {
    (try? runPython(["-c", "import safetensors.numpy"]).status) == 0
}

func runPython(_ arguments: [String]) throws -> (status: Int32, output: String) {
    try runProgram("/usr/bin/env", ["python3"] + arguments)
}
