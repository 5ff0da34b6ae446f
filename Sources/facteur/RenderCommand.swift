import ArgumentParser
import FacturX
import Foundation
import InvoiceFormats
import InvoiceModel
import InvoiceValidation

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Produit la facture Factur-X (PDF/A-3 lisible, avec son XML CII embarqué) d'une facture CII ou UBL.",
        discussion: """
        La facture est d'abord vérifiée (schéma XML et règles EN 16931) : si elle est invalide, rien n'est écrit, les \
        anomalies sont affichées et le code de retour est 1 (sauf avec --force). Une facture UBL est convertie en CII. \
        Code de retour : 0 PDF écrit, 1 facture invalide, 2 erreur d'usage ou de lecture.
        """
    )

    @Argument(help: "Facture XML (CII ou UBL).")
    var input: String

    @Option(name: [.short, .long], help: "Fichier PDF à écrire.")
    var output: String

    @Option(name: .long, help: "Profil Factur-X : minimum, basicwl, basic, en16931, extended (par défaut celui du BT-24 de la facture, sinon en16931).")
    var profile: String?

    @Option(name: .long, help: "Langue de la facture imprimée : fr ou en.")
    var lang: OutputLanguage = .fr

    @Option(name: .long, help: "Logo du vendeur (PNG ou JPEG).")
    var logo: String?

    @Flag(name: .long, help: "Produit le PDF même si la facture est invalide.")
    var force = false

    mutating func run() throws {
        let en = lang == .en
        func fail(_ fr: String, _ english: String, code: Int32 = 2) -> ExitCode {
            writeStderr("facteur render: \(en ? english : fr)\n")
            return ExitCode(code)
        }
        var requested: FacturXProfile?
        if let p = profile {
            guard let parsed = FacturXProfile(name: p) else {
                throw fail("profil inconnu « \(p) » (minimum, basicwl, basic, en16931, extended)",
                           "unknown profile “\(p)” (minimum, basicwl, basic, en16931, extended)")
            }
            requested = parsed
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: input)) } catch {
            throw fail("lecture impossible de \(input) : \(error.localizedDescription)", "cannot read \(input): \(error.localizedDescription)")
        }
        var logoData: Data?
        if let logo {
            do { logoData = try Data(contentsOf: URL(fileURLWithPath: logo)) } catch {
                throw fail("lecture impossible du logo \(logo) : \(error.localizedDescription)", "cannot read the logo \(logo): \(error.localizedDescription)")
            }
        }
        let validator: Validator
        do { validator = try Validator() } catch {
            throw fail("artefacts de validation illisibles : \(error)", "cannot load the validation artefacts: \(error)")
        }
        let language: Language = en ? .en : .fr
        // A Factur-X PDF is checked with the Factur-X profile rules too (as check_pdf.py does), so an
        // invoice that would make a non-conformant PDF is refused before any PDF is written.
        let checks = ValidationOptions(profileRulesAlways: true)
        let report = validator.validate(data, file: input, options: checks)
        if !report.valid {
            writeStdout(TextReport.render(report, language: language))
            if !force || report.errors.contains(where: { $0.rule == "XML-PARSE" || $0.rule == "UNSUPPORTED-SYNTAX" }) {
                throw fail("facture invalide, PDF non produit (--force pour passer outre)",
                           "invalid invoice, no PDF written (--force to override)", code: 1)
            }
        }
        let invoice: Invoice, syntax: InvoiceSyntax
        do { (invoice, syntax) = try InvoiceDocument.read(data) } catch {
            throw fail(error.message(english: false), error.message(english: true), code: 1)
        }
        let declared = FacturXProfile(specificationIdentifier: invoice.processControl.specificationIdentifier)
        let chosen = requested ?? declared ?? .en16931
        // The validated bytes are embedded as they are whenever they already are the CII of the chosen
        // profile; otherwise (UBL, or another profile) the CII is written and validated in its turn.
        var xml = data
        if syntax != .cii || declared != chosen {
            xml = CII.write(invoice, profile: chosen)
            let second = validator.validate(xml, file: "factur-x.xml", options: checks)
            if !second.valid {
                writeStdout(TextReport.render(second, language: language))
                if !force {
                    throw fail("le XML CII produit (profil \(chosen.xmpLevel)) est invalide, PDF non produit",
                               "the CII written for profile \(chosen.xmpLevel) is invalid, no PDF written", code: 1)
                }
            }
        }
        let options = RenderOptions(language: en ? .en : .fr, logo: logoData)
        let pdf: Data
        do { pdf = try FacturX.render(invoice, xml: xml, profile: chosen, options: options) } catch {
            throw fail(error.message(english: false), error.message(english: true))
        }
        do { try pdf.write(to: URL(fileURLWithPath: output), options: .atomic) } catch {
            throw fail("écriture impossible de \(output) : \(error.localizedDescription)", "cannot write \(output): \(error.localizedDescription)")
        }
        writeStdout(en ? "OK \(output) (Factur-X \(chosen.xmpLevel), \(pdf.count) bytes)\n"
                       : "OK \(output) (Factur-X \(chosen.xmpLevel), \(pdf.count) octets)\n")
    }
}
