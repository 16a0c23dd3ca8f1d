import Foundation

/// Exact moments for the quadratic F(x) = a x²/2 with multiplicative noise ε = σ ζ x
/// (f(x; g) = ½(1 + g) a... with var ε = σ² x²), any zero-mean unit-variance ζ:
///
///     SGD:    x_{k+1} = (1 - ηa) x_k - η σ ζ_k x_k
///             E x_K = (1 - ηa)^K x₀,   E x_K² = ((1 - ηa)² + η²σ²)^K x₀²
///     SME-1:  dX = -aX ds + √η σ X dB          E X(T) = e^{-aT} x₀,  E X(T)² = e^{(-2a + ησ²)T} x₀²
///     SME-2:  dX = -a(1 + ηa/2) X ds + √η σ X dB   (drift -F' - (η/2)F''F')
///
/// Expanding ((1 - ηa)² + η²σ²)^{T/η} = exp(T(-2a + η(σ² - a²) + O(η²))) shows SME-2 matches to
/// O(η²) and SME-1 only to O(η), Theorem 1's orders.
enum QuadraticClosedForm {
    static func values(phi: TestFunction, x0: Double, curvature a: Double, sigma: Double, eta: Double, steps: Int)
    -> WeakErrorRow.ExactValues? {
        let t = Double(steps) * eta
        let a2 = a * (1 + eta * a / 2)
        switch phi {
        case .x:
            return .init(sgd: x0 * pow(1 - eta * a, Double(steps)), sme1: x0 * exp(-a * t), sme2: x0 * exp(-a2 * t))
        case .square:
            let g = (1 - eta * a) * (1 - eta * a) + eta * eta * sigma * sigma
            return .init(sgd: x0 * x0 * pow(g, Double(steps)),
                         sme1: x0 * x0 * exp((-2 * a + eta * sigma * sigma) * t),
                         sme2: x0 * x0 * exp((-2 * a2 + eta * sigma * sigma) * t))
        case .cos, .gauss:
            return nil
        }
    }
}
