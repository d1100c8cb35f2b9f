// swift-tools-version: 6.2
import PackageDescription

// The core library holds the whole pipeline (scanning → formats → reassembly → store → export).
// Strict memory safety is on so that every `unsafe` operation is marked where it happens; the
// only such code lives in Sources/LGAnalyzeCore/Scanning (CI checks the fence).
let coreSettings: [SwiftSetting] = [
  .strictMemorySafety(),
  .treatWarning("StrictMemorySafety", as: .error),
]

let package = Package(
  name: "lganalyze",
  products: [
    .executable(name: "lganalyze", targets: ["lganalyze"]),
    .library(name: "LGAnalyzeCore", targets: ["LGAnalyzeCore"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
    .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
    .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.0"),
  ],
  targets: [
    .target(
      name: "LGAnalyzeCore",
      dependencies: [
        "CStoreTuning",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: coreSettings
    ),
    // Two calls Swift cannot make directly: SQLite's variadic sqlite3_config, and Linux's
    // sync_file_range, which Glibc's module map leaves out.
    .target(
      name: "CStoreTuning",
      linkerSettings: [.linkedLibrary("sqlite3")]
    ),
    .executableTarget(
      name: "lganalyze",
      dependencies: [
        "LGAnalyzeCore",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(
      name: "LGAnalyzeCoreTests",
      dependencies: ["LGAnalyzeCore", .product(name: "GRDB", package: "GRDB.swift")]
    ),
    .testTarget(
      name: "lganalyzeTests",
      dependencies: ["LGAnalyzeCore", "lganalyze"]
    ),
  ]
)
