import Foundation

/// Importing clients from a spreadsheet export (CSV). French spreadsheets separate with `;`,
/// others with `,`: the header line tells which. Column names may be French or English.
public enum ClientImport {
    public enum Mode: String, Sendable, Codable {
        /// Nothing is imported when any line has an error (the default: no half-imported files).
        case all
        /// Valid lines are imported, the others reported.
        case partial
    }

    public struct LineError: Sendable, Codable, Equatable {
        public var line: Int
        public var errors: [FieldError]
    }

    public struct Report: Sendable, Codable, Equatable {
        public var mode: Mode
        public var imported: Int
        public var rejected: Int
        public var errors: [LineError]
    }

    static let columns: [String: String] = Dictionary(columnNames.map { (key($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
    static let kinds: [String: Client.Kind] = Dictionary(kindNames.map { (key($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })
    static let channels: [String: Client.Channel] = Dictionary(channelNames.map { (key($0.key), $0.value) }, uniquingKeysWith: { a, _ in a })

    static let columnNames: [String: String] = [
        "kind": "kind", "type": "kind", "nature": "kind",
        "name": "name", "nom": "name", "raison sociale": "name", "raison_sociale": "name",
        "siren": "siren", "siret": "siret",
        "vat": "vatNumber", "vat_number": "vatNumber", "tva": "vatNumber", "numero_tva": "vatNumber", "n° tva": "vatNumber",
        "emails": "emails", "email": "emails", "courriel": "emails", "courriels": "emails",
        "service_code": "serviceCode", "code_service": "serviceCode", "code service": "serviceCode",
        "service_code_required": "serviceCodeRequired", "code_service_obligatoire": "serviceCodeRequired",
        "engagement_required": "engagementRequired", "engagement_obligatoire": "engagementRequired",
        "channel": "channel", "canal": "channel",
        "address_line1": "addressLine1", "adresse": "addressLine1", "adresse1": "addressLine1",
        "address_line2": "addressLine2", "adresse2": "addressLine2", "complement": "addressLine2",
        "post_code": "postCode", "code_postal": "postCode", "cp": "postCode",
        "city": "city", "ville": "city", "country": "countryCode", "pays": "countryCode", "country_code": "countryCode",
    ]

    static let kindNames: [String: Client.Kind] = [
        "business": .business, "entreprise": .business, "professionnel": .business,
        "public_body": .publicBody, "public": .publicBody, "entite_publique": .publicBody, "entité publique": .publicBody, "administration": .publicBody,
        "individual": .individual, "particulier": .individual,
    ]

    static let channelNames: [String: Client.Channel] = [
        "network": .network, "facteur": .network, "reseau": .network, "réseau": .network,
        "email": .email, "courriel": .email, "chorus_pro": .chorusPro, "chorus": .chorusPro, "chorus pro": .chorusPro,
        "paper": .paper, "papier": .paper, "courrier": .paper,
    ]

    /// Header names and code values compared without case, accents, spaces or hyphens.
    static func key(_ s: String) -> String {
        s.trimmingCharacters(in: .whitespaces).lowercased().folding(options: .diacriticInsensitive, locale: nil)
            .replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "-", with: "_")
    }

    /// RFC 4180 fields: quotes, doubled quotes, separators and newlines inside quotes.
    static func rows(_ text: String, separator: Character) -> [(line: Int, fields: [String])] {
        var rows: [(Int, [String])] = []
        var field = "", fields: [String] = []
        var inQuotes = false, line = 1, rowStart = 1
        var chars = Array(text)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.append("\""); i += 1 } else { inQuotes = false }
                } else {
                    if c == "\n" { line += 1 }
                    field.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                inQuotes = true
            } else if c == separator {
                fields.append(field)
                field = ""
            } else if c == "\n" || c == "\r\n" || c == "\r" {
                fields.append(field)
                if !(fields.count == 1 && fields[0].isEmpty) { rows.append((rowStart, fields)) }
                fields = []
                field = ""
                line += 1
                rowStart = line
            } else {
                field.append(c)
            }
            i += 1
        }
        if !field.isEmpty || !fields.isEmpty {
            fields.append(field)
            rows.append((rowStart, fields))
        }
        return rows
    }

    static func bool(_ s: String) -> Bool? {
        switch s.trimmingCharacters(in: .whitespaces).lowercased() {
        case "", "0", "non", "no", "false", "faux", "n": return s.trimmingCharacters(in: .whitespaces).isEmpty ? nil : false
        case "1", "oui", "yes", "true", "vrai", "o", "y", "x": return true
        default: return nil
        }
    }

    /// Reads the file into clients (or line errors). Lines are numbered as in the file.
    public static func parse(_ data: Data) -> (clients: [(line: Int, client: Client)], errors: [LineError]) {
        guard let text = String(data: data, encoding: .utf8) else {
            return ([], [LineError(line: 1, errors: [FieldError("file", "encoding", fr: "Le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 ».",
                                                                 en: "The file is not UTF-8: save it as “CSV UTF-8”.")])])
        }
        let firstLine = text.prefix(while: { $0 != "\n" && $0 != "\r" })
        let separator: Character = firstLine.filter { $0 == ";" }.count >= firstLine.filter { $0 == "," }.count ? ";" : ","
        let all = rows(text, separator: separator)
        guard let header = all.first else {
            return ([], [LineError(line: 1, errors: [FieldError("file", "empty", fr: "Le fichier est vide.", en: "The file is empty.")])])
        }
        var keys: [String?] = []
        var unknown: [String] = []
        for h in header.fields {
            let name = key(h)
            keys.append(columns[name])
            if columns[name] == nil && !name.isEmpty { unknown.append(h) }
        }
        if !keys.contains("name") || !keys.contains("kind") {
            return ([], [LineError(line: 1, errors: [FieldError("header", "columns",
                fr: "La première ligne doit nommer les colonnes, dont « type » et « nom » (colonnes inconnues : \(unknown.joined(separator: ", "))).",
                en: "The first line must name the columns, including “kind” and “name” (unknown columns: \(unknown.joined(separator: ", "))).")])])
        }
        var clients: [(Int, Client)] = []
        var errors: [LineError] = []
        for row in all.dropFirst() {
            var v: [String: String] = [:]
            for (i, f) in row.fields.enumerated() where i < keys.count {
                if let k = keys[i] { v[k] = f.trimmingCharacters(in: .whitespacesAndNewlines) }
            }
            var lineErrors: [FieldError] = []
            let kindText = key(v["kind"] ?? "")
            guard let kind = kinds[kindText] else {
                lineErrors.append(FieldError("kind", "invalid", fr: "Type « \(v["kind"] ?? "") » inconnu : entreprise, entité publique ou particulier.",
                                             en: "Unknown kind “\(v["kind"] ?? "")”: business, public_body or individual."))
                errors.append(LineError(line: row.line, errors: lineErrors))
                continue
            }
            var channel: Client.Channel?
            if let c = v["channel"], !c.isEmpty {
                channel = channels[key(c)]
                if channel == nil {
                    lineErrors.append(FieldError("channel", "invalid", fr: "Canal « \(c) » inconnu : réseau, courriel, chorus pro ou papier.",
                                                 en: "Unknown channel “\(c)”: network, email, chorus_pro or paper."))
                }
            }
            let emails = (v["emails"] ?? "").split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }).map(String.init)
            let input = ClientInput(kind: kind, name: v["name"] ?? "", siren: v["siren"]?.nilIfEmpty, siret: v["siret"]?.nilIfEmpty,
                                    vatNumber: v["vatNumber"]?.nilIfEmpty, emails: emails, serviceCode: v["serviceCode"]?.nilIfEmpty,
                                    serviceCodeRequired: v["serviceCodeRequired"].flatMap(bool), engagementRequired: v["engagementRequired"].flatMap(bool),
                                    channel: channel, addressLine1: v["addressLine1"]?.nilIfEmpty, addressLine2: v["addressLine2"]?.nilIfEmpty,
                                    postCode: v["postCode"]?.nilIfEmpty, city: v["city"]?.nilIfEmpty, countryCode: v["countryCode"]?.nilIfEmpty)
            var client = input.client
            lineErrors += client.normalizeAndCheck()
            if lineErrors.isEmpty { clients.append((row.line, client)) } else { errors.append(LineError(line: row.line, errors: lineErrors)) }
        }
        return (clients, errors)
    }

    /// Imports in one transaction: all lines or none in `.all` mode, the valid ones in `.partial` mode.
    public static func run(_ db: Database, companyID: String, data: Data, mode: Mode, actor: String, ip: String?) async throws -> Report {
        let (clients, errors) = parse(data)
        if mode == .all && !errors.isEmpty {
            return Report(mode: mode, imported: 0, rejected: clients.count + errors.count, errors: errors)
        }
        let now = ISOTime.string(Date())
        let toInsert = clients.map { line, c -> Clients.Row in
            var c = c
            c.id = UUID().uuidString.lowercased()
            return Clients.Row(c, companyID: companyID, createdAt: now, updatedAt: now)
        }
        if !toInsert.isEmpty {
            try await db.sql.transaction { tx in
                for row in toInsert { try await tx.insert(into: "clients").model(row).run() }
                try await AuditLog.append(tx, companyID: companyID, actor: actor, ip: ip, action: "client.import", subject: "clients",
                                          details: ["imported": String(toInsert.count), "rejected": String(errors.count), "mode": mode.rawValue])
            }
        }
        return Report(mode: mode, imported: toInsert.count, rejected: errors.count, errors: errors)
    }
}
