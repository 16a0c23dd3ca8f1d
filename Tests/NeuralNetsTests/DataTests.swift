import Foundation
import Testing
import TestSupport
@testable import NeuralNets

/// IDX headers and payloads built by hand, so every failure path is reached deliberately.
func idx(dimensions: [Int], type: UInt8 = 0x08, payload: [UInt8]? = nil) -> Data {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for d in dimensions { bytes += [UInt8((d >> 24) & 0xff), UInt8((d >> 16) & 0xff), UInt8((d >> 8) & 0xff), UInt8(d & 0xff)] }
    bytes += payload ?? (0..<dimensions.reduce(1, *)).map { UInt8($0 % 251) }
    return Data(bytes)
}

/// gzip through the system tool (part of every Debian base system), so that decompression is
/// checked against an independent compressor.
func gzipped(_ data: Data) throws -> Data {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sgdiff-gz-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let file = directory.appendingPathComponent("x")
    try data.write(to: file)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-n", file.path]
    try process.run()
    process.waitUntilExit()
    return try Data(contentsOf: directory.appendingPathComponent("x.gz"))
}

@Suite struct IDXTests {
    @Test func parsesRawAndGzipped() throws {
        let raw = idx(dimensions: [3, 2, 2])
        let a = try IDXArray(data: raw)
        #expect(a.dimensions == [3, 2, 2] && a.bytes == (0..<12).map { UInt8($0) })
        #expect(try IDXArray(data: try gzipped(raw)) == a)
    }

    @Test func rejectsEveryMalformedHeader() {
        #expect(throws: IDXArray.Failure.tooShort(3)) { try IDXArray(data: Data([0, 0, 8])) }
        #expect(throws: IDXArray.Failure.badMagic([1, 0, 8, 1])) { try IDXArray(data: Data([1, 0, 8, 1, 0, 0, 0, 1, 7])) }
        #expect(throws: IDXArray.Failure.badMagic([0, 0, 8, 9])) { try IDXArray(data: Data([0, 0, 8, 9, 0, 0, 0, 1, 7])) }
        #expect(throws: IDXArray.Failure.unsupportedType(0x0d)) { try IDXArray(data: idx(dimensions: [2], type: 0x0d)) }
        #expect(throws: IDXArray.Failure.tooShort(8)) { try IDXArray(data: Data([0, 0, 8, 2, 0, 0, 0, 1])) }
        #expect(throws: IDXArray.Failure.badDimensions([0, 4])) { try IDXArray(data: idx(dimensions: [0, 4], payload: [])) }
        #expect(throws: IDXArray.Failure.wrongLength(expected: 6, found: 5)) { try IDXArray(data: idx(dimensions: [2, 3], payload: [1, 2, 3, 4, 5])) }
        #expect(throws: IDXArray.Failure.wrongLength(expected: 6, found: 7)) { try IDXArray(data: idx(dimensions: [2, 3], payload: [1, 2, 3, 4, 5, 6, 7])) }
    }

    @Test func truncatedOrCorruptedGzipIsAnError() throws {
        let gz = try gzipped(idx(dimensions: [50, 28, 28]))
        for cut in [10, gz.count / 2, gz.count - 4] {
            #expect(throws: IDXArray.Failure.self) { try IDXArray(data: gz.prefix(cut)) }
        }
        var flipped = gz
        flipped[gz.count - 6] ^= 0xff  // inside the CRC-32 / length trailer
        #expect(throws: IDXArray.Failure.self) { try IDXArray(data: flipped) }
    }

    /// Random truncations and byte corruptions of raw and gzipped files: each must either parse
    /// to an array consistent with its header or throw an `IDXArray.Failure`, never crash or
    /// return a wrong-sized array.
    @Test func fuzzedFilesFailCleanly() throws {
        let raw = idx(dimensions: [20, 7, 7])
        let gz = try gzipped(raw)
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int { state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407; return Int(state >> 33) }
        var failures = 0
        for trial in 0..<400 {
            var data = trial % 2 == 0 ? raw : gz
            if trial % 3 == 0 {
                data = data.prefix(next() % data.count)
            } else {
                for _ in 0..<(1 + next() % 4) { data[next() % data.count] = UInt8(next() % 256) }
            }
            do {
                let a = try IDXArray(data: data)
                #expect(a.bytes.count == a.dimensions.reduce(1, *))
            } catch is IDXArray.Failure {
                failures += 1
            }
        }
        #expect(failures > 100)
    }
}

@Suite struct MNISTFilesTests {
    func folder(_ files: [String: Data]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sgdiff-mnist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, data) in files { try data.write(to: url.appendingPathComponent(name)) }
        return url
    }

    func consistent(train: Int = 5, test: Int = 3, labels: [UInt8]? = nil) throws -> [String: Data] {
        [MNIST.files[0].name: try gzipped(idx(dimensions: [train, 28, 28])),
         MNIST.files[1].name: try gzipped(idx(dimensions: [train], payload: labels ?? (0..<train).map { UInt8($0 % 10) })),
         "t10k-images-idx3-ubyte": idx(dimensions: [test, 28, 28]),  // uncompressed files are accepted too
         MNIST.files[3].name: try gzipped(idx(dimensions: [test], payload: (0..<test).map { UInt8($0) }))]
    }

    @Test func loadsAndNormalisesLikePyTorch() throws {
        let dir = try folder(try consistent())
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try MNIST.load(directory: dir)
        #expect(data.trainCount == 5 && data.testCount == 3 && data.trainImages.count == 5 * 784)
        #expect(abs(data.trainImages[1] - (1 / 255 - 0.1307) / 0.3081) < 1e-6)
        #expect(data.testLabels == [0, 1, 2])
        let subset = data.subset(train: 2, test: 1)
        #expect(subset.trainCount == 2 && subset.testCount == 1 && subset.trainImages == Array(data.trainImages[0..<(2 * 784)]))
    }

    @Test func inconsistentFilesAreRejected() throws {
        var files = try consistent()
        files[MNIST.files[1].name] = try gzipped(idx(dimensions: [4]))
        var dir = try folder(files)
        #expect(throws: MNIST.Failure.self) { try MNIST.load(directory: dir) }
        try? FileManager.default.removeItem(at: dir)
        dir = try folder(try consistent(labels: [0, 1, 2, 3, 12]))
        #expect { try MNIST.load(directory: dir) } throws: { "\($0)".contains("labels outside 0...9") }
        try? FileManager.default.removeItem(at: dir)
        files = try consistent()
        files[MNIST.files[0].name] = try gzipped(idx(dimensions: [5, 28, 27]))
        dir = try folder(files)
        #expect { try MNIST.load(directory: dir) } throws: { "\($0)".contains("expected [N, 28, 28]") }
        try? FileManager.default.removeItem(at: dir)
        files = try consistent()
        files[MNIST.files[2].name] = Data([0x1f, 0x8b, 1, 2, 3])
        files["t10k-images-idx3-ubyte"] = nil
        dir = try folder(files)
        #expect { try MNIST.load(directory: dir) } throws: { "\($0)".contains("t10k-images-idx3-ubyte.gz") }
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func missingDataSaysWhatToDo() throws {
        let nowhere = FileManager.default.temporaryDirectory.appendingPathComponent("sgdiff-none-\(UUID().uuidString)").path
        #expect { try MNIST.locate(explicit: nowhere) } throws: { error in
            let text = "\(error)"
            return text.contains(nowhere) && text.contains("sgdiff data mnist") && text.contains("--mnist-dir")
        }
    }

    @Test func md5MatchesRFC1321TestSuite() {
        let suite: [(String, String)] = [
            ("", "d41d8cd98f00b204e9800998ecf8427e"), ("a", "0cc175b9c0f1b6a831c399e269772661"),
            ("abc", "900150983cd24fb0d6963f7d28e17f72"), ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
            ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
            ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
            (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a"),
        ]
        for (text, digest) in suite { #expect(MD5.hex(Data(text.utf8)) == digest, "MD5(\"\(text)\")") }
    }

    /// The shared copy CI uses, when present, is genuine MNIST (it is re-compressed, so its
    /// gzip checksums differ from the published ones; the content checksums must match).
    @Test func sharedCopyIsGenuine() throws {
        guard let dir = ProcessInfo.processInfo.environment["SGDIFF_MNIST_DIR"], FileManager.default.fileExists(atPath: dir) else { return }
        for (index, file) in MNIST.files.enumerated() {
            let data = try Data(contentsOf: URL(fileURLWithPath: dir).appendingPathComponent(file.name))
            #expect(MNIST.verify(data, file: index).ok, "\(file.name)")
        }
    }

    @Test func checksumVerificationRejectsOtherFiles() throws {
        let fake = try gzipped(idx(dimensions: [3, 28, 28]))
        #expect(!MNIST.verify(fake, file: 0).ok)
        #expect(!MNIST.verify(Data("x".utf8), file: 1).ok)
    }
}

@Suite struct InMemoryDataTests {
    @Test func inconsistentArraysAreRejected() {
        let pixels = [Float](repeating: 0, count: 784)
        #expect { try MNIST(trainImages: pixels, trainLabels: [1, 2], testImages: pixels, testLabels: [1]) } throws: { "\($0)".contains("784 per label") }
        #expect { try MNIST(trainImages: pixels, trainLabels: [10], testImages: pixels, testLabels: [1]) } throws: { "\($0)".contains("labels outside") }
        #expect { try MNIST(trainImages: [.nan] + pixels.dropFirst(), trainLabels: [1], testImages: pixels, testLabels: [1]) } throws: { "\($0)".contains("non-finite") }
        #expect { try MNIST(trainImages: [], trainLabels: [], testImages: pixels, testLabels: [1]) } throws: { "\($0)".contains("at least one") }
    }
}
