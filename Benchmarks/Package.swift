// swift-tools-version: 6.1
// Benchmarks for ScalingLaws, kept in their own package so that the library itself does not
// depend on the benchmark tooling. Run with: cd Benchmarks && swift package benchmark
import PackageDescription

let package = Package(
    name: "ScalingLawsBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "ScalingLaws", path: ".."),
        // "MallocInterposer" alone (instead of the default traits) turns off the "RuntimeInterposer"
        // trait, whose swift-runtime-interposer dependency is not available here.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "ScalingLawsBenchmarks",
            dependencies: [
                .product(name: "ScalingLaws", package: "ScalingLaws"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/ScalingLawsBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ]
)
