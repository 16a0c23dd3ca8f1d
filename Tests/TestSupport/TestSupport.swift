import Foundation
import Numerics
import NeuralNets

/// |a - b| <= absolute + relative * max(|a|, |b|).
public func isClose(_ a: Double, _ b: Double, relative: Double = 1e-12, absolute: Double = 0) -> Bool {
    abs(a - b) <= absolute + relative * max(abs(a), abs(b))
}

/// Distance in units in the last place between two doubles of the same sign.
public func ulpDistance(_ a: Double, _ b: Double) -> Double {
    if a == b { return 0 }
    return abs(a - b) / max(a.ulp, b.ulp)
}

/// The two-sided z value for a tolerance "k standard errors": tests use k = 5, so a correct
/// implementation fails a given check with probability 5.7e-7 (the seeds are fixed, so a
/// passing check passes forever; a bug has to move the estimate by five standard errors).
public let monteCarloZ = 5.0

/// Fitted exponent p in err ≈ C h^p by least squares on log-log points.
public func fittedOrder(steps: [Double], errors: [Double]) -> Double {
    let x = steps.map(log), y = errors.map(log)
    let n = Double(x.count)
    let xm = x.reduce(0, +) / n, ym = y.reduce(0, +) / n
    var sxx = 0.0, sxy = 0.0
    for i in x.indices {
        sxx += (x[i] - xm) * (x[i] - xm)
        sxy += (x[i] - xm) * (y[i] - ym)
    }
    return sxy / sxx
}

/// A temporary directory removed when the returned handle is released.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    public init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("sgdiff-test-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// A small learnable stand-in for MNIST: class c lights up pixels [40c, 40c + 40) plus uniform
/// noise; labels cycle through the classes.
public func syntheticMNIST(train: Int = 512, test: Int = 200, seed: UInt64 = 3) -> MNIST {
    var state = seed
    func uniform() -> Float { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return Float(state >> 40) / Float(1 << 24) }
    func make(_ n: Int) -> ([Float], [UInt8]) {
        var images = [Float](), labels = [UInt8]()
        for i in 0..<n {
            let c = (i * 7 + Int(seed)) % 10
            labels.append(UInt8(c))
            for p in 0..<784 { images.append((p / 40 == c ? 1.5 : 0) + uniform() - 0.5) }
        }
        return (images, labels)
    }
    let (a, b) = make(train), (c, d) = make(test)
    return try! MNIST(trainImages: a, trainLabels: b, testImages: c, testLabels: d)
}

/// Writes a synthetic data set as the four uncompressed IDX files MNIST.load accepts, pixels as
/// bytes: class c's block of pixels is bright.
public func writeSyntheticMNISTFiles(to directory: URL, train: Int, test: Int) throws {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    func header(_ dims: [Int]) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, 8, UInt8(dims.count)]
        for d in dims { bytes += [UInt8((d >> 24) & 0xff), UInt8((d >> 16) & 0xff), UInt8((d >> 8) & 0xff), UInt8(d & 0xff)] }
        return bytes
    }
    for (prefix, n) in [("train", train), ("t10k", test)] {
        var images = header([n, 28, 28]), labels = header([n])
        for i in 0..<n {
            let c = (i * 7 + 3) % 10
            labels.append(UInt8(c))
            for p in 0..<784 { images.append(UInt8(p / 40 == c ? 200 : (p * 31 + i * 17) % 90)) }
        }
        try Data(images).write(to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
        try Data(labels).write(to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
    }
}

/// An executable product of this package, built beside the test bundle (`swift test` puts the
/// products and the bundle in one folder; the bundle itself may sit a few folders further in).
public func builtProduct(_ name: String) -> URL {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent(name)
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: ".build/release/\(name)")
}
