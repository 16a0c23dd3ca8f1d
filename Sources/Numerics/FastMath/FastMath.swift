/// Elementary functions written in plain arithmetic so that a loop over paths that calls them
/// still vectorises (a libm call in a loop body stops LLVM's vectoriser).
///
/// Accuracy: about 1 ulp for |x| <= 2^19 π/2 (Cody–Waite reduction with fdlibm's 33-bit split
/// of π/2, then fdlibm's minimax kernels). Beyond that range use Foundation's functions; the
/// simulations here flag paths that wander that far as diverged long before.
public enum FastMath {
    @usableFromInline static let roundingMagic = 6_755_399_441_055_744.0  // 1.5 * 2^52

    @inlinable @inline(__always)
    static func kernelSin(_ x: Double, _ z: Double) -> Double {
        var p = 1.58969099521155010221e-10
        p = p * z - 2.50507602534068634195e-08
        p = p * z + 2.75573137070700676789e-06
        p = p * z - 1.98412698298579493134e-04
        p = p * z + 8.33333333332248946124e-03
        return x + (x * z) * (p * z - 1.66666666666666324348e-01)
    }

    @inlinable @inline(__always)
    static func kernelCos(_ z: Double) -> Double {
        var p = -1.13596475577881948265e-11
        p = p * z + 2.08757232129817482790e-09
        p = p * z - 2.75573143513906633035e-07
        p = p * z + 2.48015872894767294178e-05
        p = p * z - 1.38888888888741095749e-03
        p = p * z + 4.16666666666666019037e-02
        let hz = 0.5 * z
        let w = 1 - hz
        return w + (((1 - w) - hz) + z * (z * p))
    }

    /// sin(x) and cos(x) together.
    @inlinable @inline(__always)
    public static func sinCos(_ x: Double) -> (sin: Double, cos: Double) {
        let t = x * 0.636619772367581343076 + roundingMagic
        let n = t - roundingMagic
        let r = (x - n * 1.57079632673412561417e+00) - n * 6.07710050650619224932e-11
        let z = r * r
        let s = kernelSin(r, z), c = kernelCos(z)
        let q = t.bitPattern & 3
        let swap = 0 &- (q & 1)
        let sinSign = (q >> 1) << 63
        let cosSign = ((q ^ (q >> 1)) & 1) << 63
        let sb = s.bitPattern, cb = c.bitPattern
        let sinBits = ((sb & ~swap) | (cb & swap)) ^ sinSign
        let cosBits = ((cb & ~swap) | (sb & swap)) ^ cosSign
        return (Double(bitPattern: sinBits), Double(bitPattern: cosBits))
    }

    @inlinable @inline(__always)
    public static func sin(_ x: Double) -> Double { sinCos(x).sin }

    @inlinable @inline(__always)
    public static func cos(_ x: Double) -> Double { sinCos(x).cos }

    @usableFromInline static let roundingMagicFloat: Float = 12_582_912  // 1.5 * 2^23

    /// Float sin and cos, about 1 ulp for |x| <= 1e4 (Cephes' three-part π/2).
    @inlinable @inline(__always)
    public static func sinCos(_ x: Float) -> (sin: Float, cos: Float) {
        let t = x * 0.636619772 + roundingMagicFloat
        let n = t - roundingMagicFloat
        let r = ((x - n * 1.5703125) - n * 4.837512969970703125e-4) - n * 7.54978995489188216e-8
        let z = r * r
        var ps: Float = 1.0 / 362_880
        ps = ps * z - 1.0 / 5040
        ps = ps * z + 1.0 / 120
        ps = ps * z - 1.0 / 6
        let s = r + (r * z) * ps
        var pc: Float = -1.0 / 3_628_800
        pc = pc * z + 1.0 / 40320
        pc = pc * z - 1.0 / 720
        pc = pc * z + 1.0 / 24
        pc = pc * z - 0.5
        let c = 1 + z * pc
        let q = t.bitPattern & 3
        let swap = 0 &- (q & 1)
        let sinSign = (q >> 1) << 31
        let cosSign = ((q ^ (q >> 1)) & 1) << 31
        let sb = s.bitPattern, cb = c.bitPattern
        return (Float(bitPattern: ((sb & ~swap) | (cb & swap)) ^ sinSign),
                Float(bitPattern: ((cb & ~swap) | (sb & swap)) ^ cosSign))
    }

    @inlinable @inline(__always)
    public static func sin(_ x: Float) -> Float { sinCos(x).sin }
}
