import Foundation

/// The emails Facteur sends, in French or English, as plain text and HTML.
public enum MailTemplates {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Paragraphs and one button-like link, in a plain, widely supported HTML layout.
    static func html(lang: Lang, paragraphs: [String], link: String, linkLabel: String, after: [String]) -> String {
        let p = paragraphs.map { "<p style=\"margin:0 0 16px\">\(escape($0))</p>" }.joined()
        let a = after.map { "<p style=\"margin:0 0 12px;color:#555;font-size:14px\">\(escape($0))</p>" }.joined()
        return """
        <!DOCTYPE html><html lang="\(lang.rawValue)"><head><meta charset="utf-8"><title>Facteur</title></head>
        <body style="font-family:Arial,Helvetica,sans-serif;color:#1b1f24;line-height:1.5;background:#f4f6f8;margin:0;padding:24px">
        <div style="max-width:560px;margin:0 auto;background:#fff;border-radius:8px;padding:32px">
        <p style="margin:0 0 24px;font-weight:bold;color:#1f4e8c;font-size:20px">Facteur</p>\(p)
        <p style="margin:24px 0"><a href="\(escape(link))" style="background:#1f4e8c;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">\(escape(linkLabel))</a></p>
        <p style="margin:0 0 16px;font-size:14px;color:#555;word-break:break-all">\(escape(link))</p>\(a)
        </div></body></html>
        """
    }

    public static func activation(to: String, siret: String, link: String, lang: Lang) -> MailMessage {
        let subject = lang.pick(fr: "Activez votre compte Facteur", en: "Activate your Facteur account")
        let intro = lang.pick(fr: "Bonjour,", en: "Hello,")
        let body = lang.pick(fr: "Vous avez demandé à inscrire la société de SIRET \(siret) sur Facteur. Pour continuer, ouvrez ce lien et complétez vos informations :",
                             en: "You asked to register the company with SIRET \(siret) on Facteur. To continue, open this link and complete your details:")
        let validity = lang.pick(fr: "Ce lien est valable 24 heures et ne sert qu'une fois.", en: "This link is valid for 24 hours and works once.")
        let ignore = lang.pick(fr: "Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.",
                               en: "If you did not ask for this, ignore this message.")
        let text = "\(intro)\n\n\(body)\n\n\(link)\n\n\(validity)\n\(ignore)\n\n— Facteur\n"
        return MailMessage(to: to, subject: subject, text: text,
                           html: html(lang: lang, paragraphs: [intro, body], link: link,
                                      linkLabel: lang.pick(fr: "Activer mon compte", en: "Activate my account"), after: [validity, ignore]))
    }

    public static func passwordReset(to: String, name: String, link: String, lang: Lang) -> MailMessage {
        let subject = lang.pick(fr: "Réinitialisation de votre mot de passe Facteur", en: "Reset your Facteur password")
        let intro = lang.pick(fr: "Bonjour \(name),", en: "Hello \(name),")
        let body = lang.pick(fr: "Pour choisir un nouveau mot de passe, ouvrez ce lien :", en: "To choose a new password, open this link:")
        let validity = lang.pick(fr: "Ce lien est valable une heure et ne sert qu'une fois.", en: "This link is valid for one hour and works once.")
        let ignore = lang.pick(fr: "Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste le même.",
                               en: "If you did not ask for this, ignore this message: your password stays the same.")
        let text = "\(intro)\n\n\(body)\n\n\(link)\n\n\(validity)\n\(ignore)\n\n— Facteur\n"
        return MailMessage(to: to, subject: subject, text: text,
                           html: html(lang: lang, paragraphs: [intro, body], link: link,
                                      linkLabel: lang.pick(fr: "Choisir un nouveau mot de passe", en: "Choose a new password"), after: [validity, ignore]))
    }
}
