import ArgumentParser
import Foundation
import SGDDiffusion
import Synchronization

@main
struct SGDiff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sgdiff",
        abstract: "SGD and its diffusion approximation, simulated side by side, with the theory of Hu, Li, Li & Liu checked beside every measurement.",
        version: SoftwareInfo.currentVersion,
        subcommands: [Reproduce.self, WeakError.self, Simulate.self, EscapeSaddleCommand.self, EscapeMinimumCommand.self, AnnealCommand.self, BatchSizeCommand.self, BatchScheduleCommand.self, NormalDeviationsCommand.self, MomentumCommand.self, MNISTCommand.self, DataCommand.self, Merge.self, Bench.self, Problems.self])

    /// Set by SIGINT/SIGTERM: running ensembles stop after their current blocks, checkpoint,
    /// and exit with a message saying how to resume.
    static let interrupted = Atomic<Bool>(false)

    /// Picks the right OpenBLAS kernel before anything else runs (see `BLASRuntime`).
    static func main() {
        BLASRuntime.reexecIfBeneficial()
        signal(SIGINT) { _ in SGDiff.interrupted.store(true, ordering: .relaxed) }
        signal(SIGTERM) { _ in SGDiff.interrupted.store(true, ordering: .relaxed) }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(withError: userFacing(error))
        }
    }

    /// Foundation's file and JSON errors become one line saying the path and what went wrong;
    /// every other error already speaks to the user.
    static func userFacing(_ error: Error) -> Error {
        if error is DecodingError || error is CocoaError || error is POSIXError || String(describing: error).contains("Error Domain=") {
            return UserFacingError(reason(error))
        }
        return error
    }

    static var keepRunning: @Sendable () -> Bool { { !SGDiff.interrupted.load(ordering: .relaxed) } }
}
