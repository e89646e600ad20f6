// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Prensa",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "prensa", targets: ["prensa"]),
        .library(name: "Markdown", targets: ["Markdown"]),
        .library(name: "Site", targets: ["Site"]),
        .library(name: "Simulation", targets: ["Simulation"]),
        .library(name: "Diagram", targets: ["Diagram"]),
        .library(name: "Figures", targets: ["Figures"]),
        // What ```swift sim blocks import, and the entry point of the package Prensa generates for them.
        .library(name: "FigureKit", targets: ["FigureKit"]),
        .library(name: "BlockRunner", targets: ["BlockRunner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CCmarkGFM",
            pkgConfig: "libcmark-gfm",
            providers: [.apt(["libcmark-gfm-dev", "libcmark-gfm-extensions-dev"])]
        ),
        .target(name: "CSystemShims"),
        // Diagnostics, the located YAML reader and JSON output, shared by Site and Figures.
        .target(name: "Support", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Markdown", dependencies: ["CCmarkGFM", "CSystemShims"]),
        // Pure models of OS mechanisms: Swift standard library only. (The optimizer turns rounding
        // into libm calls, which a program without Foundation must link itself.)
        .target(name: "Simulation", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        // SVG vocabulary and chart layouts: Swift standard library only.
        .target(name: "Diagram", linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]),
        // The API of ```swift sim blocks: a Figure built from Simulation and Diagram. Standard library only.
        .target(name: "FigureKit", dependencies: ["Simulation", "Diagram"]),
        // Runs one compiled block in its sandbox and prints its figure as JSON (the generated package's main).
        .target(name: "BlockRunner", dependencies: ["FigureKit", "CSystemShims"]),
        // One figure kind = spec parser + simulation + layout; the registry.
        .target(name: "Figures", dependencies: ["Simulation", "Diagram", "Support"]),
        // Logic-less Mustache templates rendered over typed contexts: standard library only.
        .target(name: "Templating"),
        .target(
            name: "Site",
            dependencies: [
                "Markdown",
                "Support",
                "Figures",
                "BlockRunner",
                "CSystemShims",
                "Templating",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // `prensa serve`: the live-reload development server, a library so tests can run it in-process.
        .target(name: "DevServer", dependencies: ["Site", .product(name: "FlyingFox", package: "FlyingFox")]),
        .executableTarget(
            name: "prensa",
            dependencies: [
                "Site",
                "DevServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "MarkdownTests", dependencies: ["Markdown"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation"]),
        .testTarget(name: "DiagramTests", dependencies: ["Diagram"]),
        .testTarget(name: "FigureKitTests", dependencies: ["FigureKit", "BlockRunner"]),
        .testTarget(
            name: "FiguresTests", dependencies: ["Figures", "Diagram", "Support"], exclude: ["Specs", "Golden"]),
        .testTarget(
            name: "SiteTests",
            dependencies: ["Site", "Figures", "Diagram"],
            exclude: ["Golden", "Fixtures"]
        ),
        .testTarget(name: "TemplatingTests", dependencies: ["Templating"]),
        .testTarget(name: "DevServerTests", dependencies: ["DevServer", "Site"]),
    ]
)

// libFuzzer targets (Fuzz/), only when PRENSA_FUZZ=1: `scripts/fuzz.sh` builds them with
// `-sanitize=fuzzer,address` into .build-fuzz. Plain `swift build` and `swift test` never see them.
if Context.environment["PRENSA_FUZZ"] == "1" {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzFrontMatter", ["Site"]),
        ("FuzzSiteConfig", ["Site"]),
        ("FuzzMarkdown", ["Site"]),
        ("FuzzScheduler", ["Figures"]),
        ("FuzzPageWalk", ["Figures"]),
        ("FuzzReplacement", ["Figures"]),
        ("FuzzPacketPath", ["Figures"]),
        ("FuzzRequestPath", ["DevServer"]),
    ]
    package.targets.append(.target(name: "CFuzzDriver", path: "Fuzz/CFuzzDriver"))
    package.targets.append(
        .target(name: "FuzzSupport", dependencies: ["Support", "Figures", "CFuzzDriver"], path: "Fuzz/Support"))
    for target in fuzzTargets {
        package.targets.append(
            .executableTarget(
                name: target.name, dependencies: target.dependencies + ["FuzzSupport", "Support"],
                path: "Fuzz/Targets/\(target.name)"))
    }
}
