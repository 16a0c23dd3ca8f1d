import Foundation
import Testing
import TestSupport

/// `--normals`: bad values, the record in result.json, and checkpoints that cannot be resumed
/// with the other generator.
@Suite struct NormalsCLITests {
    static let study = ["weak-error", "--problem", "double-well-2d", "--etas", "0.1,0.05", "--paths", "2000", "--phi", "x", "--quiet"]

    @Test(arguments: [["weak-error", "--normals", "gauss", "--quiet"], ["bench", "sde", "--normals", "gauss"]])
    func unknownNormalsListsTheChoices(arguments: [String]) throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(arguments, in: directory.url)
        #expect(out.status != 0)
        #expect(out.stderr.contains("'gauss' is invalid for '--normals") && out.stderr.contains("'box-muller' and 'ziggurat'"), "\(out.stderr)")
    }

    @Test func benchSDERefusesAGeneratorListedTwice() throws {
        let directory = TemporaryDirectory()
        let out = try Tool.run(["bench", "sde", "--normals", "ziggurat,box-muller,ziggurat"], in: directory.url)
        #expect(out.status != 0)
        #expect(out.stderr.contains("--normals lists ziggurat twice"), "\(out.stderr)")
    }

    @Test func theGeneratorIsRecordedAndGuardsTheCheckpoint() throws {
        let directory = TemporaryDirectory()
        #expect(try Tool.run(Self.study + ["--out", "zig", "--normals", "ziggurat"], in: directory.url).status == 0)
        #expect(try Tool.run(Self.study + ["--out", "bm"], in: directory.url).status == 0)
        let read = { (path: String) in try String(contentsOf: directory.url.appendingPathComponent(path), encoding: .utf8) }
        #expect(try read("zig/weak-error/result.json").contains("\"normals\" : \"ziggurat\""))
        #expect(try !read("bm/weak-error/result.json").contains("\"normals\""))
        #expect(try read("zig/weak-error/rows.csv") != read("bm/weak-error/rows.csv"))
        let resumed = try Tool.run(Self.study + ["--out", "zig"], in: directory.url)
        #expect(resumed.status != 0)
        #expect(resumed.stderr.contains("was written with --normals ziggurat, but this run uses --normals box-muller"), "\(resumed.stderr)")
        #expect(try Tool.run(Self.study + ["--out", "zig", "--restart"], in: directory.url).status == 0)
    }
}
