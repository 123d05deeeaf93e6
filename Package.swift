// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "ScalingLaws",
    products: [
        .library(name: "ScalingLaws", targets: ["ScalingLaws"]),
        .executable(name: "scaling", targets: ["ScalingLawsCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // System-library shim: links reference LAPACK/BLAS (Debian liblapack-dev, libblas-dev).
        .systemLibrary(
            name: "CLAPACK",
            path: "Sources/CLAPACK",
            providers: [.apt(["liblapack-dev", "libblas-dev"])]
        ),
        // C support: ScalingLaws' own LAPACK XERBLA (records an illegal-argument report and returns
        // instead of stopping the process with exit status 0) and a checked flush of stdout.
        // See Sources/CScalingSupport/include/scaling_support.h.
        .target(
            name: "CScalingSupport",
            path: "Sources/CScalingSupport",
            linkerSettings: [.linkedLibrary("dl")]
        ),
        .target(
            name: "ScalingLaws",
            dependencies: ["CLAPACK", "CScalingSupport"]
        ),
        .executableTarget(
            name: "ScalingLawsCLI",
            dependencies: [
                "ScalingLaws",
                "CScalingSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "ScalingLawsTests",
            dependencies: ["ScalingLaws"]
        ),
        .testTarget(
            name: "ScalingLawsCLITests",
            dependencies: ["ScalingLawsCLI"]
        ),
    ]
)
