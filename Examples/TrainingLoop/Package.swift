// swift-tools-version: 6.1
// A separate package, so that building the main package stays light: it depends on ScalingLaws by path.
import PackageDescription

let package = Package(
    name: "TrainingLoop",
    dependencies: [
        .package(name: "ScalingLaws", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "TrainingLoop",
            dependencies: [.product(name: "ScalingLaws", package: "ScalingLaws")]
        ),
    ]
)
