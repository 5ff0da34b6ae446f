import Foundation
import Hummingbird

/// The OpenAPI 3.1 description of `/api/v1`, served at `/api/v1/openapi.json`. Kept next to the
/// routes it describes; a test checks every route is in it and an independent validator reads it.
enum OpenAPIDocument {
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func json(_ schema: [String: Any]) -> [String: Any] { ["application/json": ["schema": schema]] }
    static var problem: [String: Any] { ["application/problem+json": ["schema": ref("Problem")]] }

    static func responses(_ ok: (String, String, [String: Any]?), _ errors: [String]) -> [String: Any] {
        var r: [String: Any] = [:]
        var success: [String: Any] = ["description": ok.1]
        if let schema = ok.2 { success["content"] = json(schema) }
        r[ok.0] = success
        let texts = ["401": "Missing, unknown or revoked API token", "403": "The token's role does not allow this change", "404": "No such object in the caller's company",
                     "409": "Conflicts with existing data", "422": "Invalid request: see `errors` for each field"]
        for e in errors { r[e] = ["description": texts[e] ?? e, "content": problem] }
        return r
    }

    static var idParameter: [String: Any] { ["name": "id", "in": "path", "required": true, "schema": ["type": "string"]] }

    static var baseDocument: [String: Any] { [
        "openapi": "3.1.0",
        "info": [
            "title": "Facteur API",
            "version": "1",
            "description": "E-invoicing exchange platform. Authenticate with a company API token: `Authorization: Bearer fct_…` (created in the UI or with `facteur token create`). Every call acts for that company only; another company's objects answer 404.",
        ],
        "servers": [["url": "/api/v1"]],
        "security": [["bearer": [String]()]],
        "paths": [
            "/company": ["get": ["summary": "The token's company", "operationId": "getCompany",
                                 "responses": responses(("200", "The company", ref("Company")), ["401"])]],
            "/clients": [
                "get": ["summary": "List clients", "operationId": "listClients",
                        "parameters": [
                            ["name": "q", "in": "query", "schema": ["type": "string"], "description": "Searches name, email, SIREN and SIRET"],
                            ["name": "page", "in": "query", "schema": ["type": "integer", "minimum": 1, "default": 1]],
                            ["name": "perPage", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 200, "default": 50]],
                            ["name": "archived", "in": "query", "schema": ["type": "boolean", "default": false], "description": "Include archived clients"],
                        ],
                        "responses": responses(("200", "A page of clients", ref("ClientPage")), ["401"])],
                "post": ["summary": "Create a client", "operationId": "createClient",
                         "requestBody": ["required": true, "content": json(ref("ClientInput"))],
                         "responses": responses(("201", "Created", ref("Client")), ["401", "403", "422"])],
            ],
            "/clients/import": ["post": [
                "summary": "Import clients from a CSV file (UTF-8, `;` or `,`, header line naming the columns: kind/type, name/nom, siren, siret, tva, emails, code_service, canal, adresse, code_postal, ville, pays…)",
                "operationId": "importClients",
                "parameters": [["name": "mode", "in": "query", "schema": ["type": "string", "enum": ["all", "partial"], "default": "all"],
                                "description": "all: nothing is imported when a line has an error; partial: valid lines are imported"]],
                "requestBody": ["required": true, "content": ["text/csv": ["schema": ["type": "string"]]]],
                "responses": responses(("200", "What was imported, and the errors line by line", ref("ImportReport")), ["401", "403", "422"]),
            ]],
            "/clients/{id}": [
                "parameters": [idParameter],
                "get": ["summary": "Read a client", "operationId": "getClient", "responses": responses(("200", "The client", ref("Client")), ["401", "404"])],
                "put": ["summary": "Replace a client", "operationId": "replaceClient",
                        "requestBody": ["required": true, "content": json(ref("ClientInput"))],
                        "responses": responses(("200", "Updated", ref("Client")), ["401", "403", "404", "422"])],
                "delete": ["summary": "Archive a client (kept for the invoices that name it)", "operationId": "archiveClient",
                           "responses": responses(("204", "Archived", nil), ["401", "403", "404"])],
            ],
        ],
        "components": [
            "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "description": "A company API token, fct_…"]],
            "schemas": [
                "Company": ["type": "object", "required": ["id", "siren", "siret", "name"], "properties": [
                    "id": ["type": "string"], "siren": ["type": "string", "pattern": "^[0-9]{9}$"],
                    "siret": ["type": "string", "pattern": "^[0-9]{14}$"], "name": ["type": "string"],
                    "legalForm": ["type": "string"], "shareCapital": ["type": "string"], "rcs": ["type": "string"],
                    "vatNumber": ["type": "string", "description": "FR + key + SIREN, computed from the SIREN"],
                ]],
                "ClientInput": ["type": "object", "required": ["kind", "name"], "properties": clientProperties(withID: false)],
                "Client": ["type": "object", "required": ["id", "kind", "name", "emails", "channel", "countryCode", "archived",
                                                          "serviceCodeRequired", "engagementRequired"],
                           "properties": clientProperties(withID: true)],
                "ClientPage": ["type": "object", "required": ["items", "total", "page", "perPage"], "properties": [
                    "items": ["type": "array", "items": ref("Client")], "total": ["type": "integer"],
                    "page": ["type": "integer"], "perPage": ["type": "integer"],
                ]],
                "ImportReport": ["type": "object", "required": ["mode", "imported", "rejected", "errors"], "properties": [
                    "mode": ["type": "string", "enum": ["all", "partial"]], "imported": ["type": "integer"], "rejected": ["type": "integer"],
                    "errors": ["type": "array", "items": ["type": "object", "required": ["line", "errors"], "properties": [
                        "line": ["type": "integer"], "errors": ["type": "array", "items": ref("FieldError")],
                    ]]],
                ]],
                "FieldError": ["type": "object", "required": ["field", "code", "fr", "en"], "properties": [
                    "field": ["type": "string"], "code": ["type": "string"], "fr": ["type": "string"], "en": ["type": "string"],
                ]],
                "Problem": ["type": "object", "description": "RFC 9457 problem details", "required": ["type", "title", "status"], "properties": [
                    "type": ["type": "string"], "title": ["type": "string"], "status": ["type": "integer"], "detail": ["type": "string"],
                    "errors": ["type": "array", "items": ref("FieldError")],
                ]],
            ],
        ],
    ] }

    /// The base document with Ma société and Mes utilisateurs (OpenAPI+Company.swift) merged in.
    static var document: [String: Any] {
        var doc = baseDocument
        var paths = doc["paths"] as? [String: Any] ?? [:]
        paths.merge(companyAndUserPaths) { _, new in new }
        paths.merge(invoicePaths) { _, new in new }
        doc["paths"] = paths
        var components = doc["components"] as? [String: Any] ?? [:]
        var schemas = components["schemas"] as? [String: Any] ?? [:]
        schemas.merge(companyAndUserSchemas) { _, new in new }
        schemas.merge(invoiceSchemas) { _, new in new }
        components["schemas"] = schemas
        doc["components"] = components
        return doc
    }

    static func clientProperties(withID: Bool) -> [String: Any] {
        var p: [String: Any] = [
            "kind": ["type": "string", "enum": Client.Kind.allCases.map(\.rawValue)],
            "name": ["type": "string", "minLength": 1],
            "siren": ["type": "string"], "siret": ["type": "string"], "vatNumber": ["type": "string"],
            "emails": ["type": "array", "items": ["type": "string", "format": "email"]],
            "serviceCode": ["type": "string", "description": "Chorus Pro service code"],
            "serviceCodeRequired": ["type": "boolean"], "engagementRequired": ["type": "boolean"],
            "channel": ["type": "string", "enum": Client.Channel.allCases.map(\.rawValue)],
            "addressLine1": ["type": "string"], "addressLine2": ["type": "string"], "postCode": ["type": "string"],
            "city": ["type": "string"], "countryCode": ["type": "string", "pattern": "^[A-Z]{2}$"],
        ]
        if withID {
            p["id"] = ["type": "string"]
            p["archived"] = ["type": "boolean"]
        }
        return p
    }

    static let data: Data = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data("{}".utf8)

    static func register(on router: Router<AppRequestContext>) {
        router.get("api/v1/openapi.json") { _, _ -> Response in
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}
