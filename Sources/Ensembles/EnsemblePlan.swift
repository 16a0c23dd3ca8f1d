/// How N paths are cut into blocks. Blocks are the unit of work for threads, shards and
/// checkpoints; because random numbers are named by path and sums are exact, no result depends
/// on the block size, the thread count or the order in which blocks finish.
public struct EnsemblePlan: Sendable, Equatable, Codable {
    public var paths: Int
    public var blockSize: Int

    public static let defaultBlockSize = 512

    public init(paths: Int, blockSize: Int = EnsemblePlan.defaultBlockSize) throws {
        guard paths >= 1 else { throw EnsembleError.invalidPathCount(paths) }
        guard paths <= 1 << 32 else { throw EnsembleError.tooManyPaths(paths) }
        guard blockSize >= 8, blockSize % 8 == 0 else { throw EnsembleError.invalidBlockSize(blockSize) }
        self.paths = paths
        self.blockSize = blockSize
    }

    /// A plan of `count` independent work items, one per block: for work that is not SIMD
    /// lanes of paths (the runs of a splitting estimator), where the lane alignment of
    /// `init(paths:blockSize:)` does not apply and the finest blocks balance the threads best.
    public static func items(_ count: Int) throws -> EnsemblePlan {
        var plan = try EnsemblePlan(paths: count, blockSize: 8)
        plan.blockSize = 1
        return plan
    }

    public var blockCount: Int { (paths + blockSize - 1) / blockSize }

    public func pathRange(ofBlock b: Int) -> Range<Int> {
        let start = b * blockSize
        return start..<min(paths, start + blockSize)
    }
}

/// A deterministic slice `index` of `count` (1-based on the command line as "i/n").
public struct Shard: Sendable, Equatable, Codable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public static let whole = Shard(uncheckedIndex: 0, count: 1)

    init(uncheckedIndex index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// Parses "i/n" with 1 <= i <= n.
    public init(parsing text: String) throws {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]) else {
            throw EnsembleError.malformedShard(text)
        }
        guard n >= 1, i >= 1, i <= n else { throw EnsembleError.shardOutOfRange(text) }
        index = i - 1
        count = n
    }

    /// The blocks this shard owns: a contiguous, balanced slice of 0..<blockCount.
    public func blocks(of plan: EnsemblePlan) -> Range<Int> {
        let total = plan.blockCount
        return (index * total / count)..<((index + 1) * total / count)
    }

    public var description: String { "\(index + 1)/\(count)" }
}

public enum EnsembleError: Error, CustomStringConvertible, Equatable {
    case invalidPathCount(Int)
    case tooManyPaths(Int)
    case invalidBlockSize(Int)
    case malformedShard(String)
    case shardOutOfRange(String)
    case invalidThreadCount(Int)
    case checkpointMismatch(String)
    case incompleteMerge(missingBlocks: Int)
    case overlappingShards
    case incompatiblePartials(String)
    case incompletePartialsList

    public var description: String {
        switch self {
        case .invalidPathCount(let n): return "number of paths N must be at least 1, got \(n)"
        case .tooManyPaths(let n): return "number of paths N must be at most 2^32, got \(n)"
        case .invalidBlockSize(let b): return "block size must be a positive multiple of 8, got \(b)"
        case .malformedShard(let s): return "shard must look like i/n (e.g. 2/3), got '\(s)'"
        case .shardOutOfRange(let s): return "shard \(s) is out of range: need 1 <= i <= n"
        case .invalidThreadCount(let t): return "thread count must be at least 1, got \(t)"
        case .checkpointMismatch(let why): return "checkpoint does not match this run: \(why)"
        case .incompleteMerge(let m): return "partial results do not cover the whole run: \(m) blocks missing"
        case .overlappingShards: return "partial results overlap (the same shard given twice?)"
        case .incompatiblePartials(let why): return "partial results come from different runs: \(why)"
        case .incompletePartialsList: return "no partial results given"
        }
    }
}
