import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The MNIST digits (LeCun et al.), normalised as PyTorch's examples do: (x/255 - 0.1307)/0.3081.
public struct MNIST: Sendable {
    public var trainImages: [Float]
    public var trainLabels: [UInt8]
    public var testImages: [Float]
    public var testLabels: [UInt8]
    public static let pixels = 784

    /// Images already normalised, row-major 784 floats per example (for other 28 x 28 data sets
    /// or synthetic tests).
    public init(trainImages: [Float], trainLabels: [UInt8], testImages: [Float], testLabels: [UInt8]) throws {
        for (images, labels, what) in [(trainImages, trainLabels, "training"), (testImages, testLabels, "test")] {
            guard !labels.isEmpty, images.count == labels.count * Self.pixels else {
                throw Failure.inconsistent("\(images.count) \(what) pixel values for \(labels.count) labels (need 784 per label, at least one label)")
            }
            guard labels.allSatisfy({ $0 < 10 }) else { throw Failure.inconsistent("\(what) labels outside 0...9") }
            guard images.allSatisfy(\.isFinite) else { throw Failure.inconsistent("non-finite \(what) pixel values") }
        }
        self.init(validatedTrainImages: trainImages, trainLabels: trainLabels, testImages: testImages, testLabels: testLabels)
    }

    init(validatedTrainImages: [Float], trainLabels: [UInt8], testImages: [Float], testLabels: [UInt8]) {
        self.trainImages = validatedTrainImages
        self.trainLabels = trainLabels
        self.testImages = testImages
        self.testLabels = testLabels
    }
    public var trainCount: Int { trainLabels.count }
    public var testCount: Int { testLabels.count }

    /// File names, the MD5 of each gzipped file as torchvision's mirror publishes it, and the MD5
    /// of its decompressed content (LeCun's original IDX bytes). Copies re-compressed with other
    /// settings differ in the first but not the second, so a file is accepted if either matches.
    public static let files: [(name: String, md5: String, contentMD5: String)] = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873", "6bbc9ace898e44ae57da46a324031adb"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432", "a25bea736e30d166cdddb491f175f624"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3", "2646ac647ad5339dbf082846283269ea"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c", "27ae3e4e09519cfbb04c329615203637"),
    ]

    /// Whether `data` (gzipped or raw) is the genuine file `index` of `files`; the MD5 it has
    /// if not.
    public static func verify(_ data: Data, file index: Int) -> (ok: Bool, found: String) {
        let digest = MD5.hex(data)
        if digest == files[index].md5 || digest == files[index].contentMD5 { return (true, digest) }
        guard Gzip.isCompressed(data), let content = try? Gzip.decompress(data) else { return (false, digest) }
        let contentDigest = MD5.hex(content)
        return (contentDigest == files[index].contentMD5, "\(digest) (content \(contentDigest))")
    }

    /// torchvision's S3 mirror, then Google's; `$SGDIFF_MNIST_MIRRORS` (comma-separated base URLs) replaces them.
    public static var mirrors: [String] {
        if let list = ProcessInfo.processInfo.environment["SGDIFF_MNIST_MIRRORS"], !list.isEmpty { return list.split(separator: ",").map(String.init) }
        return ["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"]
    }

    public enum Failure: Error, CustomStringConvertible {
        case notFound([String])
        case malformed(String, IDXArray.Failure)
        case inconsistent(String)
        case downloadFailed(String)
        case checksum(file: String, expected: String, found: String)

        public var description: String {
            switch self {
            case .notFound(let places):
                return "MNIST not found (looked in \(places.joined(separator: ", "))); run `sgdiff data mnist` to download it, or pass --mnist-dir DIR / set SGDIFF_MNIST_DIR to a folder with the four .gz files"
            case .malformed(let file, let f): return "\(file): \(f)"
            case .inconsistent(let why): return "MNIST files are inconsistent: \(why)"
            case .downloadFailed(let why): return "could not download MNIST: \(why). If this machine is offline, copy the four files (\(MNIST.files.map(\.name).joined(separator: ", "))) into a folder and pass --mnist-dir"
            case .checksum(let f, let e, let g): return "\(f) has MD5 \(g), expected \(e): the file is corrupted; delete it and download again"
            }
        }
    }

    /// Where to look: an explicit directory, $SGDIFF_MNIST_DIR, ~/.cache/sgd-diffusion/mnist, ./data/mnist.
    public static func candidates(explicit: String?) -> [URL] {
        var list: [URL] = []
        if let explicit { list.append(URL(fileURLWithPath: explicit)) }
        if let env = ProcessInfo.processInfo.environment["SGDIFF_MNIST_DIR"], !env.isEmpty { list.append(URL(fileURLWithPath: env)) }
        list.append(defaultDirectory)
        list.append(URL(fileURLWithPath: "data/mnist"))
        return list
    }

    /// $XDG_CACHE_HOME/sgd-diffusion/mnist, by default ~/.cache/sgd-diffusion/mnist ($HOME honoured).
    public static var defaultDirectory: URL {
        let env = ProcessInfo.processInfo.environment
        if let cache = env["XDG_CACHE_HOME"], !cache.isEmpty { return URL(fileURLWithPath: cache).appendingPathComponent("sgd-diffusion/mnist") }
        let home = env["HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) } ?? FileManager.default.homeDirectoryForCurrentUser
        return home.appendingPathComponent(".cache/sgd-diffusion/mnist")
    }

    /// The first candidate directory that holds all four files (gzipped or not).
    public static func locate(explicit: String?) throws -> URL {
        let places = candidates(explicit: explicit)
        if let explicit { // an explicit choice must work or fail loudly
            let url = URL(fileURLWithPath: explicit)
            guard files.allSatisfy({ file(in: url, $0.name) != nil }) else { throw Failure.notFound([url.path]) }
            return url
        }
        for url in places where files.allSatisfy({ file(in: url, $0.name) != nil }) { return url }
        throw Failure.notFound(places.map(\.path))
    }

    static func file(in directory: URL, _ name: String) -> URL? {
        for candidate in [name, String(name.dropLast(3))] {
            let url = directory.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }

    public static func load(directory: URL) throws -> MNIST {
        func read(_ name: String) throws -> IDXArray {
            guard let url = file(in: directory, name) else { throw Failure.notFound([directory.path]) }
            do { return try IDXArray(contentsOf: url) } catch let f as IDXArray.Failure { throw Failure.malformed(url.path, f) }
        }
        let trainX = try read(files[0].name), trainY = try read(files[1].name)
        let testX = try read(files[2].name), testY = try read(files[3].name)
        for (x, y, what) in [(trainX, trainY, "training"), (testX, testY, "test")] {
            guard x.dimensions.count == 3, x.dimensions[1] == 28, x.dimensions[2] == 28 else {
                throw Failure.inconsistent("\(what) images have dimensions \(x.dimensions), expected [N, 28, 28]")
            }
            guard y.dimensions == [x.dimensions[0]] else {
                throw Failure.inconsistent("\(what) labels have dimensions \(y.dimensions) for \(x.dimensions[0]) images")
            }
            guard y.bytes.allSatisfy({ $0 < 10 }) else { throw Failure.inconsistent("\(what) labels outside 0...9") }
        }
        let normalise = { (b: [UInt8]) in b.map { (Float($0) / 255 - 0.1307) / 0.3081 } }
        return MNIST(validatedTrainImages: normalise(trainX.bytes), trainLabels: trainY.bytes, testImages: normalise(testX.bytes), testLabels: testY.bytes)
    }

    /// Keeps the first `train` training and `test` test examples (for quick runs).
    public func subset(train: Int, test: Int) -> MNIST {
        let n = min(train, trainCount), m = min(test, testCount)
        return MNIST(validatedTrainImages: Array(trainImages[0..<(n * Self.pixels)]), trainLabels: Array(trainLabels[0..<n]),
                     testImages: Array(testImages[0..<(m * Self.pixels)]), testLabels: Array(testLabels[0..<m]))
    }

    /// Downloads the four files into `directory`, verifying each MD5; skips files already present
    /// and correct. Returns the directory.
    @discardableResult
    public static func download(to directory: URL, log: (String) -> Void = { _ in }) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (index, file) in files.enumerated() {
            let target = directory.appendingPathComponent(file.name)
            if let data = try? Data(contentsOf: target), verify(data, file: index).ok { continue }
            var lastError = "no mirror answered"
            var done = false
            for mirror in mirrors {
                guard let url = URL(string: mirror + file.name) else { continue }
                log("downloading \(url)")
                do {
                    let data = try fetch(url)
                    let check = verify(data, file: index)
                    guard check.ok else { throw Failure.checksum(file: file.name, expected: file.md5, found: check.found) }
                    try data.write(to: target, options: .atomic)
                    done = true
                    break
                } catch {
                    lastError = "\(url): \(error is Failure ? "\(error)" : error.localizedDescription)"
                }
            }
            if !done { throw Failure.downloadFailed(lastError) }
        }
        return directory
    }

    static func fetch(_ url: URL) throws -> Data {
        let semaphore = DispatchSemaphore(value: 0)
        let box = ResultBox()
        var request = URLRequest(url: url)
        request.timeoutInterval = 30
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let error { box.set(.failure(error)) } else if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                box.set(.failure(Failure.downloadFailed("HTTP \(http.statusCode)")))
            } else {
                box.set(.success(data ?? Data()))
            }
            semaphore.signal()
        }.resume()
        semaphore.wait()
        return try box.get()
    }
}

final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Data, Error> = .success(Data())
    func set(_ r: Result<Data, Error>) { lock.withLock { result = r } }
    func get() throws -> Data { try lock.withLock { try result.get() } }
}
