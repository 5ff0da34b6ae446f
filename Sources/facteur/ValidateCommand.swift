import ArgumentParser
import Foundation
import InvoiceValidation

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Vérifie des factures CII ou UBL : schéma XML, règles EN 16931, et règles françaises avec --fr.",
        discussion: "Sortie : « OK fichier » ou « KO fichier » suivi des anomalies. Code de retour : 0 si tout est valide, 1 si une facture est invalide, 2 en cas d'erreur d'usage ou de lecture."
    )

    @Argument(help: "Fichiers XML (CII, UBL) à vérifier, ou dossiers (parcourus à la recherche de *.xml).")
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
            var report = validator.validate(fileAt: url, options: options)
            report.file = file
            if report.errors.contains(where: { $0.rule == "IO-ERROR" }) { ioError = true }
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
            let found = walker.compactMap { $0 as? String }.filter { $0.lowercased().hasSuffix(".xml") }.sorted()
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
