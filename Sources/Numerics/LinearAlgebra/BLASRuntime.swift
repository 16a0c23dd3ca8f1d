import CLinearAlgebra
import Foundation

/// Which OpenBLAS kernel family is running, and which one this CPU deserves.
///
/// Debian's OpenBLAS 0.3.21 is built with DYNAMIC_ARCH and picks a kernel at load time from
/// CPUID. On CPUs newer than the library it picks a fallback: Sapphire Rapids comes up as
/// `Prescott` (SSE3, ~8x slower SGEMM) and AMD Zen 5 as `Haswell` (AVX2, ~2x slower than the
/// AVX-512 kernels, measured with `sgdiff bench blas`). The kernel can only be chosen before the
/// library initialises, through the `OPENBLAS_CORETYPE` environment variable, so the `sgdiff`
/// executable re-executes itself once with the variable set (see `BLASRuntime.reexecIfBeneficial`).
/// Numerical agreement of the chosen kernel with a naive reference product is a test.
public enum BLASRuntime {
    /// The kernel OpenBLAS selected, e.g. "Haswell", "SkylakeX", "Prescott".
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// OpenBLAS's build configuration string.
    public static var configuration: String {
        guard let config = openblas_get_config() else { return "unknown" }
        return String(cString: config)
    }

    /// Threads OpenBLAS uses for one call.
    public static var threads: Int {
        get { Int(openblas_get_num_threads()) }
        set { openblas_set_num_threads(Int32(max(1, newValue))) }
    }

    /// CPU feature flags of the first processor, from /proc/cpuinfo (empty where unavailable).
    public static func cpuFlags() -> Set<String> {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
        for line in text.split(separator: "\n") where line.hasPrefix("flags") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
        return []
    }

    /// The best OpenBLAS 0.3.21 kernel family for a CPU with these flags, or nil if no
    /// AVX2-class kernel applies (then the library's own choice stands).
    public static func recommendedCoreType(flags: Set<String>) -> String? {
        let avx512 = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        if avx512.allSatisfy(flags.contains) {
            return flags.contains("avx512_bf16") ? "Cooperlake" : "SkylakeX"
        }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }

    /// Kernel families at least as capable as `recommended`; if OpenBLAS already runs one of
    /// these, nothing is to be gained by switching.
    static func adequateCores(for recommended: String) -> Set<String> {
        switch recommended.lowercased() {
        case "cooperlake": return ["cooperlake", "sapphirerapids"]
        case "skylakex": return ["skylakex", "cooperlake", "sapphirerapids"]
        case "haswell": return ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]
        default: return [recommended.lowercased()]
        }
    }

    /// What `reexecIfBeneficial` would do, for reporting.
    public struct KernelDecision: Sendable, Equatable {
        public var detected: String
        public var recommended: String?
        public var userOverride: String?
        /// The kernel to re-execute with, if any.
        public var target: String?
        public var shouldSwitch: Bool { target != nil }
    }

    /// The policy, from `SGDIFF_BLAS_KERNEL`:
    /// - `auto` (default): if the kernel running (OpenBLAS's own choice, or one forced through
    ///   `OPENBLAS_CORETYPE`) is weaker than the CPU supports, switch to the recommended one;
    /// - `keep`: never switch;
    /// - a kernel name (e.g. `SkylakeX`): use that one.
    public static func kernelDecision(environment: [String: String] = ProcessInfo.processInfo.environment,
                                      flags: Set<String>? = nil) -> KernelDecision {
        let detected = coreName
        let override = environment["OPENBLAS_CORETYPE"].flatMap { $0.isEmpty ? nil : $0 }
        let recommended = recommendedCoreType(flags: flags ?? cpuFlags())
        let policy = environment["SGDIFF_BLAS_KERNEL"] ?? "auto"
        var target: String?
        switch policy.lowercased() {
        case "auto":
            if let recommended, !adequateCores(for: recommended).contains(detected.lowercased()) { target = recommended }
        case "keep", "off":
            target = nil
        default:
            if policy.lowercased() != detected.lowercased() { target = policy }
        }
        return KernelDecision(detected: detected, recommended: recommended, userOverride: override, target: target)
    }

    /// Re-executes the current program with `OPENBLAS_CORETYPE` set to the recommended kernel
    /// when OpenBLAS chose a weaker one. Returns only if no switch is needed or exec failed.
    ///
    /// See `kernelDecision` for the policy. When an explicit `OPENBLAS_CORETYPE` is replaced,
    /// `kernelNote` says so in the re-executed process, for the commands where the kernel
    /// matters to print (not every command, `--help` included).
    public static func reexecIfBeneficial(arguments: [String] = CommandLine.arguments) {
        let env = ProcessInfo.processInfo.environment
        guard env["SGDIFF_BLAS_REEXEC"] == nil else { return }
        let decision = kernelDecision(environment: env)
        guard let target = decision.target else { return }
        if let forced = decision.userOverride {
            setenv(noteVariable, "note: OPENBLAS_CORETYPE=\(forced) is slower than this CPU allows; using \(target) (set SGDIFF_BLAS_KERNEL=keep to keep yours)", 1)
        }
        setenv("OPENBLAS_CORETYPE", target, 1)
        setenv("SGDIFF_BLAS_REEXEC", decision.detected, 1)
        let cArgs = arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", cArgs)
        // exec failed: carry on with the slower kernel rather than refusing to run.
    }

    static let noteVariable = "SGDIFF_BLAS_NOTE"

    /// The note `reexecIfBeneficial` left for this process, if it replaced a forced kernel.
    public static var kernelNote: String? { ProcessInfo.processInfo.environment[noteVariable] }
}
