import Glibc

/// The one error type of the image store: what failed, why, and the underlying cause.
public struct ImageError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is; stable for callers and tests to match on.
    public enum Code: String, Sendable, Equatable {
        /// A file-system call failed (the message names the stage and path).
        case io
        /// A blob named by a descriptor is not in the image.
        case missingBlob
        /// A blob's SHA-256 or size differs from its descriptor.
        case digestMismatch
        /// A manifest, config or layer has a media type the store does not handle.
        case unsupportedMediaType
        /// JSON, tar or gzip content is malformed.
        case malformed
        /// A layer or archive entry would write outside its directory.
        case unsafePath
        /// No image has the given name.
        case notFound
        /// The request is not valid (for example a bad name).
        case invalidArgument
    }

    /// What kind of failure this is.
    public let code: Code
    /// A sentence saying what failed and why.
    public let message: String
    /// The underlying cause (an errno description or a nested error), if any.
    public let cause: String?

    /// Creates an error with a code, a message and an optional cause.
    public init(_ code: Code, _ message: String, cause: String? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message followed by its cause.
    public var description: String {
        if let cause { return "\(message): \(cause)" }
        return message
    }

    /// An `io` error for the failed `stage` on `path`, with the current `errno` as its cause.
    static func errno(_ stage: String, _ path: String, _ value: Int32 = Glibc.errno) -> ImageError {
        ImageError(.io, "\(stage) '\(path)' failed", cause: String(cString: strerror(value)))
    }

    /// Wraps any error as an `ImageError`, keeping it if it already is one.
    static func wrap(_ error: any Error, _ message: String) -> ImageError {
        if let imageError = error as? ImageError { return imageError }
        return ImageError(.io, message, cause: String(describing: error))
    }
}
