/// Free-form key/value metadata: `{"labels": [{"key", "value"}]}`.
public struct Labels: Codable, Hashable, Sendable, ExpressibleByDictionaryLiteral {
    /// The labels, in order; keys may repeat.
    public var labels: [Label]

    /// Wraps a list of labels.
    public init(_ labels: [Label] = []) { self.labels = labels }

    /// Builds labels from `key: value` pairs.
    public init(dictionaryLiteral elements: (String, String)...) {
        labels = elements.map { Label(key: $0.0, value: $0.1) }
    }

    /// The value of the first label with the key, if any.
    public subscript(key: String) -> String? {
        labels.first { $0.key == key }?.value
    }

    enum CodingKeys: String, CodingKey { case labels }

    /// Decodes `{"labels": [...]}`; a missing list is empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        labels = try container.decodeIfPresent([Label].self, forKey: .labels) ?? []
    }

    /// Encodes `{"labels": [...]}`, omitting an empty list as Mesos does.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !labels.isEmpty { try container.encode(labels, forKey: .labels) }
    }
}

/// One label: a key and an optional value.
public struct Label: Codable, Hashable, Sendable {
    /// The key.
    public var key: String
    /// The value, when there is one.
    public var value: String?

    /// Makes a label.
    public init(key: String, value: String? = nil) {
        self.key = key
        self.value = value
    }
}

/// A key/value pair, as in `URL.query` and Docker parameters.
public struct Parameter: Codable, Hashable, Sendable {
    /// The key.
    public var key: String
    /// The value.
    public var value: String

    /// Makes a parameter.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}

/// A list of parameters: `{"parameter": [...]}`.
public struct Parameters: Codable, Hashable, Sendable {
    /// The parameters.
    public var parameter: [Parameter]

    /// Wraps a list of parameters.
    public init(_ parameter: [Parameter] = []) { self.parameter = parameter }

    /// Decodes `{"parameter": [...]}`; a missing list is empty.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        parameter = try container.decodeIfPresent([Parameter].self, forKey: .parameter) ?? []
    }
}
