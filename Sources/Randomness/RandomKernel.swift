import CRandomKernels

/// Which compilation of the C fill kernels (`Sources/CRandomKernels`) runs: the baseline
/// instruction set, AVX2 or AVX-512, chosen once from the CPU's features. The levels compile one
/// source with contraction off, so they differ in speed only; `SGDIFF_RNG_KERNEL=baseline|avx2`
/// caps the choice (for comparing, or for a machine whose wide units are slow).
public enum RandomKernel {
    /// The level fills use.
    public static var level: Int32 { sgd_rng_default_level() }
    /// Every level this CPU runs, lowest first.
    public static var supportedLevels: [Int32] { (0..<Int32(sgd_rng_levels)).filter { sgd_rng_level_supported($0) != 0 } }
    public static func name(_ level: Int32) -> String { String(cString: sgd_rng_level_name(level)) }
}

extension GaussianStream {
    private func window(firstPath: Int, padded: Int, firstDraw: Int, draws: Int, stride: Int) -> sgd_rng_window {
        sgd_rng_window(key0: key.0, key1: key.1, stream: stream.rawValue, first_path: UInt64(firstPath),
                       padded_lanes: Int64(padded), first_draw: Int64(firstDraw), draws: Int64(draws), stride: Int64(stride))
    }

    /// The Box–Muller Double window fill on one kernel level (`fill` uses `RandomKernel.level`).
    public func kernelFill(level: Int32, firstPath: Int, padded: Int, firstDraw: Int, draws: Int, stride: Int, into buffer: UnsafeMutablePointer<Double>) {
        var w = window(firstPath: firstPath, padded: padded, firstDraw: firstDraw, draws: draws, stride: stride)
        sgd_rng_box_muller_f64(level, &w, buffer)
    }

    public func kernelFill(level: Int32, firstPath: Int, padded: Int, firstDraw: Int, draws: Int, stride: Int, into buffer: UnsafeMutablePointer<Float>) {
        var w = window(firstPath: firstPath, padded: padded, firstDraw: firstDraw, draws: draws, stride: stride)
        sgd_rng_box_muller_f32(level, &w, buffer)
    }

    public func kernelFill(level: Int32, paths: UnsafePointer<UInt64>, firstDraws: UnsafePointer<UInt64>, draws: Int, stride: Int,
                    into buffer: UnsafeMutablePointer<Double>) {
        sgd_rng_box_muller_f64_lanes(level, key.0, key.1, stream.rawValue, paths, firstDraws, Int64(draws), Int64(stride), buffer)
    }

    public func kernelFillBits(level: Int32, firstPath: Int, padded: Int, firstDraw: Int, draws: Int, stride: Int, into buffer: UnsafeMutablePointer<UInt64>) {
        var w = window(firstPath: firstPath, padded: padded, firstDraw: firstDraw, draws: draws, stride: stride)
        sgd_rng_words(level, &w, buffer)
    }
}

extension ZigguratLookup {
    /// The tables as the C kernels read them (pointers into this lookup, which lives for the process).
    @usableFromInline var kernelTables: sgd_zig_tables {
        sgd_zig_tables(pairs: pairs, packed_float: packedFloat, widths: widths, heights: heights)
    }
}

extension GaussianStream {
    /// The ziggurat Double window fill on one kernel level (`fill` uses `RandomKernel.level`).
    public func kernelZigguratFill(level: Int32, firstPath: Int, padded: Int, firstDraw: Int, draws: Int, stride: Int,
                                   into buffer: UnsafeMutablePointer<Double>) {
        var w = window(firstPath: firstPath, padded: padded, firstDraw: firstDraw, draws: draws, stride: stride)
        var t = ZigguratLookup.shared.kernelTables
        sgd_rng_ziggurat_f64(level, &w, &t, buffer)
    }

    public func kernelZigguratFill(level: Int32, firstPath: Int, padded: Int, firstDraw: Int, draws: Int, stride: Int,
                                   into buffer: UnsafeMutablePointer<Float>) {
        var w = window(firstPath: firstPath, padded: padded, firstDraw: firstDraw, draws: draws, stride: stride)
        var t = ZigguratLookup.shared.kernelTables
        sgd_rng_ziggurat_f32(level, &w, &t, buffer)
    }

    public func kernelZigguratFill(level: Int32, paths: UnsafePointer<UInt64>, firstDraws: UnsafePointer<UInt64>, draws: Int, stride: Int,
                                   into buffer: UnsafeMutablePointer<Double>) {
        var t = ZigguratLookup.shared.kernelTables
        sgd_rng_ziggurat_f64_lanes(level, key.0, key.1, stream.rawValue, paths, firstDraws, Int64(draws), Int64(stride), &t, buffer)
    }
}
