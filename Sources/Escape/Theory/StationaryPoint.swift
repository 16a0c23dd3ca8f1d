import Foundation
import Numerics
import Problems

/// A stationary point of F and its type from the Hessian's eigen-decomposition (paper §2,
/// Definition 1; §4.2's γ_i = eigenvalues of -H).
public struct StationaryPoint: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case minimum, saddle, maximum }

    public var point: [Double]
    public var gradientNorm: Double
    /// Hessian eigenvalues, ascending.
    public var eigenvalues: [Double]
    /// Unit eigenvectors (eigenvectors[k] belongs to eigenvalues[k]).
    public var eigenvectors: [[Double]]
    public var kind: Kind
    public var value: Double

    /// γ₁ = -λ_min, the fastest unstable rate (positive at saddles and maxima).
    public var gamma1: Double { -eigenvalues[0] }
    /// The unstable eigendirection v₁ (eigenvector of the smallest Hessian eigenvalue).
    public var unstableDirection: [Double] { eigenvectors[0] }
    public var hessianDeterminant: Double { eigenvalues.reduce(1, *) }

    public enum Failure: Error, CustomStringConvertible, Equatable {
        case notStationary(point: [Double], gradientNorm: Double, eigenvalues: [Double])
        case degenerate(point: [Double], eigenvalues: [Double])
        case wrongKind(point: [Double], expected: String, found: String, eigenvalues: [Double])

        public var description: String {
            switch self {
            case .notStationary(let p, let g, let e):
                return "\(p) is not a stationary point: |∇F| = \(g) (Hessian eigenvalues \(e))"
            case .degenerate(let p, let e):
                return "the stationary point \(p) is degenerate: Hessian eigenvalues \(e) include one within 1e-8 of 0"
            case .wrongKind(let p, let expected, let found, let e):
                return "\(p) is a \(found), not a \(expected) (Hessian eigenvalues \(e))"
            }
        }
    }

    /// Analyses x as a stationary point of the problem's F: |∇F(x)| must be below
    /// `tolerance` (1 + |F(x)|) and every Hessian eigenvalue at least 1e-8 away from zero.
    public init<P: StochasticGradientProblem>(_ problem: P, at x: P.State, tolerance: Double = 1e-8) throws {
        try self.init(point: x.components, gradientNorm: problem.gradient(at: x).squaredNorm.squareRoot(), value: problem.value(at: x),
                      hessian: problem.hessian(at: x).matrix, tolerance: tolerance)
    }

    /// The same from x's |∇F(x)|, F(x) and Hessian, for a problem of any dimension.
    public init(point x: [Double], gradientNorm g: Double, value: Double, hessian: Matrix<Double>, tolerance: Double = 1e-8) throws {
        let eig = try SymmetricEigen(hessian, symmetryTolerance: 1e-6)
        point = x
        gradientNorm = g
        eigenvalues = eig.values
        eigenvectors = (0..<eig.values.count).map { eig.vector($0) }
        self.value = value
        guard g <= tolerance * (1 + abs(value)) else {
            throw Failure.notStationary(point: point, gradientNorm: g, eigenvalues: eig.values)
        }
        guard eig.values.allSatisfy({ abs($0) > 1e-8 }) else { throw Failure.degenerate(point: point, eigenvalues: eig.values) }
        if eig.values.allSatisfy({ $0 > 0 }) {
            kind = .minimum
        } else if eig.values.allSatisfy({ $0 < 0 }) {
            kind = .maximum
        } else {
            kind = .saddle
        }
    }

    public func require(_ expected: Kind...) throws {
        guard expected.contains(kind) else {
            throw Failure.wrongKind(point: point, expected: expected.map(\.rawValue).joined(separator: " or "), found: kind.rawValue,
                                    eigenvalues: eigenvalues)
        }
    }
}
