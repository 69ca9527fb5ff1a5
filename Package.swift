// swift-tools-version:6.0
import PackageDescription

/// One set of Swift settings shared by every Swift target.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Corral",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "corral", targets: ["corral"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .systemLibrary(
            name: "CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .systemLibrary(name: "CXattr"),
        .target(name: "CorralStore", dependencies: ["CLMDB"], swiftSettings: swiftSettings),
        .target(name: "CorralRaft", swiftSettings: swiftSettings),
        .target(name: "CorralSimulation", dependencies: ["CorralRaft"], swiftSettings: swiftSettings),
        .target(
            name: "CorralReplication",
            dependencies: ["CorralRaft", "CorralStore"],
            swiftSettings: swiftSettings
        ),
        .target(name: "CCorralLauncher"),
        .target(
            name: "CorralContainer",
            dependencies: ["CCorralLauncher", "CZlib", "COpenSSL", "CXattr"],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "corral",
            dependencies: [
                "CorralStore", "CorralRaft", "CorralSimulation", "CorralReplication", "CorralContainer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CorralStoreTests", dependencies: ["CorralStore"], swiftSettings: swiftSettings),
        .testTarget(name: "CorralRaftTests", dependencies: ["CorralRaft"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CorralSimulationTests",
            dependencies: ["CorralSimulation", "CorralRaft"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorralReplicationTests",
            dependencies: ["CorralReplication", "CorralRaft", "CorralStore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorralContainerTests",
            dependencies: ["CorralContainer"],
            swiftSettings: swiftSettings
        ),
    ]
)
