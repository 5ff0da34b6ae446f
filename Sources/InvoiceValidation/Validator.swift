import Foundation
import FacteurXML
import InvoiceFormats

/// What to check. Defaults: XML Schema + EN 16931 rules (+ Factur-X profile rules when BT-24 names a
/// non-EN 16931 profile); French rules only on request.
public struct ValidationOptions: Sendable, Equatable {
    public var schema: Bool
    public var rules: Bool
    public var french: Bool
    /// Run the Factur-X profile schematron even for an EN 16931 invoice, as the reference does for the
    /// XML inside a Factur-X PDF (`validate_cii.py` on a PDF, or `--profile-rules always`).
    public var profileRulesAlways: Bool
    public init(schema: Bool = true, rules: Bool = true, french: Bool = false, profileRulesAlways: Bool = false) {
        self.schema = schema
        self.rules = rules
        self.french = french
        self.profileRulesAlways = profileRulesAlways
    }
}

enum ProcessControlIDs {
    static let en16931 = "urn:cen.eu:en16931:2017"
}

/// The verdict on one document.
public struct ValidationReport: Sendable, Codable, Equatable {
    public var file: String
    public var valid: Bool { errors.isEmpty }
    /// `cii` or `ubl`, nil when the document could not be recognised.
    public var syntax: String?
    /// BT-24 (specification identifier), e.g. `urn:cen.eu:en16931:2017`.
    public var profile: String?
    public var errors: [Finding]
    public var warnings: [Finding]

    public init(file: String, syntax: String? = nil, profile: String? = nil, errors: [Finding] = [], warnings: [Finding] = []) {
        self.file = file
        self.syntax = syntax
        self.profile = profile
        self.errors = errors
        self.warnings = warnings
    }
}

/// Checks invoices: XML well-formedness (safely), XML Schema, the EN 16931 rules of the CEN
/// artefacts for CII or UBL, and — on request — the French reform rules. Load once, share freely.
public final class Validator: Sendable {
    public let limits: XMLParseLimits
    let artefacts: Artefacts

    /// The profile of the usual BT-24 values, read once with `FacturXProfile(specificationIdentifier:)`:
    /// that initializer builds its lookup tables at every call (≈ 40,000 instructions, 1 % of a
    /// validation), a dictionary lookup gives the same answer. Other values are read as before.
    let usualProfiles: [String: FacturXProfile?]

    public init(limits: XMLParseLimits = .init()) throws {
        self.limits = limits
        self.artefacts = try Artefacts.load()
        var usual: [String: FacturXProfile?] = [:]
        for id in ["urn:cen.eu:en16931:2017", "urn:factur-x.eu:1p0:minimum", "urn:factur-x.eu:1p0:basicwl",
                   "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
                   "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended",
                   "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0",
                   "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"] {
            usual[id] = .some(FacturXProfile(specificationIdentifier: id))
        }
        self.usualProfiles = usual
    }

    func profile(_ specificationIdentifier: String) -> FacturXProfile? {
        if let known = usualProfiles[specificationIdentifier] { return known }
        return FacturXProfile(specificationIdentifier: specificationIdentifier)
    }

    public func validate(fileAt url: URL, options: ValidationOptions = .init()) -> ValidationReport {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            return ValidationReport(file: url.path, errors: [Finding(rule: "IO-ERROR", severity: .fatal, location: "/",
                message: LocalizedText(fr: "Lecture impossible : \(error.localizedDescription)", en: "Cannot read the file: \(error.localizedDescription)"))])
        }
        return validate(data, file: url.path, options: options)
    }

    public func validate(_ data: Data, file: String, options: ValidationOptions = .init()) -> ValidationReport {
        var report = ValidationReport(file: file)
        var notes: [String] = []
        let parsed: (tree: XMLTree, violations: [(String, [SchemaViolation])])
        // BT-24 is read once, while the schemas are chosen, and reused below.
        var spec: (read: Bool, value: String?) = (false, nil)
        do {
            parsed = try XMLParser.parse(data, limits: limits) { tree -> [(String, XMLSchema)] in
                guard options.schema, let syntax = InvoiceSyntax(root: tree.root.name) else { return [] }
                var schemas = [(syntax == .cii ? "XSD-CII-D16B" : "XSD-UBL-2.1", artefacts.schema(for: syntax))]
                spec = (true, specificationIdentifier(tree, syntax))
                if syntax == .cii, let level = spec.value.flatMap(profile) {
                    if let s = try? artefacts.profileSchema(level) {
                        schemas.append(("XSD-FACTURX-" + level.rawValue.uppercased(), s))
                    }
                }
                return schemas
            }
        } catch {
            report.errors.append(Finding(rule: "XML-PARSE", severity: .fatal, location: "/", line: error.line,
                                         message: error.localizedMessage))
            return report
        }
        let tree = parsed.tree
        let rootName = tree.root.name
        guard let syntax = InvoiceSyntax(root: rootName) else {
            let what = rootName.namespace == Namespace.zugferd1
                ? LocalizedText(fr: "ZUGFeRD 1.0 (CrossIndustryDocument) est antérieur à l'EN 16931 et n'est pas pris en charge",
                                en: "ZUGFeRD 1.0 (CrossIndustryDocument) predates EN 16931 and is not supported")
                : LocalizedText(fr: "L'élément racine {\(rootName.namespace)}\(rootName.local) n'est ni une facture CII ni une facture ou un avoir UBL 2.1",
                                en: "The root element {\(rootName.namespace)}\(rootName.local) is neither a CII invoice nor a UBL 2.1 Invoice/CreditNote")
            report.errors.append(Finding(rule: "UNSUPPORTED-SYNTAX", severity: .fatal, location: "/", line: tree.root.line, message: what))
            return report
        }
        report.syntax = syntax.family
        report.profile = spec.read ? spec.value : specificationIdentifier(tree, syntax)
        let knownProfile = syntax == .cii ? report.profile.flatMap(profile) : nil

        for (id, violations) in parsed.violations {
            for v in violations {
                report.errors.append(Finding(rule: id, severity: .fatal, location: "line \(v.line)", line: v.line,
                                             message: SchemaMessages.localized(v.message, line: v.line)))
            }
        }

        if syntax == .cii, let id = report.profile, knownProfile == nil {
            report.warnings.append(Finding(rule: "PROFILE-UNKNOWN", severity: .warning, term: "BT-24", location: "/", line: tree.root.line,
                message: LocalizedText(
                    fr: "BT-24 « \(id) » ne désigne aucun profil Factur-X connu (MINIMUM, BASIC WL, BASIC, EN 16931, EXTENDED) : seules les règles EN 16931 ont été appliquées.",
                    en: "BT-24 “\(id)” names no known Factur-X profile (MINIMUM, BASIC WL, BASIC, EN 16931, EXTENDED): only the EN 16931 rules were applied.")))
        }
        guard options.rules else { return report }
        // Which rule sets apply, as the reference validator decides: MINIMUM and BASIC WL are not
        // EN 16931 invoices and EXTENDED carries its own adapted EN 16931 rules, so for those only
        // the Factur-X profile schematron runs; BASIC gets both.
        var rulesets: [() throws -> Schematron] = []
        let level = knownProfile
        switch level {
        case .minimum?, .basicWL?, .extended?:
            rulesets.append { try self.artefacts.profileRules(level!) }
        case .basic?:
            rulesets.append { self.artefacts.ciiRules }
            rulesets.append { try self.artefacts.profileRules(.basic) }
        default:
            rulesets.append { syntax == .cii ? self.artefacts.ciiRules : self.artefacts.ublRules }
            // Like the factur-x package, a BT-24 that starts with the EN 16931 identifier (XRechnung…)
            // is read as the EN 16931 profile.
            if options.profileRulesAlways, syntax == .cii,
               let profile = level ?? (report.profile?.hasPrefix(ProcessControlIDs.en16931) == true ? .en16931 : nil) {
                rulesets.append { try self.artefacts.profileRules(profile) }
            }
        }
        if options.french {
            if level == .minimum {
                notes.append("French CTC rules are not applied to Factur-X MINIMUM")
            } else {
                rulesets.append { try self.artefacts.frenchRules(syntax) }
            }
        }

        for load in rulesets {
            let rules: Schematron
            do { rules = try load() } catch {
                report.errors.append(Finding(rule: "SCHEMATRON-ERROR", severity: .fatal, location: "/",
                    message: LocalizedText(fr: "Règles indisponibles : \(error)", en: "Rules unavailable: \(error)")))
                continue
            }
            do {
                for r in try rules.run(on: tree) {
                    let f = finding(r, tree)
                    if f.severity == .fatal { report.errors.append(f) } else { report.warnings.append(f) }
                }
            } catch {
                report.errors.append(Finding(rule: "SCHEMATRON-ERROR", severity: .fatal, location: "/",
                    message: LocalizedText(fr: "Évaluation impossible de la règle \(error.rule) (\(rules.name)) : \(error.error)",
                                           en: "Rule \(error.rule) (\(rules.name)) could not be evaluated: \(error.error)")))
            }
        }
        if options.french {
            report.warnings += FrenchIdentifierRules.check(tree, syntax: syntax)
        }
        _ = notes
        return report
    }

    /// The business rule id a finding is reported under. Factur-X schematrons use internal ids
    /// (`FX-SCH-A-000123`) and name the business rule in the text (`[BR-CO-10]-…`).
    static func ruleID(_ r: SchematronResult) -> String {
        let official = r.id
        if official.hasPrefix("BR-") || official.hasPrefix("UBL-") || official.hasPrefix("CII-") { return official }
        if let range = r.text.range(of: #"\[((BR|UBL|CII|PEPPOL|FX|DE|FR)[A-Z0-9]*(-[A-Z0-9]+)+)\]"#, options: .regularExpression) {
            return String(r.text[range].dropFirst().dropLast())
        }
        if official.isEmpty {
            return r.text.contains("not used in the given context") ? "FX-NOT-USED" : "UNNAMED-ASSERT"
        }
        return official
    }

    func finding(_ r: SchematronResult, _ tree: XMLTree) -> Finding {
        let id = Validator.ruleID(r)
        var (term, text) = artefacts.catalogue.message(rule: id, officialText: r.text)
        if id != r.id && !r.id.isEmpty {
            text.en += " (\(r.id))"
            text.fr += " (\(r.id))"
        }
        let severity: Severity = (r.flag == "warning" || r.flag == "information" || r.flag == "info") ? .warning : .fatal
        return Finding(rule: id, severity: severity, term: term, location: r.location, line: tree.line(r.node), path: tree.shortPath(r.node), message: text)
    }

    /// BT-24, read as the reference tools read it.
    func specificationIdentifier(_ tree: XMLTree, _ syntax: InvoiceSyntax) -> String? {
        let root = tree.root
        switch syntax {
        case .cii:
            return root.child(Namespace.rsm, "ExchangedDocumentContext")?
                .child(Namespace.ram, "GuidelineSpecifiedDocumentContextParameter")?
                .child(Namespace.ram, "ID")?.trimmedText
        case .ublInvoice, .ublCreditNote:
            return root.child(Namespace.cbc, "CustomizationID")?.trimmedText
        }
    }
}

extension XMLInputError {
    var line: Int? {
        if case .malformed(let line, _) = self { return line }
        return nil
    }

    var localizedMessage: LocalizedText {
        switch self {
        case .empty:
            return LocalizedText(fr: "Le document est vide.", en: "The document is empty.")
        case let .tooLarge(bytes, limit):
            return LocalizedText(fr: "Le document fait \(bytes) octets ; la limite est de \(limit) octets.",
                                 en: "The document is \(bytes) bytes long; the limit is \(limit) bytes.")
        case .doctypeForbidden:
            return LocalizedText(fr: "Le document déclare un DOCTYPE : refusé (les entités, internes ou externes, ne sont pas admises dans une facture).",
                                 en: "The document declares a DOCTYPE: refused (internal or external entities are not allowed in an invoice).")
        case let .malformed(line, message):
            return LocalizedText(fr: "XML mal formé à la ligne \(line) : \(message)", en: "Malformed XML at line \(line): \(message)")
        }
    }
}

extension Validator {
    /// Runs only the EN 16931 rules of `syntax` on an already parsed tree (no XSD): the way the
    /// official rule unit tests exercise them on document fragments.
    public func ruleFindings(tree: XMLTree, syntax: InvoiceSyntax) throws -> [Finding] {
        let rules = syntax == .cii ? artefacts.ciiRules : artefacts.ublRules
        return try rules.run(on: tree).map { finding($0, tree) }
    }
}

extension Validator {
    /// The EN 16931 rule set of a parsed document's syntax (for profiling).
    @_spi(Profiling) public func rules(for tree: XMLTree) -> Schematron? {
        guard let syntax = InvoiceSyntax(root: tree.root.name) else { return nil }
        return syntax == .cii ? artefacts.ciiRules : artefacts.ublRules
    }
}
