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
        .executable(name: "corral-chaos", targets: ["corral-chaos"]),
        // A test double loaded with LD_PRELOAD by power-loss tests; not part of Corral.
        .library(name: "CPowerLossDouble", type: .dynamic, targets: ["CPowerLossDouble"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.10.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.27.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.24.0"),
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
        .systemLibrary(name: "CPrefetch"),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypt", providers: [.apt(["libcrypt-dev"])]),
        .target(name: "CorralStore", dependencies: ["CLMDB"], swiftSettings: swiftSettings),
        .target(name: "CorralRaft", swiftSettings: swiftSettings),
        .target(name: "CorralModel", swiftSettings: swiftSettings),
        .target(
            name: "CorralProtobuf",
            dependencies: ["CorralModel", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Protos"],
            swiftSettings: swiftSettings
        ),
        .target(name: "CorralSimulation", dependencies: ["CorralRaft"], swiftSettings: swiftSettings),
        .target(
            name: "CorralMetrics",
            dependencies: [
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CorralClusterSimulation",
            dependencies: ["CorralSimulation", "CorralRaft", "CorralReplication", "CorralMaster", "CorralAgent", "CorralModel"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CorralReplication",
            dependencies: [
                "CorralRaft", "CorralStore", "CorralMetrics", "CZlib", "CorralSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CorralMaster",
            dependencies: [
                "CorralModel", "CorralProtobuf", "CorralReplication", "CorralRaft", "CorralStore", "CorralScheduler", "CorralMetrics", "CorralSecurity",
                "CPrefetch",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CorralScheduler",
            dependencies: [
                "CorralModel", "CorralSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CCorralLauncher"),
        .target(
            name: "CorralContainer",
            dependencies: ["CCorralLauncher", "CZlib", "COpenSSL", "CXattr", "CCurl", "CorralModel"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CorralAgent",
            dependencies: [
                "CorralModel", "CorralStore", "CorralContainer", "CorralScheduler", "CorralMetrics", "CorralSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CorralRegistry",
            dependencies: [
                "CorralContainer", "CCrypt", "CorralSecurity",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CorralSecurity",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "corral",
            dependencies: [
                "CorralStore", "CorralRaft", "CorralSimulation", "CorralClusterSimulation", "CorralReplication", "CorralContainer",
                "CorralMaster", "CorralModel", "CorralAgent", "CorralRegistry", "CorralScheduler", "CorralSecurity",
                "CorralFuzz",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CorralFuzz",
            dependencies: [
                "CorralModel", "CorralProtobuf", "CorralRaft", "CorralReplication", "CorralMaster", "CorralAgent",
                "CorralContainer", "CorralRegistry", "CorralScheduler", "CorralSecurity", "CCorralLauncher",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "CorralHistory", path: "Chaos/History", swiftSettings: swiftSettings),
        .target(
            name: "CorralChaos",
            dependencies: [
                "CorralHistory", "CorralMaster", "CorralReplication", "CorralScheduler", "CorralStore", "CorralModel", "CorralContainer",
                "CCorralLauncher",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            path: "Chaos/Harness",
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "corral-chaos",
            dependencies: ["CorralChaos", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Chaos/Command",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CorralTestSupport",
            dependencies: [
                "CorralModel", "CorralScheduler", "CorralContainer", "CorralSecurity", "CCorralLauncher",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            path: "Tests/CorralTestSupport",
            swiftSettings: swiftSettings),
        .target(name: "CPowerLossDouble", path: "Tests/CPowerLossDouble"),
        .testTarget(name: "CorralStoreTests", dependencies: ["CorralStore", "CorralContainer", "CorralTestSupport"], swiftSettings: swiftSettings),
        .testTarget(name: "CorralRaftTests", dependencies: ["CorralRaft", "CorralTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CorralModelTests",
            dependencies: ["CorralModel", "CorralProtobuf", .product(name: "SwiftProtobuf", package: "swift-protobuf")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CorralHistoryTests", dependencies: ["CorralHistory", "CorralTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CorralChaosTests",
            dependencies: ["CorralChaos", "CorralContainer", "CorralHistory", "CorralStore", "CorralTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorralSimulationTests",
            dependencies: ["CorralSimulation", "CorralClusterSimulation", "CorralRaft", "CorralTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorralReplicationTests",
            dependencies: [
                "CorralReplication", "CorralRaft", "CorralStore", "CorralTestSupport", "CorralSecurity",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorralMasterTests",
            dependencies: [
                "CorralMaster", "CorralReplication", "CorralRaft", "CorralModel", "CorralScheduler", "CorralSecurity", "CorralContainer",
                "CorralTestSupport", "CorralHistory", "CorralChaos", "CorralProtobuf", .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            exclude: ["PyMesos"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorralSchedulerTests",
            dependencies: [
                "CorralScheduler", "CorralModel", "CorralSecurity", "CorralTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorralAgentTests",
            dependencies: ["CorralAgent", "CorralModel", "CorralContainer", "CorralStore", "CorralSecurity", "CorralTestSupport"],
            exclude: ["MesosCLI"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorralSecurityTests",
            dependencies: [
                "CorralSecurity", "CorralTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorralRegistryTests",
            dependencies: [
                "CorralRegistry", "CorralContainer", "CorralTestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorralFuzzTests",
            dependencies: ["CorralFuzz", "CorralModel", "CorralMaster", "CorralAgent", "CorralTestSupport"],
            exclude: ["FuzzRegressions"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CorralContainerTests",
            dependencies: ["CorralContainer", "CorralTestSupport"],
            exclude: ["RegistryDouble"],
            swiftSettings: swiftSettings
        ),
    ]
)
