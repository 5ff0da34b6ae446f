import Foundation
import InvoiceModel

/// `/invoices` in the OpenAPI document: the contract billing software relies on.
extension OpenAPIDocument {
    static var invoicePaths: [String: Any] {
        let view = ref("Invoice")
        func action(_ summary: String, _ id: String, body: [String: Any]? = nil, ok: String = "200", errors: [String] = ["401", "403", "404", "409", "422"]) -> [String: Any] {
            var op: [String: Any] = ["summary": summary, "operationId": id, "responses": responses((ok, "The invoice", view), errors)]
            if let body { op["requestBody"] = ["required": true, "content": json(body)] }
            return op
        }
        func download(_ summary: String, _ id: String, _ type: String) -> [String: Any] {
            ["summary": summary, "operationId": id,
             "responses": ["200": ["description": summary, "content": [type: ["schema": ["type": "string", "format": "binary"]]]],
                           "401": ["description": "Missing, unknown or revoked API token", "content": problem],
                           "404": ["description": "No such invoice or document for the caller's company", "content": problem]]]
        }
        return [
            "/invoices": [
                "get": ["summary": "List invoices sent or received, with search, filters, sorting and pagination", "operationId": "listInvoices",
                        "parameters": [
                            ["name": "direction", "in": "query", "schema": ["type": "string", "enum": ["sent", "received"], "default": "sent"]],
                            ["name": "state", "in": "query", "schema": ["type": "string", "enum": ["draft", "issued"]]],
                            ["name": "status", "in": "query", "schema": ["type": "string"], "description": "Lifecycle codes, comma-separated (e.g. 205,211)"],
                            ["name": "q", "in": "query", "schema": ["type": "string"], "description": "Searches number, client name, seller name, SIREN"],
                            ["name": "from", "in": "query", "schema": ["type": "string", "format": "date"]],
                            ["name": "to", "in": "query", "schema": ["type": "string", "format": "date"]],
                            ["name": "minAmount", "in": "query", "schema": ["type": "string"]],
                            ["name": "maxAmount", "in": "query", "schema": ["type": "string"]],
                            ["name": "channel", "in": "query", "schema": ["type": "string"]],
                            ["name": "sort", "in": "query", "schema": ["type": "string", "enum": ["date", "-date", "number", "-number", "amount", "-amount", "client", "-client", "status", "-status"], "default": "-date"]],
                            ["name": "page", "in": "query", "schema": ["type": "integer", "minimum": 1, "default": 1]],
                            ["name": "perPage", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 200, "default": 50]],
                        ],
                        "responses": responses(("200", "A page of invoices", ref("InvoicePage")), ["401", "422"])],
                "post": ["summary": "Create a draft: a typed invoice (JSON), or a deposited file as the raw body (CII or UBL XML, Factur-X or plain PDF)",
                         "operationId": "createInvoice",
                         "requestBody": ["required": true, "content": [
                             "application/json": ["schema": ref("InvoiceEntry")],
                             "application/xml": ["schema": ["type": "string", "description": "CII D16B or UBL 2.1"]],
                             "application/pdf": ["schema": ["type": "string", "format": "binary", "description": "Factur-X / ZUGFeRD, or a plain PDF to complete"]],
                         ]],
                         "responses": responses(("201", "The draft", view), ["401", "403", "404", "409", "422"])],
            ],
            "/invoices/{id}": [
                "parameters": [idParameter],
                "get": action("Read an invoice (either party)", "getInvoice", errors: ["401", "404"]),
                "put": action("Replace a draft's content", "updateInvoice", body: ref("InvoiceEntry")),
                "delete": ["summary": "Delete a draft", "operationId": "deleteInvoice",
                           "responses": responses(("204", "Deleted", nil), ["401", "403", "404", "409"])],
            ],
            "/invoices/{id}/issue": ["parameters": [idParameter],
                                     "post": action("Validate (EN 16931 + French rules), number, freeze, render and deliver", "issueInvoice")],
            "/invoices/{id}/duplicate": ["parameters": [idParameter],
                                         "post": action("A new draft with the same content", "duplicateInvoice", ok: "201")],
            "/invoices/{id}/status": ["parameters": [idParameter],
                                      "post": action("Change the lifecycle status (2026 reform codes); 207, 208, 210 need a reason", "changeInvoiceStatus",
                                                     body: ref("StatusChange"))],
            "/invoices/{id}/payments": ["parameters": [idParameter],
                                        "post": action("Record a payment received (issuer); Encaissée (212) when fully paid", "recordPayment",
                                                       body: ["type": "object", "required": ["amount"], "properties": ["amount": ["type": "string"]]])],
            "/invoices/{id}/sent": ["parameters": [idParameter],
                                    "post": action("Mark an invoice to a client outside the network as sent by hand", "markInvoiceSent",
                                                   body: ["type": "object", "required": ["means"], "properties": [
                                                       "means": ["type": "string", "enum": ["email", "paper", "chorus_pro", "other"]],
                                                       "date": ["type": "string", "format": "date"]]])],
            "/invoices/{id}/credit-note": ["parameters": [idParameter],
                                           "post": action("Create a credit note (avoir) draft for all or some lines of an issued invoice", "createCreditNote", body: [
                                               "type": "object", "properties": ["lines": ["type": "array", "items": [
                                                   "type": "object", "required": ["line"],
                                                   "properties": ["line": ["type": "integer", "minimum": 1], "quantity": ["type": "string"]]]]]], ok: "201")],
            "/invoices/{id}/history": ["parameters": [idParameter],
                                       "get": ["summary": "The invoice's status history", "operationId": "getInvoiceHistory",
                                               "responses": responses(("200", "Events, oldest first", ref("InvoiceHistory")), ["401", "404"])]],
            "/invoices/{id}/pdf": ["parameters": [idParameter], "get": download("The Factur-X PDF", "getInvoicePDF", "application/pdf")],
            "/invoices/{id}/xml": ["parameters": [idParameter], "get": download("The CII XML", "getInvoiceXML", "application/xml")],
            "/invoices/{id}/original": ["parameters": [idParameter], "get": download("The deposited file, as received", "getInvoiceOriginal", "application/octet-stream")],
            "/webhooks": [
                "get": ["summary": "The company's webhooks (managers)", "operationId": "listWebhooks",
                        "responses": responses(("200", "Webhooks", ["type": "object", "properties": ["items": ["type": "array", "items": ref("Webhook")]]]), ["401", "403"])],
                "post": ["summary": "Register a webhook: every invoice event of the company is POSTed to it, signed (header Facteur-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with the secret>), retried with exponential backoff until a 2xx",
                         "operationId": "createWebhook",
                         "requestBody": ["required": true, "content": json(["type": "object", "required": ["url"], "properties": ["url": ["type": "string", "format": "uri"]]])],
                         "responses": responses(("201", "The webhook, with its secret (shown once)", ref("Webhook")), ["401", "403", "422"])],
            ],
            "/webhooks/{id}": ["parameters": [idParameter],
                               "delete": ["summary": "Deactivate a webhook", "operationId": "deleteWebhook", "responses": responses(("204", "Deactivated", nil), ["401", "403", "404"])]],
            "/webhooks/{id}/deliveries": ["parameters": [idParameter],
                                          "get": ["summary": "Recent deliveries with status, attempts, last error", "operationId": "listWebhookDeliveries",
                                                  "responses": responses(("200", "Deliveries", ["type": "object"]), ["401", "403", "404"])]],
            "/notification-templates/{kind}": [
                "parameters": [["name": "kind", "in": "path", "required": true, "schema": ["type": "string", "enum": ["received", "status"]]]],
                "get": ["summary": "The wording of a notification email (the company's or the default) and its variables", "operationId": "getNotificationTemplate",
                        "responses": responses(("200", "The template", ref("NotificationTemplate")), ["401", "404"])],
                "put": ["summary": "Reword a notification email (Mustache; refused when it does not render)", "operationId": "setNotificationTemplate",
                        "requestBody": ["required": true, "content": json(ref("TemplateInput"))],
                        "responses": responses(("200", "The template", ref("NotificationTemplate")), ["401", "403", "404", "422"])],
                "delete": ["summary": "Back to the default wording", "operationId": "resetNotificationTemplate",
                           "responses": responses(("204", "Reset", nil), ["401", "403", "404"])],
            ],
            "/notification-templates/{kind}/preview": [
                "parameters": [["name": "kind", "in": "path", "required": true, "schema": ["type": "string", "enum": ["received", "status"]]]],
                "post": ["summary": "Render a wording with example values", "operationId": "previewNotificationTemplate",
                         "requestBody": ["required": true, "content": json(ref("TemplateInput"))],
                         "responses": responses(("200", "Subject and body, or the error", ["type": "object", "properties": [
                             "subject": ["type": "string"], "body": ["type": "string"], "error": ["type": "string"]]]), ["401", "404", "422"])],
            ],
            "/users/{id}/notifications": ["parameters": [idParameter],
                                          "put": ["summary": "How a member is told of invoice events: immediate, digest (daily) or none", "operationId": "setNotificationMode",
                                                  "requestBody": ["required": true, "content": json(["type": "object", "required": ["mode"], "properties": [
                                                      "mode": ["type": "string", "enum": ["immediate", "digest", "none"]]]])],
                                                  "responses": responses(("200", "The choice", ["type": "object"]), ["401", "403", "404", "422"])]],
        ]
    }

    static var invoiceSchemas: [String: Any] {
        let decimal: [String: Any] = ["type": ["string", "number"], "description": "A decimal, preferably as a string (\"12.50\")"]
        let money: [String: Any] = ["type": "string", "description": "Exact decimal"]
        return [
            "InvoiceEntry": ["type": "object", "required": ["clientId", "lines"], "properties": [
                "clientId": ["type": "string"],
                "typeCode": ["type": "string", "enum": ["380", "381", "384", "386", "389"], "default": "380"],
                "issueDate": ["type": "string", "format": "date"], "dueDate": ["type": "string", "format": "date"],
                "currency": ["type": "string", "default": "EUR"],
                "operationCategory": ["type": "string", "enum": ["goods", "services", "mixed"]],
                "vatOnDebits": ["type": "boolean"],
                "buyerReference": ["type": "string", "description": "BT-10, Chorus Pro service code"],
                "purchaseOrderReference": ["type": "string", "description": "BT-13, engagement number"],
                "contractReference": ["type": "string"], "projectReference": ["type": "string"], "paymentTerms": ["type": "string"],
                "notes": ["type": "array", "items": ["type": "string"]],
                "precedingInvoiceNumber": ["type": "string"], "precedingInvoiceDate": ["type": "string", "format": "date"],
                "lines": ["type": "array", "minItems": 1, "items": ["type": "object", "required": ["description", "quantity", "unitPrice"], "properties": [
                    "description": ["type": "string"], "note": ["type": "string"], "quantity": decimal, "unit": ["type": "string", "default": "C62"],
                    "unitPrice": decimal, "discountPercent": decimal,
                    "vatCategory": ["type": "string", "enum": ["S", "Z", "E", "AE", "K", "G", "O", "L", "M"], "default": "S"],
                    "vatRate": decimal, "exemptionReason": ["type": "string"], "exemptionReasonCode": ["type": "string"]]]],
                "allowancesCharges": ["type": "array", "items": ["type": "object", "required": ["isCharge", "amount", "reason"], "properties": [
                    "isCharge": ["type": "boolean"], "amount": decimal, "reason": ["type": "string"],
                    "vatCategory": ["type": "string"], "vatRate": decimal]]],
            ]],
            "Invoice": ["type": "object", "required": ["id", "direction", "state", "typeCode", "currency", "totals"], "properties": [
                "id": ["type": "string"], "direction": ["type": "string", "enum": ["sent", "received"]],
                "state": ["type": "string", "enum": ["draft", "issued"]],
                "status": ["type": "object", "properties": ["code": ["type": "integer", "enum": LifecycleStatus.allCases.map(\.code)], "label": ["type": "string"]]],
                "number": ["type": "string"], "typeCode": ["type": "string"], "issueDate": ["type": "string"], "dueDate": ["type": "string"],
                "currency": ["type": "string"],
                "seller": ["type": "object", "properties": ["name": ["type": "string"], "siren": ["type": "string"]]],
                "buyer": ["type": "object", "properties": ["name": ["type": "string"], "siren": ["type": "string"]]],
                "clientId": ["type": "string"], "onNetwork": ["type": "boolean"],
                "totals": ["type": "object", "properties": ["withoutVAT": money, "vat": money, "withVAT": money, "amountDue": money, "paid": money, "outstanding": money]],
                "source": ["type": "string", "enum": ["entry", "cii", "ubl", "facturx", "pdf", "credit_note"]],
                "channel": ["type": "string"], "sentAt": ["type": "string"], "sentMeans": ["type": "string"], "creditedInvoiceId": ["type": "string"],
                "hasPDF": ["type": "boolean"], "hasXML": ["type": "boolean"], "createdAt": ["type": "string"], "issuedAt": ["type": "string"],
                "allowedStatusCodes": ["type": "array", "items": ["type": "integer"], "description": "The status changes the caller may make now"],
                "entry": ref("InvoiceEntry"),
                "invoice": ["type": "object", "description": "The EN 16931 semantic model of the invoice"],
            ]],
            "InvoicePage": ["type": "object", "properties": ["items": ["type": "array", "items": ref("Invoice")], "total": ["type": "integer"],
                                                             "page": ["type": "integer"], "perPage": ["type": "integer"]]],
            "Webhook": ["type": "object", "properties": ["id": ["type": "string"], "url": ["type": "string"], "active": ["type": "boolean"],
                                                         "createdAt": ["type": "string"], "secret": ["type": "string"]]],
            "TemplateInput": ["type": "object", "required": ["subject", "body"], "properties": ["subject": ["type": "string"], "body": ["type": "string"]]],
            "NotificationTemplate": ["type": "object", "properties": ["kind": ["type": "string"], "subject": ["type": "string"], "body": ["type": "string"],
                                                                      "custom": ["type": "boolean"], "variables": ["type": "object", "additionalProperties": ["type": "string"]]]],
            "StatusChange": ["type": "object", "required": ["code"], "properties": [
                "code": ["type": "integer", "enum": LifecycleStatus.allCases.map(\.code)], "reason": ["type": "string"]]],
            "InvoiceHistory": ["type": "object", "properties": ["items": ["type": "array", "items": ["type": "object", "properties": [
                "seq": ["type": "integer"], "at": ["type": "string"], "statusCode": ["type": "integer"], "label": ["type": "string"],
                "side": ["type": "string"], "actor": ["type": "string"], "reason": ["type": "string"], "amount": ["type": "string"]]]]]],
        ]
    }
}
