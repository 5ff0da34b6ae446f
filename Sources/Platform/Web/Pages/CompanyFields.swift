import Foundation
import Hummingbird

/// One form field as the shared `company-field` partial draws it: label bound to the input, hint
/// and error tied with `aria-describedby`, the value kept after a failed submission. Used by the
/// Ma société, Mes utilisateurs and Mes clients pages.
struct FieldSpec {
    var id: String
    var label: String
    var hint: String? = nil
    var type: String = "text"
    var required: Bool = false
    var textarea: Bool = false
    var options: [(value: String, label: String)]? = nil
    var checkbox: Bool = false
    var autocomplete: String? = nil
    var inputmode: String? = nil
    var list: String? = nil
    /// Field name when it differs from the id (several forms on one page).
    var name: String? = nil

    func model(_ form: FormState) -> [String: Any] {
        let value = form.values[id] ?? ""
        var describedBy: [String] = []
        if hint != nil { describedBy.append("\(id)-hint") }
        if form.errors[id] != nil { describedBy.append("\(id)-error") }
        var m: [String: Any] = ["id": id, "name": name ?? id, "label": label, "type": type, "value": value, "required": required,
                                "textarea": textarea, "checkbox": checkbox, "checked": value == "on" || value == "true",
                                "describedBy": describedBy.joined(separator: " "),
                                // Every key the partial reads is set, so that none is looked up in an enclosing context.
                                "hint": false, "error": false, "autocomplete": false, "inputmode": false, "list": false, "select": false, "options": false]
        if let hint { m["hint"] = hint }
        if let e = form.errors[id] { m["error"] = e }
        if let autocomplete { m["autocomplete"] = autocomplete }
        if let inputmode { m["inputmode"] = inputmode }
        if let list { m["list"] = list }
        if let options {
            m["select"] = true
            m["options"] = options.map { ["value": $0.value, "label": $0.label, "selected": $0.value == value] }
        }
        return m
    }
}

extension Array where Element == FieldSpec {
    func models(_ form: FormState) -> [[String: Any]] { map { $0.model(form) } }
}

extension WebContext {
    /// The current company's id and the person's role there (pages scoped to the current company).
    func requireRole() throws -> (companyID: String, role: Role) {
        let m = try requireMembership()
        return (m.companyID, Role(rawValue: m.role) ?? .viewer)
    }

    /// Who acts, for the audit trail.
    var actor: String { "user:\(user?.id ?? "?")" }

    func flashText(fr: String, en: String) -> FlashMessage { FlashMessage(.success, pick(fr: fr, en: en)) }
}

extension Lang {
    func decimal(_ s: String?) -> String {
        guard let s else { return "" }
        return self == .fr ? s.replacingOccurrences(of: ".", with: ",") : s
    }
}
