import Foundation
import Testing
import TestSupport
@testable import Numerics

@Suite struct LinearAlgebraTests {
    static func pseudoRandomMatrix<S: BLASScalar>(_ rows: Int, _ columns: Int, seed: UInt64, as: S.Type) -> Matrix<S> {
        var state = seed
        let values = (0..<(rows * columns)).map { _ -> S in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return S(Double(state >> 11) * 0x1p-53 - 0.5)
        }
        return Matrix(rows: rows, columns: columns, elements: values)
    }

    /// GEMM against the triple loop, with whatever kernel OpenBLAS selected in this process.
    /// Tolerance: k ulp of the sum of |a_ip b_pj| (forward error bound of a dot product,
    /// Higham §3.1, with the kernel free to reorder).
    @Test(arguments: [(7, 5, 3), (64, 64, 64), (129, 257, 65), (512, 784, 128)])
    func doubleGEMMMatchesNaive(m: Int, k: Int, n: Int) {
        let a = Self.pseudoRandomMatrix(m, k, seed: 1, as: Double.self)
        let b = Self.pseudoRandomMatrix(k, n, seed: 2, as: Double.self)
        let fast = a * b, slow = Matrix.naiveProduct(a, b)
        let bound = Double(k) * Double.ulpOfOne * 0.25 * Double(k)
        #expect(zip(fast.elements, slow.elements).allSatisfy { abs($0 - $1) <= bound })
    }

    @Test(arguments: [(7, 5, 3), (128, 784, 512), (2048, 512, 64)])
    func floatGEMMMatchesNaive(m: Int, k: Int, n: Int) {
        let a = Self.pseudoRandomMatrix(m, k, seed: 3, as: Float.self)
        let b = Self.pseudoRandomMatrix(k, n, seed: 4, as: Float.self)
        let fast = a * b
        // reference in double, so only the float kernel's error is measured
        let ad = Matrix(rows: m, columns: k, elements: a.elements.map(Double.init))
        let bd = Matrix(rows: k, columns: n, elements: b.elements.map(Double.init))
        let slow = Matrix.naiveProduct(ad, bd)
        let bound = Double(k) * Double(Float.ulpOfOne) * 0.25
        #expect(zip(fast.elements, slow.elements).allSatisfy { abs(Double($0) - $1) <= bound })
    }

    @Test func transposedProducts() {
        let a = Self.pseudoRandomMatrix(6, 4, seed: 5, as: Double.self)
        let b = Self.pseudoRandomMatrix(6, 3, seed: 6, as: Double.self)
        let c = Matrix.product(a, b, transposeA: true)
        let reference = Matrix.naiveProduct(a.transposed, b)
        #expect(zip(c.elements, reference.elements).allSatisfy { isClose($0, $1, relative: 1e-13, absolute: 1e-15) })
        let d = Matrix.product(a, a, transposeB: true)
        #expect(d.asymmetry < 1e-15)
    }

    @Test func kernelChoice() {
        #expect(BLASRuntime.recommendedCoreType(flags: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx512_bf16"]) == "Cooperlake")
        #expect(BLASRuntime.recommendedCoreType(flags: ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl", "avx2", "fma"]) == "SkylakeX")
        #expect(BLASRuntime.recommendedCoreType(flags: ["avx2", "fma"]) == "Haswell")
        #expect(BLASRuntime.recommendedCoreType(flags: ["sse3"]) == nil)
        let flags: Set = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        let chosen = BLASRuntime.kernelDecision(environment: [:], flags: flags)
        #expect(chosen.recommended == "SkylakeX")
        #expect(chosen.shouldSwitch == !["skylakex", "cooperlake", "sapphirerapids"].contains(chosen.detected.lowercased()))
        #expect(!BLASRuntime.kernelDecision(environment: ["SGDIFF_BLAS_KERNEL": "keep"], flags: flags).shouldSwitch)
        #expect(BLASRuntime.kernelDecision(environment: ["SGDIFF_BLAS_KERNEL": "Prescott"], flags: flags).target
                == (chosen.detected.lowercased() == "prescott" ? nil : "Prescott"))
        // a weak kernel forced through OPENBLAS_CORETYPE is upgraded unless the user says keep
        #expect(BLASRuntime.kernelDecision(environment: ["OPENBLAS_CORETYPE": "Haswell"], flags: flags).userOverride == "Haswell")
    }

    @Test func eigenDecompositionReconstructs() throws {
        let a = Matrix([[4.0, 1, -2], [1, 2, 0], [-2, 0, 3]])
        let eig = try SymmetricEigen(a)
        #expect(eig.values == eig.values.sorted())
        let rebuilt = eig.map { $0 }
        #expect(zip(rebuilt.elements, a.elements).allSatisfy { isClose($0, $1, relative: 1e-13, absolute: 1e-14) })
        // trace and determinant
        #expect(isClose(eig.values.reduce(0, +), 9, relative: 1e-13))
        #expect(isClose(eig.values.reduce(1, *), 13, relative: 1e-12))
    }

    @Test func eigenRejectsBadInput() {
        #expect(throws: SymmetricEigen.Failure.self) { try SymmetricEigen(Matrix([[1.0, 2], [0, 1]])) }
        #expect(throws: SymmetricEigen.Failure.self) { try SymmetricEigen(Matrix(rows: 2, columns: 3)) }
        #expect(throws: SymmetricEigen.Failure.self) { try SymmetricEigen(Matrix([[Double.nan, 0], [0, 1]])) }
    }

    @Test func psdSquareRoot() throws {
        let sigma = Matrix([[2.0, 0.5, 0.1], [0.5, 1.0, 0.2], [0.1, 0.2, 0.5]])
        let s = try sigma.psdSquareRoot()
        let square = Matrix.naiveProduct(s, s)
        #expect(s.asymmetry < 1e-14)
        #expect(zip(square.elements, sigma.elements).allSatisfy { isClose($0, $1, relative: 1e-13, absolute: 1e-15) })
        #expect(throws: PSDFailure.self) { try Matrix([[1.0, 0], [0, -1]]).psdSquareRoot() }
        // singular PSD is fine
        let singular = try Matrix([[1.0, 1], [1, 1]]).psdSquareRoot()
        #expect(isClose(singular[0, 0], 0.5.squareRoot(), relative: 1e-14))
    }
}

@Suite struct LanczosTests {
    /// A = Q diag(λ) Qᵀ with a known spectrum; Lanczos with enough steps recovers both extremes
    /// to rounding, and with few steps its residual bound brackets the true value.
    @Test func recoversTheExtremeEigenvalues() throws {
        let n = 200
        let lambdas = (0..<n).map { -3 + 10 * Double($0) / Double(n - 1) }  // −3 … 7
        let q = try SymmetricEigen(LinearAlgebraTests.pseudoRandomMatrix(n, n, seed: 9, as: Double.self)
                                   + LinearAlgebraTests.pseudoRandomMatrix(n, n, seed: 9, as: Double.self).transposed).vectors
        func apply(_ v: [Double]) -> [Double] {
            let qtv = q.transposed * v
            return q * zip(lambdas, qtv).map { $0 * $1 }
        }
        let start = (0..<n).map { sin(Double($0) * 1.7) + 0.3 }
        let full = try Lanczos.extremeEigenvalues(dimension: n, start: start, steps: n, apply: apply)
        #expect(abs(full.largest - 7) < 1e-9 && abs(full.smallest + 3) < 1e-9)
        let short = try Lanczos.extremeEigenvalues(dimension: n, start: start, steps: 12, apply: apply)
        #expect(short.largest <= 7 + 1e-9 && 7 - short.largest <= short.largestResidual + 1e-9, "\(short)")
        #expect(short.steps == 12)
    }

    @Test func badInputsAreErrors() {
        #expect(throws: Lanczos.Failure.self) { try Lanczos.extremeEigenvalues(dimension: 3, start: [1, 0], steps: 2) { $0 } }
        #expect(throws: Lanczos.Failure.self) { try Lanczos.extremeEigenvalues(dimension: 2, start: [0, 0], steps: 2) { $0 } }
        #expect(throws: Lanczos.Failure.self) { try Lanczos.extremeEigenvalues(dimension: 2, start: [1, 0], steps: 0) { $0 } }
        #expect(throws: Lanczos.Failure.nonFinite(step: 0)) { try Lanczos.extremeEigenvalues(dimension: 2, start: [1, 0], steps: 2) { _ in [.nan, 0] } }
    }
}
