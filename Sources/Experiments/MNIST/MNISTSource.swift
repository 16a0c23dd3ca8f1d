import Foundation
import NeuralNets

/// Where a study gets MNIST, in this order: an explicit folder (which must hold the files), the
/// full files in the usual places (`MNIST.locate`), the subset shipped in `data/mnist-subset`
/// when the configuration uses no more than it holds, a download into ~/.cache/sgd-diffusion/mnist
/// when `download` allows it. When none works the answer is `.unavailable` with the exact fix, so
/// `reproduce` can run every other study and say what §6 needs.
public struct MNISTSource: Sendable {
    public var explicitDirectory: String?
    public var download: Bool
    /// The shipped subset's folder; nil: `$SGDIFF_MNIST_SUBSET_DIR`, else `data/mnist-subset`
    /// found upwards from the executable (a checkout's .build/…/sgdiff) or the working directory.
    public var subsetDirectory: URL?

    public init(explicitDirectory: String? = nil, download: Bool = true, subsetDirectory: URL? = nil) {
        self.explicitDirectory = explicitDirectory
        self.download = download
        self.subsetDirectory = subsetDirectory
    }

    public enum Resolution: Sendable {
        case available(MNIST, URL)
        /// Why the data could not be had, and what the user can do about it.
        case unavailable(reason: String, fix: String)
    }

    /// The subset: the first 12 000 training examples (the quick configuration's `trainSubset`)
    /// and the whole test set, with the MD5 of each file's IDX content, so a run on it is
    /// bitwise the run on the full files.
    public static let subsetTrainCount = 12_000
    static let subsetContentMD5 = [
        "train-images-idx3-ubyte.gz": "e79534ef75a1ae4e8e8179ed44133fe2",
        "train-labels-idx1-ubyte.gz": "4c9f4abeacf3648e8f47370d04071881",
        "t10k-images-idx3-ubyte.gz": "2646ac647ad5339dbf082846283269ea",
        "t10k-labels-idx1-ubyte.gz": "27ae3e4e09519cfbb04c329615203637",
    ]

    /// What to do without data: the four file names and where they go.
    public static var fix: String {
        "put the four MNIST files (\(MNIST.files.map(\.name).joined(separator: ", "))) in \(MNIST.defaultDirectory.path) "
            + "(or any folder, then pass --mnist-dir DIR or set SGDIFF_MNIST_DIR), or run `sgdiff data mnist` where there is network; then rerun (finished studies resume from their checkpoints)"
    }

    /// Fails only for an explicit folder that does not hold the files (a usage error, best
    /// reported before any work); every other shortfall is `.unavailable`.
    /// - Parameter trainExamples: how many training examples the study uses (nil: all).
    public func resolve(trainExamples: Int?, log: (String) -> Void) throws -> Resolution {
        if let explicitDirectory {
            let location = try MNIST.locate(explicit: explicitDirectory)
            return .available(try MNIST.load(directory: location), location)
        }
        var problems: [String] = []
        if let location = try? MNIST.locate(explicit: nil) {
            do { return .available(try MNIST.load(directory: location), location) } catch {
                problems.append("\(error)")
                log("MNIST in \(location.path) is unusable (\(error)); looking further")
            }
        } else {
            problems.append("no MNIST files in \(MNIST.candidates(explicit: nil).map(\.path).joined(separator: ", "))")
        }
        if let needed = trainExamples, needed <= Self.subsetTrainCount {
            if let subset = subsetLocation(), MNIST.files.allSatisfy({ FileManager.default.fileExists(atPath: subset.appendingPathComponent($0.name).path) }) {
                do {
                    let data = try Self.loadSubset(subset)
                    log("using the MNIST subset shipped in \(subset.path) (the \(Self.subsetTrainCount) training and 10 000 test examples this configuration uses)")
                    return .available(data, subset)
                } catch {
                    problems.append("the shipped subset in \(subset.path) is unusable: \(error)")
                }
            } else {
                problems.append("the shipped subset data/mnist-subset was not found" + (subsetLocation().map { " in \($0.path)" } ?? ""))
            }
        }
        if download {
            log("MNIST not found locally; downloading it to \(MNIST.defaultDirectory.path)")
            do {
                let location = try MNIST.download(to: MNIST.defaultDirectory, log: log)
                return .available(try MNIST.load(directory: location), location)
            } catch MNIST.Failure.downloadFailed(let why) {
                problems.append("the download failed (\(why))")
            } catch {
                problems.append("the download failed: \(error)")
            }
        }
        return .unavailable(reason: problems.joined(separator: "; "), fix: Self.fix)
    }

    func subsetLocation() -> URL? {
        if let subsetDirectory { return subsetDirectory }
        if let env = ProcessInfo.processInfo.environment["SGDIFF_MNIST_SUBSET_DIR"], !env.isEmpty { return URL(fileURLWithPath: env) }
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        for start in [executable.deletingLastPathComponent(), URL(fileURLWithPath: FileManager.default.currentDirectoryPath)] {
            var directory = start
            for _ in 0..<6 {
                let candidate = directory.appendingPathComponent("data/mnist-subset")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent(MNIST.files[0].name).path) { return candidate }
                directory = directory.deletingLastPathComponent()
            }
        }
        return nil
    }

    /// Loads the subset after checking every file's IDX content against its MD5.
    static func loadSubset(_ directory: URL) throws -> MNIST {
        for file in MNIST.files {
            let array = try IDXArray(contentsOf: directory.appendingPathComponent(file.name))
            var content: [UInt8] = [0, 0, 8, UInt8(array.dimensions.count)]
            for d in array.dimensions { content += [UInt8((d >> 24) & 0xff), UInt8((d >> 16) & 0xff), UInt8((d >> 8) & 0xff), UInt8(d & 0xff)] }
            content += array.bytes
            let digest = MD5.hex(Data(content))
            guard digest == subsetContentMD5[file.name] else {
                throw MNIST.Failure.checksum(file: directory.appendingPathComponent(file.name).path, expected: subsetContentMD5[file.name] ?? "?", found: digest)
            }
        }
        return try MNIST.load(directory: directory)
    }
}
