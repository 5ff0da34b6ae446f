import FacteurXML
import Foundation
import InvoiceFormats
import Synchronization

/// The official artefacts shipped with Facteur (XSDs, schematrons), compiled on first use.
final class Artefacts: Sendable {
    let catalogue: RuleCatalogue
    let ciiSchema: XMLSchema
    let ublInvoiceSchema: XMLSchema
    let ublCreditNoteSchema: XMLSchema
    let ciiRules: Schematron
    let ublRules: Schematron

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

    func profileRules(_ profile: FacturXProfile) -> Schematron? { nil }
    func frenchRules(_ syntax: InvoiceSyntax) -> Schematron? { nil }
}
