import ArgumentParser
import FacturX
import Foundation
import InvoiceValidation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Vérifie des factures CII ou UBL, ou des PDF Factur-X (conteneur et XML embarqué) : schéma XML, règles EN 16931, et règles françaises avec --fr.",
        discussion: "Sortie : « OK fichier » ou « KO fichier » suivi des anomalies. Code de retour : 0 si tout est valide, 1 si une facture est invalide, 2 en cas d'erreur d'usage ou de lecture."
    )

    @Argument(help: "Fichiers XML (CII, UBL) ou PDF Factur-X à vérifier, ou dossiers (parcourus à la recherche de *.xml et *.pdf).")
    var files: [String]

    @Option(name: .long, help: "Format de sortie : text ou json.")
    var format: OutputFormat = .text

    @Flag(name: .long, help: "Ajoute les règles françaises (SIREN/SIRET, TVA, BR-FR de la réforme 2026).")
    var fr = false

    @Option(name: .long, help: "Langue des messages : fr ou en.")
    var lang: OutputLanguage = .fr

    @Flag(name: .long, help: "Sans vérification du schéma XML.")
    var noSchema = false

    mutating func run() throws {
        let validator: Validator
        do { validator = try Validator() } catch {
            writeStderr("facteur: cannot load the validation artefacts: \(error)\n")
            throw ExitCode(2)
        }
        let language: Language = lang == .fr ? .fr : .en
        let options = ValidationOptions(schema: !noSchema, rules: true, french: fr)
        var anyInvalid = false
        var ioError = false
        var reports: [ValidationReport] = []
        for file in expand(files) {
            let url = URL(fileURLWithPath: file)
            var isDir: ObjCBool = false
            if !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) || isDir.boolValue {
                ioError = true
                let msg = LocalizedText(fr: "fichier introuvable", en: "no such file")
                reports.append(ValidationReport(file: file, errors: [Finding(rule: "IO-ERROR", severity: .fatal, location: "/", message: msg)]))
                continue
            }
            var report = PDFValidation.isPDF(url)
                ? PDFValidation.validate(url, validator: validator, options: options)
                : validator.validate(fileAt: url, options: options)
            report.file = file
            // An unreadable or encrypted PDF cannot be checked: an input error, like an unreadable file.
            if report.errors.contains(where: { ["IO-ERROR", "PDF-OPEN", "PDF-ENCRYPTED"].contains($0.rule) }) { ioError = true }
            if !report.valid { anyInvalid = true }
            reports.append(report)
        }
        switch format {
        case .text:
            for r in reports { writeStdout(TextReport.render(r, language: language)) }
        case .json:
            writeStdout(JSONReport.render(reports, language: language) + "\n")
        }
        if ioError { throw ExitCode(2) }
        if anyInvalid { throw ExitCode(1) }
    }

    /// Directories are walked for XML files, in a stable order; files are taken as given.
    func expand(_ paths: [String]) -> [String] {
        paths.flatMap { path -> [String] in
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue,
                  let walker = FileManager.default.enumerator(atPath: path) else { return [path] }
            let found = walker.compactMap { $0 as? String }.filter { $0.lowercased().hasSuffix(".xml") || $0.lowercased().hasSuffix(".pdf") }.sorted()
            return found.map { (path as NSString).appendingPathComponent($0) }
        }
    }
}

enum TextReport {
    static func render(_ r: ValidationReport, language: Language) -> String {
        var out = "\(r.valid ? "OK" : "KO") \(r.file)\n"
        for f in r.errors + r.warnings {
            var head = "  \(f.rule) [\(f.severity.rawValue)]"
            if let t = f.term { head += " \(t)" }
            if let l = f.line, l > 0 { head += (language == .fr ? " ligne " : " line ") + String(l) }
            if let p = f.path { head += " " + p }
            out += head + "\n      " + f.message.text(language) + "\n"
        }
        return out
    }
}

enum JSONReport {
    struct Item: Encodable {
        var rule: String
        var severity: String
        var term: String?
        var location: String
        var line: Int?
        var path: String?
        var message: String
    }

    struct File: Encodable {
        var file: String
        var valid: Bool
        var syntax: String?
        var profile: String?
        var errors: [Item]
        var warnings: [Item]
    }

    static func render(_ reports: [ValidationReport], language: Language) -> String {
        let files = reports.map { r in
            File(file: r.file, valid: r.valid, syntax: r.syntax, profile: r.profile,
                 errors: r.errors.map { item($0, language) }, warnings: r.warnings.map { item($0, language) })
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(files)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func item(_ f: Finding, _ language: Language) -> Item {
        Item(rule: f.rule, severity: f.severity.rawValue, term: f.term, location: f.location, line: f.line, path: f.path, message: f.message.text(language))
    }
}

/// `facteur validate FILE.pdf`: the Factur-X container checks (rule ids of the reference checker:
/// `FX-*`, `PDFA-*`, `PDF-*`), then the embedded XML through the same validator as an XML file.
enum PDFValidation {
    static func isPDF(_ url: URL) -> Bool {
        if url.pathExtension.lowercased() == "pdf" { return true }
        // A file named .xml is validated as XML whatever it holds (a PDF named .xml is a malformed XML).
        if url.pathExtension.lowercased() == "xml" { return false }
        guard let h = try? FileHandle(forReadingFrom: url) else { return false }
        defer { try? h.close() }
        let head = (try? h.read(upToCount: 5)) ?? Data()
        return head == Data("%PDF-".utf8)
    }

    static func validate(_ url: URL, validator: Validator, options: ValidationOptions) -> ValidationReport {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            return ValidationReport(file: url.path, errors: [Finding(rule: "IO-ERROR", severity: .fatal, location: "/",
                message: LocalizedText(fr: "Lecture impossible : \(error.localizedDescription)", en: "Cannot read the file: \(error.localizedDescription)"))])
        }
        let container = FacturX.checkContainer(pdf: data)
        func finding(_ c: ContainerFinding) -> Finding {
            Finding(rule: c.rule, severity: .fatal, location: "/", message: LocalizedText(fr: c.french, en: c.english))
        }
        var report = ValidationReport(file: url.path)
        report.errors = container.findings.map(finding)
        if container.unreadable { return report }
        guard let xml = container.xml else { return report }
        // The reference applies the Factur-X profile rules to the XML of every Factur-X PDF.
        var pdfOptions = options
        pdfOptions.profileRulesAlways = true
        let inner = validator.validate(xml, file: url.path, options: pdfOptions)
        report.syntax = inner.syntax
        report.profile = inner.profile
        report.warnings = inner.warnings
        for e in inner.errors {
            if e.rule == "XML-PARSE" {
                // As the reference checker: a malformed embedded XML is a container finding.
                var f = e
                f.rule = "FX-XML-PARSE"
                f.message = LocalizedText(fr: "le XML embarqué (\(container.attachmentName ?? "")) est mal formé : " + e.message.fr,
                                          en: "the embedded XML (\(container.attachmentName ?? "")) is not well-formed: " + e.message.en)
                report.errors.append(f)
            } else {
                report.errors.append(e)
            }
        }
        if let xsd = inner.errors.first(where: { $0.rule.hasPrefix("XSD-FACTURX-") }) {
            report.errors.insert(Finding(rule: "FX-XML-XSD", severity: .fatal, location: "/", line: xsd.line,
                message: LocalizedText(fr: "le XML embarqué n'est pas valide selon le schéma XSD de son profil Factur-X (\(xsd.rule))",
                                       en: "the embedded XML is not valid against its Factur-X profile XSD (\(xsd.rule))")),
                                 at: container.findings.count)
        }
        if let m = FacturX.levelMismatch(xmpLevel: container.xmpLevel, specificationIdentifier: inner.profile) {
            report.errors.insert(finding(m), at: container.findings.count)
        }
        return report
    }
}
