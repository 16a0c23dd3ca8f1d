import Foundation
import Numerics
import Problems

extension StationaryPoint {
    public enum SearchFailure: Error, CustomStringConvertible, Equatable {
        case notFound(start: [Double], reached: [Double], gradientNorm: Double)
        case singular(point: [Double], eigenvalues: [Double])

        public var description: String {
            switch self {
            case .notFound(let start, let reached, let g):
                return "Newton's method from \(start) found no stationary point: it stopped at \(reached) with |∇F| = \(g); start nearer one"
            case .singular(let p, let e):
                return "Newton's method from near \(p) met a singular Hessian (eigenvalues \(e)); start elsewhere"
            }
        }
    }

    /// The stationary point Newton's method reaches from `start`, to |∇F| ≤ 1e-12 (1 + |F|).
    ///
    /// A point a user types (or an SGD run ends at) is a stationary point only to a few digits,
    /// while the escape theory is about the exact one; Newton's step −H⁻¹∇F, taken in the
    /// Hessian's eigenbasis, goes to the nearest stationary point of *any* kind (a minimiser
    /// or a saddle), which is what both escape studies need. Steps are halved until |∇F|
    /// decreases, so a start outside the quadratic region still converges.
    public static func locate<P: StochasticGradientProblem>(_ problem: P, near start: P.State, maxIterations: Int = 200) throws -> P.State {
        var x = start
        var g = problem.gradient(at: x)
        for _ in 0..<maxIterations {
            let norm = g.squaredNorm.squareRoot()
            guard norm.isFinite else { break }
            if norm <= 1e-12 * (1 + abs(problem.value(at: x))) { return x }
            let eig = try SymmetricEigen(problem.hessian(at: x).matrix, symmetryTolerance: 1e-6)
            guard let smallest = eig.values.map(abs).min(), smallest > 1e-14 * max(1, eig.values.map(abs).max() ?? 1) else {
                throw SearchFailure.singular(point: x.components, eigenvalues: eig.values)
            }
            var step = P.State.zero
            for k in 0..<eig.values.count {
                let v = P.State(components: eig.vector(k))
                step = step - (v.dot(g) / eig.values[k]) * v
            }
            var scale = 1.0
            var next = x + step, nextG = problem.gradient(at: next)
            while !(nextG.squaredNorm.squareRoot() < norm), scale > 1e-9 {
                scale /= 2
                next = x + scale * step
                nextG = problem.gradient(at: next)
            }
            guard scale > 1e-9 else { break }
            (x, g) = (next, nextG)
        }
        throw SearchFailure.notFound(start: start.components, reached: x.components, gradientNorm: g.squaredNorm.squareRoot())
    }
}

extension StationaryPoint {
    /// `locate` for a problem of any dimension given by its value, gradient and Hessian
    /// (the same Newton steps in the eigenbasis, halved until |∇F| decreases).
    public static func locate(near start: [Double], value: ([Double]) -> Double, gradient: ([Double]) -> [Double],
                              hessian: ([Double]) -> Matrix<Double>, maxIterations: Int = 200) throws -> [Double] {
        func norm(_ v: [Double]) -> Double { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        var x = start
        var g = gradient(x)
        for _ in 0..<maxIterations {
            let size = norm(g)
            guard size.isFinite else { break }
            if size <= 1e-12 * (1 + abs(value(x))) { return x }
            // a start far out (1e300) gives a Hessian of inf/NaN: that is "no stationary point from here"
            guard let eig = try? SymmetricEigen(hessian(x), symmetryTolerance: 1e-6) else { break }
            guard let smallest = eig.values.map(abs).min(), smallest > 1e-14 * max(1, eig.values.map(abs).max() ?? 1) else {
                throw SearchFailure.singular(point: x, eigenvalues: eig.values)
            }
            var step = [Double](repeating: 0, count: x.count)
            for k in 0..<eig.values.count {
                let v = eig.vector(k)
                let c = zip(v, g).reduce(0) { $0 + $1.0 * $1.1 } / eig.values[k]
                for j in 0..<x.count { step[j] -= c * v[j] }
            }
            var scale = 1.0
            var next = zip(x, step).map { $0 + $1 }, nextG = gradient(next)
            while !(norm(nextG) < size), scale > 1e-9 {
                scale /= 2
                next = zip(x, step).map { $0 + scale * $1 }
                nextG = gradient(next)
            }
            guard scale > 1e-9 else { break }
            (x, g) = (next, nextG)
        }
        throw SearchFailure.notFound(start: start, reached: x, gradientNorm: norm(g))
    }
}
