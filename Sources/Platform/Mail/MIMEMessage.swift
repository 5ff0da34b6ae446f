import Foundation

/// An email as bytes on the wire (RFC 5322 + MIME): headers with RFC 2047 encoded words for
/// non-ASCII text, a multipart/alternative body (plain text, then HTML) in base64, CRLF line ends.
public enum MIMEMessage {
    /// `Name <a@b.fr>` or `a@b.fr` → `a@b.fr`.
    public static func address(_ s: String) -> String {
        if let open = s.lastIndex(of: "<"), let close = s.lastIndex(of: ">"), open < close {
            return String(s[s.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
        }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// Header text with no line breaks (no header injection through a subject or a name).
    static func oneLine(_ s: String) -> String {
        s.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
    }

    /// RFC 2047: ASCII text as is; otherwise `=?UTF-8?B?…?=` words of at most 75 characters, split
    /// on character boundaries, separated by folding whitespace.
    public static func encodeWord(_ text: String) -> String {
        let text = oneLine(text)
        if text.unicodeScalars.allSatisfy({ $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F }) { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        for ch in text {
            let bytes = Array(String(ch).utf8)
            // 45 bytes → 60 base64 characters + 12 for `=?UTF-8?B?` and `?=`: 72 ≤ 75.
            if chunk.count + bytes.count > 45 {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words.joined(separator: "\r\n ")
    }

    /// `From:`/`To:` value: the display name encoded, the address as is.
    static func mailbox(_ s: String) -> String {
        let addr = oneLine(address(s))
        guard let open = s.lastIndex(of: "<") else { return addr }
        let name = s[..<open].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: .init(charactersIn: "\""))
        if name.isEmpty { return addr }
        let encoded = encodeWord(name)
        let quoted = encoded.hasPrefix("=?") ? encoded : "\"\(encoded.replacingOccurrences(of: "\"", with: ""))\""
        return "\(quoted) <\(addr)>"
    }

    static func base64Lines(_ text: String) -> String {
        let b64 = Data(text.utf8).base64EncodedString()
        var lines: [Substring] = []
        var i = b64.startIndex
        while i < b64.endIndex {
            let end = b64.index(i, offsetBy: 76, limitedBy: b64.endIndex) ?? b64.endIndex
            lines.append(b64[i..<end])
            i = end
        }
        return lines.joined(separator: "\r\n")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return f.string(from: date)
    }

    /// The full message, CRLF line ends, not yet dot-stuffed.
    public static func render(_ m: MailMessage, from: String, date: Date = Date(), messageID: String = UUID().uuidString.lowercased(),
                              boundary: String = "facteur-" + UUID().uuidString.lowercased()) -> String {
        let domain = address(from).split(separator: "@").last.map(String.init) ?? "facteur.localhost"
        var headers = [
            "From: \(mailbox(from))",
            "To: \(mailbox(m.to))",
            "Subject: \(encodeWord(m.subject))",
            "Date: \(rfc5322Date(date))",
            "Message-ID: <\(messageID)@\(domain)>",
            "MIME-Version: 1.0",
        ]
        var body: [String]
        if let html = m.html {
            headers.append("Content-Type: multipart/alternative; boundary=\"\(boundary)\"")
            body = [
                "This is a multipart message in MIME format.",
                "",
                "--\(boundary)",
                "Content-Type: text/plain; charset=utf-8",
                "Content-Transfer-Encoding: base64",
                "",
                base64Lines(m.text),
                "--\(boundary)",
                "Content-Type: text/html; charset=utf-8",
                "Content-Transfer-Encoding: base64",
                "",
                base64Lines(html),
                "--\(boundary)--",
            ]
        } else {
            headers.append("Content-Type: text/plain; charset=utf-8")
            headers.append("Content-Transfer-Encoding: base64")
            body = [base64Lines(m.text)]
        }
        return (headers + [""] + body).joined(separator: "\r\n") + "\r\n"
    }

    /// SMTP DATA transparency (RFC 5321 §4.5.2): a line starting with "." gets another one; bare
    /// LF become CRLF; the terminating `.` line is added.
    public static func dotStuffed(_ message: String) -> String {
        let normalized = message.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasPrefix(".") ? "." + $0 : String($0) }
        if lines.last == "" { lines.removeLast() }
        return lines.joined(separator: "\r\n") + "\r\n.\r\n"
    }
}
