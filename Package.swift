// swift-tools-version:6.0
// Shoal: data-parallel neural-network training over MPI. Module map: ../shared/DESIGN.md "Layout".
import PackageDescription

let package = Package(
    name: "Shoal",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "shoal", targets: ["shoal"]),
        // The HTTP server is its own program, so that `shoal` (training) links no SwiftNIO.
        .executable(name: "shoal-serve", targets: ["shoal-serve"]),
        .library(name: "Shoal", targets: ["Shoal"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        // shoal serve's HTTP server, on SwiftNIO: benchmarks/RESULTS.md "Serving" says why this one.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    ],
    targets: [
        // System libraries, found through pkg-config (Debian: libopenmpi-dev, libopenblas-dev, zlib1g-dev, libssl-dev).
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // SHA-256 only: OpenSSL's libcrypto, which every node has, instead of building BoringSSL.
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        // The only code that includes <mpi.h>.
        .target(name: "MPIShim", dependencies: ["CMPI"]),

        // C hot loops compiled for AVX-512, AVX2 and baseline x86-64, picked at load time.
        .target(name: "ShoalKernels"),
        .target(name: "ShoalTensor", dependencies: ["CBLAS"]),
        .target(name: "ShoalNN", dependencies: ["ShoalKernels", "ShoalTensor"]),
        .target(name: "ShoalOptim", dependencies: ["ShoalTensor"]),
        // File formats shared with other tools (safetensors, strict JSON), their digests and durable writes.
        .target(name: "ShoalFormats", dependencies: ["COpenSSL", "ShoalTensor"]),
        .target(name: "ShoalData", dependencies: ["ShoalTensor", "CZlib", "ShoalFormats"]),
        .target(name: "ShoalComm", dependencies: ["MPIShim", "ShoalKernels", "ShoalTensor"]),
        .target(name: "ShoalConfig", dependencies: [
            "ShoalComm", "ShoalData", "ShoalFormats", "ShoalNN", "Yams",
        ]),
        .target(name: "Coordinator", dependencies: [
            "ShoalComm", "ShoalData", "ShoalFormats", "ShoalOptim", "ShoalTensor",
        ]),
        // Metrics records, TensorBoard event files and curve plots: Foundation only, so any tool can read a run.
        .target(name: "ShoalMetrics"),
        .target(name: "Shoal", dependencies: [
            "Coordinator", "ShoalComm", "ShoalConfig", "ShoalData", "ShoalFormats", "ShoalMetrics", "ShoalNN", "ShoalOptim", "ShoalTensor",
        ]),
        // shoal serve: a trained model behind HTTP.
        .target(name: "ShoalServe", dependencies: [
            "Coordinator", "Shoal", "ShoalData", "ShoalFormats",
            .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "shoal", dependencies: [
            "Coordinator", "Shoal", "ShoalComm", "ShoalConfig", "ShoalData", "ShoalFormats", "ShoalMetrics", "ShoalNN", "ShoalOptim",
            "ShoalTensor", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "shoal-serve", dependencies: [
            "Shoal", "ShoalServe", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // What several test targets share (a temporary directory for one test); no product ships it.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "ShoalTensorTests", dependencies: ["ShoalTensor"]),
        .testTarget(name: "ShoalNNTests", dependencies: ["ShoalNN", "ShoalTensor"]),
        .testTarget(name: "ShoalOptimTests", dependencies: ["ShoalOptim", "ShoalTensor"], exclude: ["reference"]),
        .testTarget(name: "ShoalDataTests", dependencies: ["ShoalData", "ShoalFormats", "TestSupport"]),
        .testTarget(name: "ShoalConfigTests", dependencies: ["ShoalConfig", "ShoalData", "ShoalNN"]),
        .testTarget(name: "ShoalCommTests", dependencies: ["ShoalComm"]),
        .testTarget(name: "ShoalFormatsTests", dependencies: ["ShoalFormats", "TestSupport"]),
        .testTarget(name: "CoordinatorTests", dependencies: ["Coordinator", "ShoalComm", "ShoalData", "ShoalFormats", "ShoalOptim", "ShoalTensor", "TestSupport"]),
        .testTarget(name: "ShoalMetricsTests", dependencies: ["ShoalMetrics", "TestSupport"]),
        .testTarget(name: "ShoalTests", dependencies: ["Shoal", "Coordinator", "ShoalComm", "ShoalConfig"]),
        // The ```swift examples of the library modules' doc comments, compiled (Examples.swift is generated).
        // Their warnings are off: `plan.stepsPerEpoch  // 4` is how an example shows a value, not a mistake.
        .testTarget(name: "DocumentationExampleTests", dependencies: [
            "Coordinator", "Shoal", "ShoalComm", "ShoalConfig", "ShoalData", "ShoalFormats", "ShoalMetrics", "ShoalNN", "ShoalOptim",
            "ShoalServe", "ShoalTensor",
        ], swiftSettings: [.unsafeFlags(["-suppress-warnings"])]),
        .testTarget(name: "CommandTests", dependencies: [
            "Coordinator", "shoal", "ShoalComm", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Launch the built `shoal` binary under real mpirun with several processes.
        .testTarget(name: "MultiProcessTests", dependencies: [], exclude: ["Fixtures"]),
    ]
)
