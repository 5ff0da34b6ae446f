import Foundation

/// A file attached to the document (§7.11.4): from the `/EmbeddedFiles` name tree or the catalog's `/AF`.
public struct PDFAttachment: Sendable, Equatable {
    /// The name in the name tree (falls back to the file spec's `/UF` or `/F`).
    public var name: String
    /// `/UF` (or `/F`) of the file specification, when given.
    public var fileName: String?
    /// The file specification object, when it is indirect (needed to check the catalog `/AF`).
    public var specReference: PDFReference?
    public var spec: PDFDictionary
    /// `/AFRelationship` without the slash (`Data`, `Source`, `Alternative`...).
    public var relationship: String?
    /// The embedded file stream's `/Subtype` (a MIME type such as `text/xml`).
    public var mimeType: String?
    /// The embedded file stream (to be decoded with `PDFDocument.streamData`).
    public var stream: PDFObject?
    /// Whether the catalog's `/AF` array references this file specification.
    public var inCatalogAF: Bool
    /// Whether it was listed in the `/EmbeddedFiles` name tree.
    public var inNameTree: Bool
}

extension PDFDocument {
    /// Leaves of a name tree (§7.9.6), in order, bounded in depth and size and safe against loops.
    public func nameTree(_ root: PDFObject?) throws -> [(key: String, value: PDFObject)] {
        var out: [(String, PDFObject)] = []
        var visited: Set<PDFReference> = []
        func walk(_ node: PDFObject?, depth: Int) throws {
            guard depth < 64 else { throw PDFReadError.tooDeep(offset: 0, limit: 64) }
            if case .reference(let r)? = node {
                guard !visited.contains(r) else { throw PDFReadError.referenceCycle(r) }
                visited.insert(r)
            }
            guard let dict = try resolve(node).dictionary else { return }
            if let names = try resolve(dict["Names"]).array {
                var i = 0
                while i + 1 < names.count {
                    let key = try resolve(names[i])
                    out.append((key.text ?? key.name ?? "", names[i + 1]))
                    i += 2
                    if out.count > 100_000 { throw PDFReadError.limitExceeded("more than 100,000 names in a name tree") }
                }
            }
            if let kids = try resolve(dict["Kids"]).array {
                for k in kids { try walk(k, depth: depth + 1) }
            }
        }
        try walk(root, depth: 0)
        return out
    }

    /// All attached files: the `/EmbeddedFiles` name tree first, then file specs only in the catalog `/AF`.
    public func attachments() throws -> [PDFAttachment] {
        let cat = try catalog
        let names = try resolve(cat["Names"]).dictionary
        let tree = try nameTree(names?["EmbeddedFiles"])
        var afRefs: [PDFReference] = []
        var afDirect: [PDFDictionary] = []
        if let af = try resolve(cat["AF"]).array {
            for item in af {
                if let r = item.reference { afRefs.append(r) } else if let d = try resolve(item).dictionary { afDirect.append(d) }
            }
        }
        var out: [PDFAttachment] = []
        var seen: Set<PDFReference> = []
        func make(_ name: String?, _ specObj: PDFObject, nameTree: Bool) throws -> PDFAttachment? {
            guard let spec = try resolve(specObj).dictionary else { return nil }
            let ref = specObj.reference
            let fileName = try (resolve(spec["UF"]).text ?? resolve(spec["F"]).text)
            let ef = try resolve(spec["EF"]).dictionary
            let streamObj = ef.flatMap { $0["UF"] ?? $0["F"] }
            let stream = try streamObj.map { try resolve($0) }
            var mime: String? = nil
            if let d = stream?.dictionary, let s = try resolve(d["Subtype"]).name { mime = s }
            let rel = try resolve(spec["AFRelationship"]).name
            let inAF = ref.map { afRefs.contains($0) } ?? afDirect.contains(spec)
            return PDFAttachment(name: name ?? fileName ?? "", fileName: fileName, specReference: ref, spec: spec, relationship: rel,
                                 mimeType: mime, stream: streamObj, inCatalogAF: inAF, inNameTree: nameTree)
        }
        for (key, value) in tree {
            if let r = value.reference { seen.insert(r) }
            if let a = try make(key, value, nameTree: true) { out.append(a) }
        }
        for r in afRefs where !seen.contains(r) {
            seen.insert(r)
            if let a = try make(nil, .reference(r), nameTree: false), a.stream != nil { out.append(a) }
        }
        return out
    }

    /// The decoded contents of an attachment.
    public func data(of attachment: PDFAttachment) throws -> Data {
        guard let s = attachment.stream else {
            throw PDFReadError.syntax(offset: 0, what: "attachment “\(attachment.name)” has no embedded file stream (/EF)")
        }
        return try streamData(s)
    }

    /// The XMP metadata packet of the catalog (`/Metadata`), raw bytes.
    public func metadata() throws -> Data? {
        let cat = try catalog
        guard let m = cat["Metadata"], case .stream = try resolve(m) else { return nil }
        return try streamData(m)
    }

    /// The pages in order, with their inherited attributes (`/Resources`, `/MediaBox`) made explicit.
    public func pages(limit: Int = 10_000) throws -> [PDFDictionary] {
        let cat = try catalog
        var out: [PDFDictionary] = []
        var visited: Set<PDFReference> = []
        func walk(_ node: PDFObject?, inherited: PDFDictionary, depth: Int) throws {
            guard depth < 64 else { throw PDFReadError.tooDeep(offset: 0, limit: 64) }
            if case .reference(let r)? = node {
                guard !visited.contains(r) else { throw PDFReadError.referenceCycle(r) }
                visited.insert(r)
            }
            guard var dict = try resolve(node).dictionary else { return }
            var inh = inherited
            for key in ["Resources", "MediaBox", "CropBox", "Rotate"] {
                if let v = dict[key] { inh[key] = v } else if let v = inherited[key] { dict[key] = v }
            }
            if let kids = try resolve(dict["Kids"]).array, dict["Type"]?.name != "Page" {
                for k in kids {
                    try walk(k, inherited: inh, depth: depth + 1)
                    if out.count >= limit { return }
                }
            } else {
                out.append(dict)
            }
        }
        try walk(cat["Pages"], inherited: PDFDictionary(), depth: 0)
        return out
    }
}
