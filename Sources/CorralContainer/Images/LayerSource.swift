public protocol LayerSource: Sendable { func lowerDirectories(forImage reference: String) throws -> [String] }
