import Foundation

/// How bad a finding is. `fatal` makes the document invalid; `warning` does not.
public enum Severity: String, Sendable, Codable, Equatable {
    case fatal
    case warning
}

/// A text shown to users, in French (default) and English.
public struct LocalizedText: Sendable, Codable, Equatable {
    public var fr: String
    public var en: String
    public init(fr: String, en: String) { self.fr = fr; self.en = en }
    public func text(_ language: Language) -> String { language == .fr ? fr : en }
}

public enum Language: String, Sendable, Codable, CaseIterable {
    case fr, en
}

/// One broken rule, located in the document.
public struct Finding: Sendable, Codable, Equatable {
    /// Official rule id (`BR-CO-10`, `CII-SR-465`, `XSD-CII-D16B`, `BR-FR-10_BT-30`, …).
    public var rule: String
    public var severity: Severity
    /// The EN 16931 business term or group concerned (`BT-106`, `BG-23`), when the rule names one.
    public var term: String?
    /// XPath-like location of the offending element, as the official schematron reports it.
    public var location: String
    /// 1-based line of the offending element in the source document, when known.
    public var line: Int?
    /// A short readable path (`/Invoice/InvoiceLine[2]/Price`), when the finding is on an element.
    public var path: String?
    public var message: LocalizedText

    public init(rule: String, severity: Severity, term: String? = nil, location: String, line: Int? = nil, path: String? = nil,
                message: LocalizedText) {
        self.rule = rule
        self.severity = severity
        self.term = term
        self.location = location
        self.line = line
        self.path = path
        self.message = message
    }
}
