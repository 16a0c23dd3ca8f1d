import Numerics
import Problems

/// Platen's explicit order 2.0 weak scheme for Itô SDEs with multi-dimensional, non-commutative
/// noise (Kloeden & Platen, *Numerical Solution of SDEs*, 1992, eq. (15.1.3)). Derivative-free.
///
///     Ῡ    = x + a Δ + Σ_j b^j ΔW^j,   R^j± = x + a Δ ± b^j √Δ,   U^r± = x ± b^r √Δ
///     x'   = x + ½ (a(Ῡ) + a) Δ
///          + ¼ Σ_j [ (b^j(R^j+) + b^j(R^j-) + 2 b^j) ΔW^j + Σ_{r≠j} (b^j(U^r+) + b^j(U^r-) - 2 b^j) ΔW^j ]
///          + ¼ Σ_j [ (b^j(R^j+) - b^j(R^j-)) ((ΔW^j)² - Δ) + Σ_{r≠j} (b^j(U^r+) - b^j(U^r-)) (ΔW^j ΔW^r + V_{r,j}) ] / √Δ
///
/// with V_{r,j} = ±Δ equiprobable for r < j and V_{j,r} = -V_{r,j}: the weak stand-in for the
/// Lévy areas. ΔW is Gaussian here (the scheme also allows three-point variables), so an SGD
/// path can share it. A Taylor expansion reproduces the order-2 weak Itô–Taylor scheme
/// (KP (14.2.6)); the weak order 2 is checked numerically in `DynamicsTests`.
///
/// Work per step: 2 drift and 4d + 1 diffusion evaluations in general; 2 drift evaluations for
/// additive noise (the scheme is then Heun's method plus S ΔW) and 2 drift + 3 diagonal
/// evaluations for diagonal noise whose entries S_jj depend on x_j alone (the U terms vanish).
public struct PlatenWeak2: SDEStepper {
    public static var weakOrder: Int { 2 }
    public static var name: String { "platen-weak2" }
    public init() {}

    @inlinable
    public func step<P: DiffusionProcess>(_ process: P, from x: P.State, time t: Double, dt: P.State.Scalar,
                                          dW: P.State, auxiliaryBits: UInt64) -> P.State {
        typealias V = P.State
        let a = process.drift(at: x, time: t)
        let predictor = x + dt * a
        switch process.noiseStructure {
        case .additive:
            let noise = process.applyDiffusion(at: x, time: t, dW)
            let aBar = process.drift(at: predictor + noise, time: t + Double(dt))
            return x + (dt / 2) * (a + aBar) + noise
        case .diagonal:
            let sqrtDt = dt.squareRoot()
            let s = process.diffusion(at: x, time: t).diagonalEntries
            let aBar = process.drift(at: predictor + s * dW, time: t + Double(dt))
            let sPlus = process.diffusion(at: predictor + sqrtDt * s, time: t).diagonalEntries
            let sMinus = process.diffusion(at: predictor - sqrtDt * s, time: t).diagonalEntries
            let quarter: V.Scalar = 0.25
            let linear = quarter * ((sPlus + sMinus + 2 * s) * dW)
            let square = dW * dW - V(repeating: dt)
            let milstein = (quarter / sqrtDt) * ((sPlus - sMinus) * square)
            return x + (dt / 2) * (a + aBar) + linear + milstein
        case .general:
            return generalStep(process, from: x, time: t, dt: dt, dW: dW, auxiliaryBits: auxiliaryBits, drift: a)
        }
    }

    @inlinable
    func generalStep<P: DiffusionProcess>(_ process: P, from x: P.State, time t: Double, dt: P.State.Scalar,
                                          dW: P.State, auxiliaryBits: UInt64, drift a: P.State) -> P.State {
        typealias V = P.State
        let d = V.dimension
        let sqrtDt = dt.squareRoot()
        let quarter: V.Scalar = 0.25
        let s = process.diffusion(at: x, time: t)
        let predictor = x + dt * a
        let aBar = process.drift(at: predictor + s * dW, time: t + Double(dt))
        var result = x + (dt / 2) * (a + aBar)
        for j in 0..<d {
            let bj = s[column: j]
            let bPlus = process.diffusion(at: predictor + sqrtDt * bj, time: t)[column: j]
            let bMinus = process.diffusion(at: predictor - sqrtDt * bj, time: t)[column: j]
            let wj = dW.component(j)
            result = result + (quarter * wj) * (bPlus + bMinus + 2 * bj)
            result = result + (quarter * (wj * wj - dt) / sqrtDt) * (bPlus - bMinus)
        }
        guard d > 1 else { return result }
        for r in 0..<d {
            let br = s[column: r]
            let sPlus = process.diffusion(at: x + sqrtDt * br, time: t)
            let sMinus = process.diffusion(at: x - sqrtDt * br, time: t)
            for j in 0..<d where j != r {
                let bj = s[column: j]
                let wj = dW.component(j), wr = dW.component(r)
                // V_{r,j}: one bit per unordered pair, antisymmetric in (r, j).
                let (lo, hi) = r < j ? (r, j) : (j, r)
                let bit = (auxiliaryBits >> UInt64(pairIndex(lo, hi, d))) & 1
                let v: V.Scalar = (bit == 1 ? dt : -dt) * (r < j ? 1 : -1)
                let bPlus = sPlus[column: j], bMinus = sMinus[column: j]
                result = result + (quarter * wj) * (bPlus + bMinus - 2 * bj)
                result = result + (quarter * (wj * wr + v) / sqrtDt) * (bPlus - bMinus)
            }
        }
        return result
    }

    @inlinable
    func pairIndex(_ lo: Int, _ hi: Int, _ d: Int) -> Int { lo * d + hi }
}
