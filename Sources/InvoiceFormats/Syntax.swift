import FacteurXML

/// XML namespaces of the two EN 16931 syntaxes.
public enum Namespace {
    public static let rsm = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    public static let ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    public static let udt = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
    public static let qdt = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
    public static let ublInvoice = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    public static let ublCreditNote = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
    public static let cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    public static let cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
    public static let zugferd1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"
}

/// Which syntax a document is written in, told by its root element.
public enum InvoiceSyntax: String, Sendable, Codable, CaseIterable {
    case cii
    case ublInvoice = "ubl-invoice"
    case ublCreditNote = "ubl-creditnote"

    public init?(root: QName) {
        switch (root.namespace, root.local) {
        case (Namespace.rsm, "CrossIndustryInvoice"): self = .cii
        case (Namespace.ublInvoice, "Invoice"): self = .ublInvoice
        case (Namespace.ublCreditNote, "CreditNote"): self = .ublCreditNote
        default: return nil
        }
    }

    /// `cii` or `ubl`, as the CLI and the JSON report name them.
    public var family: String { self == .cii ? "cii" : "ubl" }
}

/// Factur-X profiles (conformance levels), identified by BT-24.
public enum FacturXProfile: String, Sendable, Codable, CaseIterable {
    case minimum, basicWL = "basicwl", basic, en16931, extended

    /// The BT-24 value (guideline identifier) of each profile.
    public var specificationIdentifier: String {
        switch self {
        case .minimum: return "urn:factur-x.eu:1p0:minimum"
        case .basicWL: return "urn:factur-x.eu:1p0:basicwl"
        case .basic: return "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic"
        case .en16931: return "urn:cen.eu:en16931:2017"
        case .extended: return "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended"
        }
    }

    /// The XMP `fx:ConformanceLevel` value.
    public var xmpLevel: String {
        switch self {
        case .minimum: return "MINIMUM"
        case .basicWL: return "BASIC WL"
        case .basic: return "BASIC"
        case .en16931: return "EN 16931"
        case .extended: return "EXTENDED"
        }
    }

    /// Recognises a BT-24 value the way the reference factur-x tools do: the last `:`-separated
    /// token when it names a level, else the token before the year in the part before `#`
    /// (so `urn:cen.eu:en16931:2017#compliant#…xrechnung_2.0` is EN 16931).
    public init?(specificationIdentifier id: String) {
        let known = ["minimum": FacturXProfile.minimum, "basicwl": .basicWL, "basic": .basic, "en16931": .en16931, "extended": .extended]
        let otherLevels: Set<String> = ["extended-ctc-fr", "comfort"]
        var level = String(id.split(separator: ":", omittingEmptySubsequences: false).last ?? "")
        if known[level] == nil && !otherLevels.contains(level) {
            let cut = id.split(separator: "#", omittingEmptySubsequences: false).first.map(String.init) ?? id
            let parts = cut.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count >= 2 { level = String(parts[parts.count - 2]) }
        }
        guard let p = known[level] else { return nil }
        self = p
    }

    /// Parses the CLI spelling (`en16931`, `basic-wl`, `BASIC WL`, …).
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "-", with: "").replacingOccurrences(of: "_", with: "") {
        case "minimum": self = .minimum
        case "basicwl": self = .basicWL
        case "basic": self = .basic
        case "en16931", "comfort": self = .en16931
        case "extended": self = .extended
        default: return nil
        }
    }
}
