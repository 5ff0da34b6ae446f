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

    private static func profileFolder(_ p: FacturXProfile) -> String {
        switch p {
        case .minimum: return "facturx-minimum"
        case .basicWL: return "facturx-basicwl"
        case .basic: return "facturx-basic"
        case .en16931: return "facturx-en16931"
        case .extended: return "facturx-extended"
        }
    }

    /// The Factur-X XSD of a profile (stricter than CII D16B: only the profile's elements).
    func profileSchema(_ p: FacturXProfile) throws -> XMLSchema {
        let file: String
        switch p {
        case .minimum: file = "Factur-X_MINIMUM.xsd"
        case .basicWL: file = "Factur-X_BASICWL.xsd"
        case .basic: file = "Factur-X_BASIC.xsd"
        case .en16931: file = "Factur-X_EN16931.xsd"
        case .extended: file = "Factur-X_EXTENDED.xsd"
        }
        let path = Artefacts.url("artefacts/facturx/\(Artefacts.profileFolder(p))/\(file)").path
        return try lazySchemas.withLock { cache in
            if let s = cache[path] { return s }
            let s = try XMLSchema(path: path)
            cache[path] = s
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
        let file: String
        switch p {
        case .minimum: file = "Factur-X_1.09_MINIMUM.xsl"
        case .basicWL: file = "FACTUR-X_BASIC-WL.xslt"
        case .basic: file = "Factur-X_1.09_BASIC.xsl"
        case .en16931: file = "FACTUR-X_EN16931.xslt"
        case .extended: file = "FACTUR-X_EXTENDED.xslt"
        }
        return try rules(at: "artefacts/facturx/\(Artefacts.profileFolder(p))/\(file)")
    }

    /// The French reform's rules (BR-FR-*, "Flux 2").
    func frenchRules(_ syntax: InvoiceSyntax) throws -> Schematron {
        try rules(at: syntax == .cii ? "artefacts/fr-ctc/BR-FR-Flux2-Schematron-CII.xslt" : "artefacts/fr-ctc/BR-FR-Flux2-Schematron-UBL.xslt")
    }
}
