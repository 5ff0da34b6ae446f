import Foundation

/// Ma société and Mes utilisateurs in the OpenAPI document.
extension OpenAPIDocument {
    static var companyAndUserPaths: [String: Any] { [
        "/company": [
            "get": ["summary": "The token's company: identity and settings", "operationId": "getCompany",
                    "responses": responses(("200", "The company", ref("Company")), ["401"])],
            "put": ["summary": "Replace the company's settings (managers only). SIREN, SIRET and VAT number are fixed.", "operationId": "updateCompany",
                    "requestBody": ["required": true, "content": json(ref("CompanySettingsInput"))],
                    "responses": responses(("200", "Updated", ref("Company")), ["401", "403", "422"])],
        ],
        "/company/logo": [
            "get": ["summary": "The company's logo", "operationId": "getCompanyLogo",
                    "responses": [
                        "200": ["description": "The image", "content": ["image/png": ["schema": ["type": "string", "contentEncoding": "binary"]],
                                                                        "image/jpeg": ["schema": ["type": "string", "contentEncoding": "binary"]]]],
                        "401": ["description": "Missing, unknown or revoked API token", "content": problem],
                        "404": ["description": "No logo", "content": problem],
                    ]],
            "put": ["summary": "Replace the logo: a PNG or JPEG image of at most 512 KiB, recognised by its content", "operationId": "setCompanyLogo",
                    "requestBody": ["required": true, "content": ["image/png": ["schema": ["type": "string", "contentEncoding": "binary"]],
                                                                  "image/jpeg": ["schema": ["type": "string", "contentEncoding": "binary"]]]],
                    "responses": responses(("204", "Stored", nil), ["401", "403", "422"])],
            "delete": ["summary": "Remove the logo", "operationId": "deleteCompanyLogo",
                       "responses": responses(("204", "Removed", nil), ["401", "403"])],
        ],
        "/company/bank-accounts": [
            "get": ["summary": "The company's bank accounts", "operationId": "listBankAccounts",
                    "responses": responses(("200", "The accounts, oldest first", ref("BankAccountList")), ["401"])],
            "post": ["summary": "Add a bank account (IBAN checked by length and mod 97, BIC by format). The first one, or one sent with isDefault, becomes the default.",
                     "operationId": "createBankAccount",
                     "requestBody": ["required": true, "content": json(ref("BankAccountInput"))],
                     "responses": responses(("201", "Created", ref("BankAccount")), ["401", "403", "422"])],
        ],
        "/company/bank-accounts/{id}": [
            "parameters": [idParameter],
            "get": ["summary": "Read a bank account", "operationId": "getBankAccount",
                    "responses": responses(("200", "The account", ref("BankAccount")), ["401", "404"])],
            "put": ["summary": "Replace a bank account", "operationId": "replaceBankAccount",
                    "requestBody": ["required": true, "content": json(ref("BankAccountInput"))],
                    "responses": responses(("200", "Updated", ref("BankAccount")), ["401", "403", "404", "422"])],
            "delete": ["summary": "Delete a bank account (the oldest remaining becomes the default)", "operationId": "deleteBankAccount",
                       "responses": responses(("204", "Deleted", nil), ["401", "403", "404"])],
        ],
        "/users": [
            "get": ["summary": "The people who have access to the company, with their roles", "operationId": "listUsers",
                    "responses": responses(("200", "The members, principal manager first", ref("MemberList")), ["401"])],
        ],
        "/users/{id}": [
            "parameters": [idParameter],
            "get": ["summary": "Read a member", "operationId": "getUser", "responses": responses(("200", "The member", ref("Member")), ["401", "404"])],
            "put": ["summary": "Change a member's role (managers only; the principal manager stays a manager)", "operationId": "changeUserRole",
                    "requestBody": ["required": true, "content": json(ref("RoleInput"))],
                    "responses": responses(("200", "Updated", ref("Member")), ["401", "403", "404", "422"])],
            "delete": ["summary": "Remove the member's access to the company (managers only; not the principal manager)", "operationId": "removeUser",
                       "responses": responses(("204", "Removed", nil), ["401", "403", "404", "409"])],
        ],
        "/invitations": [
            "get": ["summary": "Pending invitations", "operationId": "listInvitations",
                    "responses": responses(("200", "Pending invitations, newest first", ref("InvitationList")), ["401"])],
            "post": ["summary": "Invite someone by email with a role (managers only). The link is single-use and expires after 7 days.",
                     "operationId": "createInvitation",
                     "requestBody": ["required": true, "content": json(ref("InvitationInput"))],
                     "responses": responses(("201", "Invited; acceptPath is the link (shown this once)", ref("Invitation")), ["401", "403", "409", "422"])],
        ],
        "/invitations/{id}": [
            "parameters": [idParameter],
            "delete": ["summary": "Cancel a pending invitation", "operationId": "revokeInvitation",
                       "responses": responses(("204", "Cancelled", nil), ["401", "403", "404"])],
        ],
    ] }

    static var roleSchema: [String: Any] { ["type": "string", "enum": Role.allCases.map(\.rawValue)] }

    static var settingsProperties: [String: Any] { [
        "name": ["type": "string", "minLength": 1], "legalForm": ["type": "string"],
        "shareCapital": ["type": "string", "description": "Decimal text in euros, e.g. \"10000.00\" (\"10 000,00\" accepted)"],
        "rcs": ["type": "string", "description": "e.g. RCS Lyon 842 157 307 (must contain the SIREN)"],
        "addressLine1": ["type": "string"], "addressLine2": ["type": "string"], "postCode": ["type": "string"], "city": ["type": "string"],
        "countryCode": ["type": "string", "pattern": "^[A-Z]{2}$", "default": "FR"],
        "invoicePrefix": ["type": "string", "maxLength": 12, "default": "F", "description": "Invoice numbers read PREFIX + year + \"-\" + 6-digit yearly sequence"],
        "paymentTermsDays": ["type": "integer", "minimum": 0, "maximum": 60, "default": 30],
        "latePenaltyRate": ["type": "string", "description": "Yearly late-payment penalty rate in percent, decimal text (\"12.15\")"],
        "recoveryIndemnityText": ["type": "string", "description": "The €40 fixed recovery indemnity mention"],
        "earlyPaymentDiscount": ["type": "string"], "legalMentions": ["type": "string"],
        "timeZone": ["type": "string", "default": "Europe/Paris", "description": "IANA time zone"],
    ] }

    static var companyAndUserSchemas: [String: Any] {
        var company = settingsProperties
        company["id"] = ["type": "string"]
        company["siren"] = ["type": "string", "pattern": "^[0-9]{9}$"]
        company["siret"] = ["type": "string", "pattern": "^[0-9]{14}$"]
        company["vatNumber"] = ["type": "string", "description": "FR + key + SIREN, computed from the SIREN"]
        company["nextInvoiceNumberExample"] = ["type": "string"]
        company["hasLogo"] = ["type": "boolean"]
        let bank: [String: Any] = ["label": ["type": "string", "minLength": 1], "holder": ["type": "string"],
                                   "iban": ["type": "string", "description": "Spaces allowed on input; stored compact"],
                                   "bic": ["type": "string", "pattern": "^[A-Za-z]{6}[A-Za-z0-9]{2}([A-Za-z0-9]{3})?$"], "isDefault": ["type": "boolean"]]
        var bankOut = bank
        bankOut["id"] = ["type": "string"]
        return [
            "Company": ["type": "object", "required": ["id", "siren", "siret", "name", "countryCode", "invoicePrefix", "paymentTermsDays",
                                                       "recoveryIndemnityText", "earlyPaymentDiscount", "timeZone", "hasLogo"],
                        "properties": company],
            "CompanySettingsInput": ["type": "object", "required": ["name"], "properties": settingsProperties],
            "BankAccountInput": ["type": "object", "required": ["label", "iban"], "properties": bank],
            "BankAccount": ["type": "object", "required": ["id", "label", "iban", "isDefault"], "properties": bankOut],
            "BankAccountList": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ref("BankAccount")]]],
            "Member": ["type": "object", "required": ["id", "email", "fullName", "role", "isPrincipal", "since"], "properties": [
                "id": ["type": "string"], "email": ["type": "string"], "fullName": ["type": "string"], "role": roleSchema,
                "isPrincipal": ["type": "boolean"], "since": ["type": "string", "format": "date-time"],
            ]],
            "MemberList": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ref("Member")]]],
            "RoleInput": ["type": "object", "required": ["role"], "properties": ["role": roleSchema]],
            "InvitationInput": ["type": "object", "required": ["email", "role"], "properties": ["email": ["type": "string", "format": "email"], "role": roleSchema]],
            "Invitation": ["type": "object", "required": ["id", "email", "role", "createdAt", "expiresAt", "status"], "properties": [
                "id": ["type": "string"], "email": ["type": "string"], "role": roleSchema,
                "createdAt": ["type": "string", "format": "date-time"], "expiresAt": ["type": "string", "format": "date-time"],
                "status": ["type": "string", "enum": ["pending", "accepted", "revoked", "expired"]],
                "acceptPath": ["type": "string", "description": "Only in the creation's answer"],
            ]],
            "InvitationList": ["type": "object", "required": ["items"], "properties": ["items": ["type": "array", "items": ref("Invitation")]]],
        ]
    }
}
