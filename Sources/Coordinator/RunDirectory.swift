import Foundation
import ShoalFormats

/// One run's directory, `<logging.dir>/<name>/version_<N>/`, as Lightning's `version_N`: each
/// `shoal train` of a name gets the next version, and `--resume auto` continues the newest, so a
/// second run never replaces the first one's files. It holds the resolved `config.yaml`,
/// `metrics.jsonl`, the TensorBoard event files, `timeline.json` and, unless `checkpoint.dir`
/// says otherwise, `checkpoints/`. Only rank 0 creates and writes it.
///
/// ```swift
/// let run = RunDirectory.next(in: "runs/fashion-mlp")     // runs/fashion-mlp/version_3 after 0, 1, 2
/// try run.create(fresh: true)
/// RunDirectory.newest(in: "runs/fashion-mlp")?.version    // 3
/// ```
public struct RunDirectory: Equatable, Sendable {
    /// `<logging.dir>/<name>`: where the versions of one run name live.
    public let root: String
    public let version: Int

    public init(root: String, version: Int) {
        self.root = root
        self.version = version
    }

    public static let prefix = "version_"

    /// `<root>/version_<N>`.
    public var path: String { root + "/" + Self.prefix + String(version) }
    /// Where checkpoints go unless `checkpoint.dir` is set.
    public var checkpoints: String { path + "/checkpoints" }
    /// The resolved config: `shoal train <path>/config.yaml` reproduces the run.
    public var config: String { path + "/config.yaml" }
    public var metrics: String { path + "/metrics.jsonl" }
    public var timeline: String { path + "/timeline.json" }

    /// The versions present under `root`, ascending (none if it does not exist).
    public static func versions(in root: String) -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.compactMap { name in
            guard name.hasPrefix(prefix), let n = Int(name.dropFirst(prefix.count)), n >= 0, name == prefix + String(n) else { return nil }
            return n
        }.sorted()
    }

    /// The newest version under `root`, if any.
    public static func newest(in root: String) -> RunDirectory? {
        versions(in: root).last.map { RunDirectory(root: root, version: $0) }
    }

    /// The version after the newest (version_0 for a new name).
    public static func next(in root: String) -> RunDirectory {
        RunDirectory(root: root, version: (versions(in: root).last ?? -1) + 1)
    }

    /// Where a training run of `root` writes: the newest version when it continues one, else the next.
    public static func forTraining(in root: String, continuing: Bool) -> RunDirectory {
        continuing ? newest(in: root) ?? next(in: root) : next(in: root)
    }

    /// The checkpoint root a path names: `url/checkpoints` of a run directory, the newest
    /// version's of a run name's directory, else `url` itself.
    public static func checkpointRoot(within url: URL) -> URL {
        var isDirectory: ObjCBool = false
        let inside = url.appendingPathComponent("checkpoints")
        if FileManager.default.fileExists(atPath: inside.path, isDirectory: &isDirectory), isDirectory.boolValue { return inside }
        if let newest = newest(in: url.path) { return URL(fileURLWithPath: newest.checkpoints) }
        return url
    }

    /// Creates the directory (and `root`). A fresh version that exists already belongs to another
    /// run of the same name that started meanwhile: an error, never a shared directory.
    public func create(fresh: Bool) throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        if mkdir(path, 0o755) != 0 {
            let code = errno
            if code == EEXIST && !fresh { return }
            let operation = code == EEXIST ? "create (another run of this name took this version meanwhile; start again)" : "create"
            throw FileSystemError(operation: operation + " the run directory", path: path, code: code)
        }
    }
}
