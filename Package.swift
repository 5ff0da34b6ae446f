// swift-tools-version: 6.0
import PackageDescription

// The domain lives in pure library targets (no NIO, HTTP or database imports):
//   FacteurXML        — safe libxml2 parsing, a compact read-only tree, XSD checks, an XPath 2.0 subset
//   InvoiceModel      — EN 16931 semantic model and its arithmetic (Decimal only)
//   InvoiceFormats    — CII D16B (Factur-X profiles) and UBL 2.1: reading, writing, conversion
//   InvoiceValidation — XSD + EN 16931 rules (CII and UBL bindings) + Factur-X profile rules + French rules
//   PDF               — a PDF reader (objects, cross-references, filters, attachments, text) and a PDF/A-3 writer
//   FacturX           — invoices as Factur-X PDFs: the printed layout, the PDF/A-3 container, reading one back
// The platform (web app, API, storage, background services) is `Platform`; it alone knows HTTP and SQL.
// and one executable, `facteur`.
let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Facteur",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "facteur", targets: ["facteur"]),
        .library(name: "InvoiceModel", targets: ["InvoiceModel"]),
        .library(name: "InvoiceFormats", targets: ["InvoiceFormats"]),
        .library(name: "InvoiceValidation", targets: ["InvoiceValidation"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.0.0"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.30.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.0"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.29.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibXML2", path: "Sources/CLibXML2", pkgConfig: "libxml-2.0",
                       providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "FacteurXML", dependencies: ["CLibXML2"], swiftSettings: strict),
        .target(name: "PDF", dependencies: ["CZlib", "FacteurXML"], swiftSettings: strict),
        .target(name: "InvoiceModel", swiftSettings: strict),
        .target(name: "FacturX", dependencies: ["PDF", "InvoiceModel", "InvoiceFormats"],
                resources: [.copy("Resources")], swiftSettings: strict),
        .target(name: "InvoiceFormats", dependencies: ["InvoiceModel", "FacteurXML"], swiftSettings: strict),
        .target(name: "InvoiceValidation", dependencies: ["InvoiceModel", "InvoiceFormats", "FacteurXML"],
                resources: [.copy("Resources/artefacts"), .copy("Resources/messages")], swiftSettings: strict),
        // The platform: web app, JSON API, storage (SQLite or PostgreSQL through one SQL), services.
        .target(name: "Platform", dependencies: [
            "InvoiceModel", "InvoiceFormats", "InvoiceValidation", "FacturX",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "SQLKit", package: "sql-kit"),
            .product(name: "SQLiteKit", package: "sqlite-kit"),
            .product(name: "PostgresKit", package: "postgres-kit"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
            .product(name: "Mustache", package: "swift-mustache"),
            // The SMTP client speaks over NIO directly (STARTTLS through NIOSSL).
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], exclude: ["Web/README.md"], resources: [.copy("Resources")], swiftSettings: strict),
        .executableTarget(name: "facteur", dependencies: [
            "InvoiceModel", "InvoiceFormats", "InvoiceValidation", "PDF", "FacturX", "Platform",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .executableTarget(name: "facteur-bench", dependencies: ["InvoiceValidation", "FacteurXML"], path: "Benchmarks/facteur-bench",
                          swiftSettings: strict),
        .executableTarget(name: "facteur-bench-platform", dependencies: [
            "Platform", "InvoiceModel", "FacturX", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "SQLKit", package: "sql-kit"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Benchmarks/facteur-bench-platform", swiftSettings: strict),
        .executableTarget(name: "facteur-bench-pdf", dependencies: ["PDF", "FacturX", "InvoiceFormats"],
                          path: "Benchmarks/facteur-bench-pdf", swiftSettings: strict),
        .testTarget(name: "PDFTests", dependencies: ["PDF"], swiftSettings: strict),
        .testTarget(name: "FacturXTests", dependencies: ["FacturX", "InvoiceValidation"], swiftSettings: strict),
        .testTarget(name: "PlatformTests", dependencies: [
            "Platform", .product(name: "HummingbirdTesting", package: "hummingbird"),
        ], swiftSettings: strict),
        .testTarget(name: "FacteurXMLTests", dependencies: ["FacteurXML"], swiftSettings: strict),
        .testTarget(name: "InvoiceModelTests", dependencies: ["InvoiceModel"], swiftSettings: strict),
        .testTarget(name: "InvoiceFormatsTests", dependencies: ["InvoiceFormats", "InvoiceValidation"], swiftSettings: strict),
        .testTarget(name: "InvoiceValidationTests", dependencies: ["InvoiceValidation"], swiftSettings: strict),
        .testTarget(name: "FacteurCLITests", dependencies: ["facteur"], swiftSettings: strict),
    ]
)
