/// Float and Double: the precisions `GaussianStream` fills buffers in.
public protocol GaussianScalar: BinaryFloatingPoint, Sendable {
    static func fill(_ stream: GaussianStream, firstPath: Int, lanes: Int, firstDraw: Int, draws: Int,
                     stride: Int, into buffer: UnsafeMutablePointer<Self>)
}

extension Double: GaussianScalar {
    @inlinable
    public static func fill(_ stream: GaussianStream, firstPath: Int, lanes: Int, firstDraw: Int, draws: Int,
                            stride: Int, into buffer: UnsafeMutablePointer<Double>) {
        stream.fill(firstPath: firstPath, lanes: lanes, firstDraw: firstDraw, draws: draws, stride: stride, into: buffer)
    }
}

extension Float: GaussianScalar {
    @inlinable
    public static func fill(_ stream: GaussianStream, firstPath: Int, lanes: Int, firstDraw: Int, draws: Int,
                            stride: Int, into buffer: UnsafeMutablePointer<Float>) {
        stream.fill(firstPath: firstPath, lanes: lanes, firstDraw: firstDraw, draws: draws, stride: stride, into: buffer)
    }
}
