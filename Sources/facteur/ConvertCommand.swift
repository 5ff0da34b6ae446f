import ArgumentParser
import Foundation
import InvoiceFormats
import InvoiceModel

extension TargetSyntax: ExpressibleByArgument {}

/// `--profile` accepts the spellings `FacturXProfile(name:)` knows (en16931, basic-wl, "BASIC WL"…).
struct ProfileArgument: ExpressibleByArgument {
    let profile: FacturXProfile
    init?(argument: String) {
        guard let p = FacturXProfile(name: argument) else { return nil }
        profile = p
    }
    static var allValueStrings: [String] { FacturXProfile.allCases.map(\.rawValue) }
}

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convertit une facture CII en UBL 2.1, ou UBL en CII (profil Factur-X au choix).",
        discussion: "Le résultat va sur la sortie standard, ou dans le fichier donné par -o. Code de retour : 0 si la conversion a réussi, 1 si l'entrée ne peut pas être lue comme une facture, 2 en cas d'erreur d'usage ou de lecture/écriture."
    )

    @Argument(help: "Facture XML (CII ou UBL) à convertir.")
    var input: String

    @Option(name: .long, help: "Syntaxe de sortie : cii ou ubl.")
    var to: TargetSyntax

    @Option(name: .long, help: "Profil Factur-X de la sortie CII : minimum, basicwl, basic, en16931, extended.")
    var profile: ProfileArgument?

    @Option(name: .shortAndLong, help: "Fichier de sortie (sortie standard par défaut).")
    var output: String?

    @Option(name: .long, help: "Langue des messages : fr ou en.")
    var lang: OutputLanguage = .fr

    func validate() throws {
        if profile != nil && to != .cii {
            throw ValidationError(lang == .fr ? "--profile ne s'applique qu'à une sortie CII (--to cii)."
                                              : "--profile only applies to CII output (--to cii).")
        }
    }

    mutating func run() throws {
        let english = lang == .en
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: input))
        } catch {
            writeStderr(english ? "facteur: cannot read \(input): \(error.localizedDescription)\n"
                                : "facteur : impossible de lire \(input) : \(error.localizedDescription)\n")
            throw ExitCode(2)
        }
        let invoice: Invoice
        let syntax: InvoiceSyntax
        do {
            (invoice, syntax) = try InvoiceDocument.read(data)
        } catch {
            writeStderr("facteur: \(input): \(error.message(english: english))\n")
            throw ExitCode(1)
        }
        // MINIMUM and BASIC WL invoices have no lines; UBL requires at least one, so what comes out is
        // not a valid UBL invoice. The conversion still runs (the header is worth having), but says so.
        if to == .ubl, let source = FacturXProfile(specificationIdentifier: invoice.processControl.specificationIdentifier),
           source == .minimum || source == .basicWL {
            writeStderr(english
                ? "facteur: warning: \(input) is a Factur-X \(source.xmpLevel) invoice, without lines; the UBL written from it is not a valid EN 16931 invoice\n"
                : "facteur : attention : \(input) est une facture Factur-X \(source.xmpLevel), sans lignes ; l'UBL produit n'est pas une facture EN 16931 valide\n")
        }
        // EN 16931 allows several preceding invoices (BG-3); CII D16B and the Factur-X profiles below
        // EXTENDED take one only, so the CII written would fail its schema.
        let ciiProfile = profile?.profile ?? FacturXProfile(specificationIdentifier: invoice.processControl.specificationIdentifier)
        if to == .cii, invoice.precedingInvoices.count > 1, ciiProfile != .extended {
            writeStderr(english
                ? "facteur: warning: \(input) refers to \(invoice.precedingInvoices.count) preceding invoices (BG-3); CII takes only one below the EXTENDED profile (--profile extended)\n"
                : "facteur : attention : \(input) cite \(invoice.precedingInvoices.count) factures antérieures (BG-3) ; CII n'en accepte qu'une en dessous du profil EXTENDED (--profile extended)\n")
        }
        let out = InvoiceDocument.write(invoice, as: to, profile: profile?.profile)
        if let output {
            do {
                try out.write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                writeStderr(english ? "facteur: cannot write \(output): \(error.localizedDescription)\n"
                                    : "facteur : impossible d'écrire \(output) : \(error.localizedDescription)\n")
                throw ExitCode(2)
            }
            let from = syntax.family.uppercased(), target = to.rawValue.uppercased()
            writeStderr("\(input) (\(from)) → \(output) (\(target))\n")
        } else {
            FileHandle.standardOutput.write(out)
        }
    }
}
