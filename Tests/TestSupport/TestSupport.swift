import Foundation
import Numerics

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
