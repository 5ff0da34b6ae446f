import Foundation

/// Why a PDF could not be read. Every case says what was wrong and, when it helps, where (byte offset,
/// object number): a deposited file is often damaged and the sender needs to be told precisely.
public enum PDFReadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not a PDF at all (no `%PDF-` header and no object could be found).
    case notPDF
    /// The file ended in the middle of something.
    case truncated(offset: Int, what: String)
    /// A syntax error at a byte offset.
    case syntax(offset: Int, what: String)
    /// The object (by number) was not found or could not be parsed.
    case missingObject(PDFReference)
    /// References lead back to themselves.
    case referenceCycle(PDFReference)
    /// Arrays or dictionaries nested deeper than the limit.
    case tooDeep(offset: Int, limit: Int)
    /// Decoded streams would exceed the document's budget (a decompression bomb, or too big).
    case tooLarge(limit: Int)
    /// A stream filter failed (name, reason).
    case filter(name: String, reason: String)
    /// A filter the reader does not implement (DCT, JBIG2... images, never needed for invoices).
    case unsupportedFilter(String)
    /// The file is encrypted: reported, never decrypted.
    case encrypted
    /// No document catalog (`/Root`) could be found, even by scanning the file.
    case noCatalog
    /// Too much work (objects, operators, nodes): the file is pathological.
    case limitExceeded(String)

    public var description: String {
        switch self {
        case .notPDF: return "not a PDF file (no %PDF- header and no object found)"
        case .truncated(let o, let w): return "file truncated at byte \(o) (\(w))"
        case .syntax(let o, let w): return "PDF syntax error at byte \(o): \(w)"
        case .missingObject(let r): return "object \(r) is missing or unreadable"
        case .referenceCycle(let r): return "reference cycle through object \(r)"
        case .tooDeep(let o, let l): return "objects nested more than \(l) deep at byte \(o)"
        case .tooLarge(let l): return "decoded streams exceed \(l) bytes (decompression bomb?)"
        case .filter(let n, let r): return "stream filter \(n) failed: \(r)"
        case .unsupportedFilter(let n): return "unsupported stream filter \(n)"
        case .encrypted: return "the PDF is encrypted; Facteur does not decrypt files (PDF/A forbids encryption)"
        case .noCatalog: return "no document catalog (/Root) found, even after scanning the whole file"
        case .limitExceeded(let w): return "limit exceeded: \(w)"
        }
    }

    /// The same, in French (the default language of Facteur's users).
    public var frenchDescription: String {
        switch self {
        case .notPDF: return "ce n'est pas un fichier PDF (pas d'en-tête %PDF- ni d'objet)"
        case .truncated(let o, let w): return "fichier tronqué à l'octet \(o) (\(w))"
        case .syntax(let o, let w): return "erreur de syntaxe PDF à l'octet \(o) : \(w)"
        case .missingObject(let r): return "l'objet \(r) est absent ou illisible"
        case .referenceCycle(let r): return "cycle de références passant par l'objet \(r)"
        case .tooDeep(let o, let l): return "objets imbriqués sur plus de \(l) niveaux à l'octet \(o)"
        case .tooLarge(let l): return "les flux décodés dépassent \(l) octets (bombe de décompression ?)"
        case .filter(let n, let r): return "le filtre \(n) a échoué : \(r)"
        case .unsupportedFilter(let n): return "filtre de flux non pris en charge : \(n)"
        case .encrypted: return "le PDF est chiffré ; Facteur ne déchiffre pas les fichiers (PDF/A interdit le chiffrement)"
        case .noCatalog: return "aucun catalogue de document (/Root) trouvé, même en parcourant tout le fichier"
        case .limitExceeded(let w): return "limite dépassée : \(w)"
        }
    }
}

/// Bounds on the work a single document may cause, so hostile files fail fast.
public struct PDFReadLimits: Sendable, Equatable {
    /// Total bytes all decoded streams of one document may expand to.
    public var maxDecodedBytes: Int
    /// Nesting of arrays and dictionaries.
    public var maxDepth: Int
    /// Highest object number accepted.
    public var maxObjectNumber: Int
    /// Content-stream operators interpreted per page during text extraction.
    public var maxOperatorsPerPage: Int

    public init(maxDecodedBytes: Int = 64 << 20, maxDepth: Int = 256, maxObjectNumber: Int = 8_388_607,
                maxOperatorsPerPage: Int = 2_000_000) {
        self.maxDecodedBytes = maxDecodedBytes
        self.maxDepth = maxDepth
        self.maxObjectNumber = maxObjectNumber
        self.maxOperatorsPerPage = maxOperatorsPerPage
    }
}
