import Foundation
import NeuralNets

/// Where `reproduce` gets MNIST: an explicit folder, the usual places (`MNIST.locate`), or a
/// download into ~/.cache/sgd-diffusion/mnist when `download` allows it.
public struct MNISTSource: Sendable {
    public var explicitDirectory: String?
    public var download: Bool

    public init(explicitDirectory: String? = nil, download: Bool = true) {
        self.explicitDirectory = explicitDirectory
        self.download = download
    }

    public func load(log: (String) -> Void) throws -> (MNIST, URL) {
        let location: URL
        do {
            location = try MNIST.locate(explicit: explicitDirectory)
        } catch let failure as MNIST.Failure {
            guard download, explicitDirectory == nil else { throw failure }
            log("MNIST not found locally; downloading it to \(MNIST.defaultDirectory.path) (pass --no-mnist to skip §6)")
            location = try MNIST.download(to: MNIST.defaultDirectory, log: log)
        }
        return (try MNIST.load(directory: location), location)
    }
}
