import Foundation
import Numerics
import Problems

/// The deterministic side of Appendix A: the gradient flow (A.3), the covariance of the
/// normal-deviation limit (A.6), and Gaussian expectations of the test functions.
///
/// Z solves the linear SDE dZ = M(s) Z ds + S(Y(s)) dW, Z(0) = 0, whose law is Gaussian with
/// mean 0 and covariance P(s) solving the Lyapunov ODE
///
///     P' = M P + P Mᵀ + Σ(Y),   M(s) = −∇²F(Y(s)),   P(0) = 0.
///
/// The paper says only that M is "a bounded d×d matrix function"; −∇²F(Y) is what linearising
/// −∇F(x) around Y gives, and the study checks it against SGD. (A.7) drops M Z, which would
/// make the covariance ∫₀ˢ Σ(Y) du instead; that is integrated beside P for comparison.
public enum NormalDeviationsTheory {
    /// Y, P and the (A.7) covariance at one time.
    public struct FlowPoint<State: StateVector>: Sendable where State.Scalar == Double {
        public var y: State
        public var covariance: SquareMatrix<State>
        public var driftless: SquareMatrix<State>
    }

    /// Y' = −∇F(Y), P' = M P + P Mᵀ + Σ(Y), Q' = Σ(Y) by classical RK4 with `substeps` steps per
    /// interval between consecutive `times` (ascending, from s = 0); the error is O(h⁴).
    public static func lyapunov<P: StochasticGradientProblem>(_ problem: P, from x0: P.State, times: [Double],
                                                             maximumStep: Double = 1e-3) -> [FlowPoint<P.State>] {
        typealias M = SquareMatrix<P.State>
        func field(_ y: P.State, _ p: M) -> (P.State, M, M) {
            let m = -1 * problem.hessian(at: y)
            let sigma = problem.noiseCovariance(at: y, step: 0)
            return (-1 * problem.gradient(at: y), m * p + p * m.transposed + sigma, sigma)
        }
        var y = x0, p = M(), q = M()
        var s = 0.0
        var out: [FlowPoint<P.State>] = []
        for t in times {
            let n = max(1, Int(((t - s) / maximumStep).rounded(.up)))
            let h = (t - s) / Double(n)
            for _ in 0..<n {
                let (y1, p1, q1) = field(y, p)
                let (y2, p2, q2) = field(y + (h / 2) * y1, p + (h / 2) * p1)
                let (y3, p3, q3) = field(y + (h / 2) * y2, p + (h / 2) * p2)
                let (y4, p4, q4) = field(y + h * y3, p + h * p3)
                y = y + (h / 6) * (y1 + 2 * y2 + 2 * y3 + y4)
                p = p + (h / 6) * (p1 + 2 * p2 + 2 * p3 + p4)
                q = q + (h / 6) * (q1 + 2 * q2 + 2 * q3 + q4)
            }
            s = t
            out.append(FlowPoint(y: y, covariance: 0.5 * (p + p.transposed), driftless: 0.5 * (q + q.transposed)))
        }
        return out
    }

    /// Y(kη) for k = 0…steps, by RK4 with at least `substeps` steps per SGD step and h ≤ 1e-3.
    public static func flow<P: Objective>(_ objective: P, from x0: P.State, eta: Double, steps: Int) -> [P.State] {
        let r = max(4, Int((eta / 1e-3).rounded(.up)))
        let h = eta / Double(r)
        var y = x0
        var out = [y]
        out.reserveCapacity(steps + 1)
        for _ in 0..<steps {
            for _ in 0..<r {
                let k1 = -1 * objective.gradient(at: y)
                let k2 = -1 * objective.gradient(at: y + (h / 2) * k1)
                let k3 = -1 * objective.gradient(at: y + (h / 2) * k2)
                let k4 = -1 * objective.gradient(at: y + h * k3)
                y = y + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4)
            }
            out.append(y)
        }
        return out
    }

    /// The exact covariance of the linearised SGD path z_{k+1} = (I − η∇²F(Y_k)) z_k + √η S(Y_k) ξ_k,
    /// z_0 = 0 (the control variate of the study), after each step k = 1…(flow.count − 1):
    /// P_{k+1} = A_k P_k A_kᵀ + η Σ(Y_k). Its distance from P(kη) is the O(η) Euler bias of the
    /// Lyapunov ODE, known exactly, so only SGD's departure from it is left to Monte Carlo.
    public static func discreteLyapunov<P: StochasticGradientProblem>(_ problem: P, flow: [P.State], eta: Double) -> [SquareMatrix<P.State>] {
        var p = SquareMatrix<P.State>()
        var out = [p]
        for y in flow.dropLast() {
            let a = SquareMatrix<P.State>.identity - eta * problem.hessian(at: y)
            p = a * p * a.transposed + eta * problem.noiseCovariance(at: y, step: 0)
            out.append(0.5 * (p + p.transposed))
        }
        return out
    }

    /// max_k |x_k − Y(kη)| for gradient descent x_{k+1} = x_k − η∇F(x_k) (SGD without noise):
    /// the O(η) part of (A.4), beside the O(√η) that the noise adds.
    public static func gradientDescentSupError<P: Objective>(_ objective: P, flow: [P.State], eta: Double) -> Double {
        var x = flow[0]
        var worst = 0.0
        for y in flow.dropFirst() {
            x = x - eta * objective.gradient(at: x)
            worst = max(worst, (x - y).squaredNorm.squareRoot())
        }
        return worst
    }

    /// E φ(X) for X ~ N(m, C) in closed form: x₁ → m₁; |x|² → |m|² + tr C;
    /// cos x₁ → cos m₁ e^{−C₁₁/2}; exp(−|x|²/2) → det(I + C)^{−1/2} exp(−½ mᵀ(I + C)⁻¹m).
    public static func gaussianExpectation<V: StateVector>(_ phi: TestFunction, mean m: V, covariance c: SquareMatrix<V>) -> Double
        where V.Scalar == Double {
        switch phi {
        case .x: return m.component(0)
        case .square: return m.squaredNorm + c.trace
        case .cos: return Foundation.cos(m.component(0)) * exp(-0.5 * c[0, 0])
        case .gauss:
            guard let eigen = try? SymmetricEigen(c.matrix) else { return .nan }
            var logDet = 0.0, quadratic = 0.0
            let mv = m.components
            for k in eigen.values.indices {
                let lambda = max(0, eigen.values[k])
                logDet += log1p(lambda)
                let v = eigen.vector(k)
                var proj = 0.0
                for i in mv.indices { proj += v[i] * mv[i] }
                quadratic += proj * proj / (1 + lambda)
            }
            return exp(-0.5 * logDet - 0.5 * quadratic)
        }
    }
}
