import CFiniteSumKernels

extension LinearModel {
    /// The fused kernel (CFiniteSumKernels) runs where it applies: one output (least squares,
    /// logistic), lanes in whole vectors of 8, a CPU with hardware FMA. Its sums run in a fixed
    /// order, so a path's gradient is the same bits whatever block, thread or level computes it;
    /// they are not OpenBLAS's bits, which is why `SGDIFF_FS_KERNEL=none` can turn it off to
    /// compare.
    public func fusedWeightedGradient(_ design: DesignView, parameters: UnsafePointer<Double>, ld: Int, weights: UnsafePointer<Double>,
                                      into gradient: UnsafeMutablePointer<Double>) -> Bool {
        guard let code = Self.fusedLossCode(loss), ld % 8 == 0, Self.fusedKernelAvailable else { return false }
        return sgd_fs_weighted_gradient(code, design.features, design.targets, Int64(design.rows), Int64(featureCount), parameters,
                                        Int64(ld), weights, gradient) == 0
    }

    static func fusedLossCode(_ loss: Loss) -> Int32? {
        switch loss {
        case .leastSquares: return Int32(sgd_fs_least_squares)
        case .logistic: return Int32(sgd_fs_logistic)
        case .softmax, .welsch: return nil
        }
    }

    /// Whether this CPU runs the fused kernel, and at which level ("avx512", "avx2", "neon", "none").
    public static var fusedKernelAvailable: Bool { sgd_fs_available() != 0 }
    public static var fusedKernelLevel: String { String(cString: sgd_fs_level_name()) }
}
