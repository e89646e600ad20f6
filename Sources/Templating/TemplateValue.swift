/// A value templates can read: the whole context of a page is one of these.
///
/// Contexts are plain data, so rendering never runs code: a template can only print values,
/// test them and loop over lists (Mustache is logic-less).
public enum TemplateValue: Sendable {
    /// Printed HTML-escaped by `{{name}}`, as it is by `{{{name}}}`. Truthy even when empty.
    case string(String)
    case int(Int)
    /// `{{#flag}}` renders its section only when true.
    case bool(Bool)
    /// `{{#list}}` renders its section once per element; an empty list is falsy.
    case list([TemplateValue])
    /// Named values; `{{a.b}}` looks up `b` in `a`.
    case object([String: TemplateValue])

    /// The value named `key` when this is an object.
    @inlinable
    public subscript(key: String) -> TemplateValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
