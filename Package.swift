// swift-tools-version:6.1
//
// sgd-diffusion: SGD and its diffusion approximation, simulated at scale, with the theory of
// Hu, Li, Li & Liu (arXiv:1705.07562) checked beside every measurement.
//
// Build flags (documented here because they change numbers you will measure):
//   -target-cpu $SGDIFF_TARGET_CPU (default "native")
//       The path-parallel kernels are written with SIMD types; without a target CPU the compiler
//       lowers them to SSE2 and the ensemble engine runs 3-4x slower. Set SGDIFF_TARGET_CPU to a
//       baseline such as "x86-64-v3" to build a binary that runs on other machines, or to "" to
//       leave the compiler default.
//   -Xcc -fno-math-errno
//       Lets `squareRoot()` on SIMD vectors become one vector instruction instead of a per-lane
//       libm call kept for errno's sake (measured 2x on the normal generator).
import PackageDescription
import Foundation

let targetCPU = ProcessInfo.processInfo.environment["SGDIFF_TARGET_CPU"] ?? "native"
let fastMath: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-fno-math-errno"] + (targetCPU.isEmpty ? [] : ["-target-cpu", targetCPU]))]

let package = Package(
    name: "sgd-diffusion",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sgdiff", targets: ["sgdiff"]),
        .library(name: "SGDDiffusion", targets: ["SGDDiffusion"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Datasets: CSV.swift streams a file record by record, so every record can be tied to its line
        // as it is read; SwiftCSV loads the whole text and walks it Character by Character (grapheme
        // clusters), with no line positions. (Not measured against each other.)
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
        // Datasets: .npz files are zip archives (stored or deflated members).
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // MARK: - Implementation details
        // Not named CZlib: ZIPFoundation's own zlib module map on Linux is `module CZlib`, and two clang
        // modules of one name in a build are an error.
        .systemLibrary(name: "CZlibShim", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(
            name: "CLinearAlgebra",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),

        // MARK: - Public API
        .target(name: "Numerics", dependencies: ["CLinearAlgebra"], swiftSettings: fastMath),
        // Philox + Box–Muller fills compiled for baseline, AVX2 and AVX-512 and chosen at run time;
        // no FMA contraction, so every level writes the same bits (RandomnessTests compare them).
        .target(name: "CRandomKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-Wno-psabi"])]),
        .target(name: "Randomness", dependencies: ["CRandomKernels"], swiftSettings: fastMath),
        // The fused weighted gradient of one-output linear models (SME-1 of least squares and
        // logistic regression): explicit FMAs only, so every level writes the same bits.
        .target(name: "CFiniteSumKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off", "-Wno-psabi"])]),
        .target(name: "Problems", dependencies: ["Numerics", "Randomness"], swiftSettings: fastMath),
        .target(name: "Dynamics", dependencies: ["Problems", "Numerics", "Randomness"], swiftSettings: fastMath),
        .target(name: "FiniteSums", dependencies: ["CFiniteSumKernels", "Dynamics", "Problems", "Numerics", "Randomness"], swiftSettings: fastMath),
        .target(name: "Ensembles", dependencies: ["Dynamics", "Numerics", "Randomness", "Persistence"], swiftSettings: fastMath),
        .target(name: "Escape", dependencies: ["Ensembles", "Dynamics", "Problems", "Numerics", "Randomness"], swiftSettings: fastMath),
        .target(name: "NeuralNets", dependencies: ["Numerics", "Randomness", "Problems", "Persistence", "CZlibShim"], swiftSettings: fastMath),
        .target(name: "Persistence", swiftSettings: fastMath),
        .target(
            name: "Datasets",
            dependencies: ["Randomness", .product(name: "CSV", package: "CSV.swift"), .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: fastMath
        ),
        .target(name: "Report", dependencies: ["Persistence"], swiftSettings: fastMath),
        .target(name: "Experiments", dependencies: ["FiniteSums", "Datasets", "Ensembles", "Escape", "NeuralNets", "Dynamics", "Problems", "Numerics", "Randomness", "Persistence", "Report"], swiftSettings: fastMath),
        .target(name: "SGDDiffusion", dependencies: ["FiniteSums", "Numerics", "Randomness", "Problems", "Dynamics", "Ensembles", "Escape", "NeuralNets", "Experiments", "Persistence", "Report", "Datasets"], swiftSettings: fastMath),
        .executableTarget(name: "sgdiff", dependencies: ["SGDDiffusion", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: fastMath),

        // MARK: - Examples (built and run by the test suite)
        .executableTarget(name: "CustomProblem", dependencies: ["SGDDiffusion"], path: "Examples/CustomProblem", swiftSettings: fastMath),

        // MARK: - Unit test bundles
        .target(name: "TestSupport", dependencies: ["Numerics", "NeuralNets", "Ensembles"], path: "Tests/TestSupport", swiftSettings: fastMath),
        .testTarget(name: "NumericsTests", dependencies: ["Numerics", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness", "Numerics", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "ProblemsTests", dependencies: ["Problems", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "DynamicsTests", dependencies: ["Dynamics", "Ensembles", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "FiniteSumsTests", dependencies: ["FiniteSums", "CFiniteSumKernels", "Dynamics", "Numerics", "Randomness", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "EnsemblesTests", dependencies: ["Ensembles", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "EscapeTests", dependencies: ["Escape", "Experiments", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "NeuralNetsTests", dependencies: ["NeuralNets", "Randomness", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "NeuralNets", "Report", "Ensembles", "Dynamics", "Problems", "Persistence", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", .product(name: "ZIPFoundation", package: "ZIPFoundation")], exclude: ["Fixtures"], swiftSettings: fastMath),
        .testTarget(name: "ReportTests", dependencies: ["Report", "TestSupport"], swiftSettings: fastMath),
        .testTarget(name: "CLITests", dependencies: ["sgdiff", "CustomProblem", "TestSupport"], exclude: ["Snapshots"], swiftSettings: fastMath),
    ],
    swiftLanguageModes: [.v6]
)
