import ArgumentParser
import FacturX
import Foundation
import PDF

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extrait la facture XML embarquée dans un PDF Factur-X / ZUGFeRD, ou le texte de ses pages (--text).",
        discussion: """
        Écrit le XML sur la sortie standard (ou dans -o FICHIER) et, sur la sortie d'erreur, le nom de la pièce jointe, \
        le profil déclaré dans les métadonnées XMP (fx:ConformanceLevel) et l'AFRelationship. Code de retour : 0 si la \
        facture a été extraite, 1 si le PDF ne contient pas de facture, 2 en cas d'erreur d'usage, de lecture ou de PDF illisible.
        """
    )

    @Argument(help: "Le fichier PDF.")
    var file: String

    @Option(name: [.short, .customLong("output")], help: "Écrit le XML dans ce fichier plutôt que sur la sortie standard.")
    var output: String?

    @Flag(name: .long, help: "Affiche le texte des pages au lieu du XML.")
    var text = false

    @Option(name: .long, help: "Langue des messages : fr ou en.")
    var lang: OutputLanguage = .fr

    mutating func run() throws {
        let en = lang == .en
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            writeStderr("facteur: \(file): " + (en ? "cannot read the file" : "lecture impossible") + "\n")
            throw ExitCode(2)
        }
        if text {
            do {
                let t = try FacturX.text(pdf: data)
                try emit(Data(t.utf8))
            } catch let e as FacturXExtractError {
                writeStderr("facteur: \(file): \(en ? e.description : e.frenchDescription)\n")
                throw ExitCode(2)
            }
            return
        }
        let invoice: ExtractedInvoice
        do {
            invoice = try FacturX.extract(pdf: data)
        } catch {
            writeStderr("facteur: \(file): \(en ? error.description : error.frenchDescription)\n")
            if case .noInvoice = error { throw ExitCode(1) }
            throw ExitCode(2)
        }
        let none = en ? "(none)" : "(aucun)"
        writeStderr((en ? "attachment: " : "pièce jointe : ") + invoice.attachmentName + "\n")
        writeStderr((en ? "profile (XMP): " : "profil (XMP) : ") + (invoice.xmpLevel ?? none) + "\n")
        writeStderr("AFRelationship" + (en ? ": " : " : ") + (invoice.relationship.map { "/" + $0 } ?? none) + "\n")
        try emit(invoice.xml)
    }

    func emit(_ data: Data) throws {
        if let output {
            do { try data.write(to: URL(fileURLWithPath: output)) } catch {
                writeStderr("facteur: \(output): " + (lang == .en ? "cannot write the file" : "écriture impossible") + "\n")
                throw ExitCode(2)
            }
        } else {
            FileHandle.standardOutput.write(data)
        }
    }
}
