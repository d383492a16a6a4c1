import Foundation
import Testing

@testable import ShoalConfig

/// Nine levels of ten aliases: 10⁹ scalars once expanded, from 400 bytes of text.
func billionLaughs(flow: Bool = false) -> String {
    let names = "abcdefghi".map(String.init)
    var items = [#"&a ["x","x","x","x","x","x","x","x","x","x"]"#]
    for (previous, name) in zip(names, names.dropFirst()) {
        items.append("&\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ",") + "]")
    }
    if flow { return "[" + items.joined(separator: ", ") + "]" }
    return zip(names, items).map { "\($0): \($1)" }.joined(separator: "\n") + "\n"
}

@Suite("Config texts beyond the documented bounds are refused at once")
struct ConfigLimitsTests {
    @Test("a billion-laughs file is refused for its alias expansion, with the bound and the fix")
    func aliasBomb() {
        let e = configError(billionLaughs())
        #expect(e?.kind == .tooLarge)
        #expect(e?.description.hasPrefix("configs/x.yaml:") == true)
        #expect(e?.reason.contains("more than 100000 nodes") == true, "\(String(describing: e))")
        #expect(e?.reason.contains("use fewer aliases") == true)
    }

    @Test("an aliased list as a mapping key is refused before Yams hashes it expanded")
    func aliasedKey() {
        // Eight levels (10⁸ nodes) would take Yams minutes to hash; this one is small but alike.
        let e = configError("a: &a [x, y]\nz: {? *a : 1}\n")
        #expect(e?.kind == .syntax)
        #expect(e?.description == "configs/x.yaml:2: keys must be plain names")
    }

    @Test("aliases within the bound still work")
    func smallAliases() throws {
        let config = try RunConfig.parse(yaml: "training: {epochs: &n 3}\nschedule: {warmup_steps: *n}\n")
        #expect(config.training.epochs == 3)
        let tree = try ConfigNode.parse(yaml: "a: &a [1,2,3,4,5,6,7,8,9,10]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b]\n", file: "t")
        #expect(tree.flattened().count == 10 + 100 + 300)
    }

    @Test("a --set value that is an alias bomb is refused and names the override")
    func overrideBomb() {
        let e = configError("", overrides: ["model.input=" + billionLaughs(flow: true)])
        #expect(e?.kind == .tooLarge)
        #expect(e?.override?.hasPrefix("model.input=") == true)
        #expect(e?.keyPath == "model.input")
    }

    @Test("a file above 1 MiB is refused before it is parsed; one at the bound is read")
    func oversizedFile() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("shoal-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let line = "# " + String(repeating: "x", count: 1021) + "\n"  // 1 KiB
        let atBound = directory.appendingPathComponent("at.yaml"), above = directory.appendingPathComponent("above.yaml")
        try Data(String(repeating: line, count: 1024).utf8).write(to: atBound)
        try Data((String(repeating: line, count: 1024) + "\n").utf8).write(to: above)
        #expect(try RunConfig.load(path: atBound.path) == RunConfig.parse(yaml: ""))
        #expect(throws: ConfigError.self) { try RunConfig.load(path: above.path) }
        do {
            _ = try RunConfig.load(path: above.path)
        } catch let e as ConfigError {
            #expect(e.kind == .tooLarge)
            #expect(e.description == "\(above.path): the config is larger than 1048576 bytes (1 MiB), the most a config may hold: is this the right file?")
        }
        #expect(configError(String(repeating: line, count: 1025))?.kind == .tooLarge)
    }

    @Test("a device that never ends is refused, not read forever")
    func endlessFile() {
        #expect(throws: ConfigError(kind: .tooLarge, file: "/dev/zero", line: nil, keyPath: "",
                                    reason: "the config is larger than 1048576 bytes (1 MiB), the most a config may hold: is this the right file?")) {
            try RunConfig.load(path: "/dev/zero")
        }
    }

    @Test("nesting deeper than libyaml's 1000 levels is a syntax error")
    func deepNesting() {
        #expect(configError(String(repeating: "[", count: 5000))?.kind == .syntax)
        #expect(configError(String(repeating: "{a: ", count: 5000))?.kind == .syntax)
    }
}
