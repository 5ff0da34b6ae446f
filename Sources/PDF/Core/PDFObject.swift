import Foundation

/// A PDF object (ISO 32000-1 §7.3). Strings are bytes: their encoding depends on where they are used.
public indirect enum PDFObject: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    /// Reals are for geometry and colours only; money never travels as a PDF number.
    case real(Double)
    case string(Data)
    case name(String)
    case array([PDFObject])
    case dictionary(PDFDictionary)
    case stream(PDFDictionary, Data)
    case reference(PDFReference)

    public var dictionary: PDFDictionary? {
        switch self {
        case .dictionary(let d), .stream(let d, _): return d
        default: return nil
        }
    }

    public var name: String? { if case .name(let n) = self { return n }; return nil }
    public var int: Int? { if case .int(let i) = self { return i }; return nil }
    public var number: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .real(let r): return r
        default: return nil
        }
    }
    public var array: [PDFObject]? { if case .array(let a) = self { return a }; return nil }
    public var stringBytes: Data? { if case .string(let s) = self { return s }; return nil }
    public var reference: PDFReference? { if case .reference(let r) = self { return r }; return nil }

    /// A text string (§7.9.2.2): UTF-16BE with a BOM, UTF-8 with a BOM (PDF 2.0), else PDFDocEncoding.
    public var text: String? {
        guard case .string(let d) = self else { return nil }
        return PDFObject.decodeTextString(d)
    }

    public static func decodeTextString(_ d: Data) -> String {
        let b = [UInt8](d)
        if b.count >= 2, b[0] == 0xFE, b[1] == 0xFF {
            var units: [UInt16] = []
            var i = 2
            while i + 1 < b.count { units.append(UInt16(b[i]) << 8 | UInt16(b[i + 1])); i += 2 }
            return String(decoding: units, as: UTF16.self)
        }
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { return String(decoding: b.dropFirst(3), as: UTF8.self) }
        // PDFDocEncoding matches Latin-1 for the characters file names use.
        return String(b.map { Character(Unicode.Scalar($0)) })
    }
}

public struct PDFReference: Hashable, Sendable, CustomStringConvertible {
    public var number: Int
    public var generation: Int
    public init(_ number: Int, _ generation: Int = 0) {
        self.number = number
        self.generation = generation
    }
    public var description: String { "\(number) \(generation) R" }
}

/// A dictionary keeping its keys' order (writers emit them as given; readers don't care).
public struct PDFDictionary: Sendable, Equatable {
    public private(set) var entries: [(key: String, value: PDFObject)] = []

    public init(_ entries: [(String, PDFObject)] = []) {
        for (k, v) in entries { self[k] = v }
    }

    public subscript(key: String) -> PDFObject? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    public var keys: [String] { entries.map(\.key) }

    /// Appends without looking for an existing key: parsing a hostile dictionary of a million keys
    /// must not cost a million squared comparisons. A repeated key keeps its first value on lookup.
    mutating func appendParsed(_ key: String, _ value: PDFObject) {
        entries.append((key, value))
    }

    public static func == (a: PDFDictionary, b: PDFDictionary) -> Bool {
        a.entries.count == b.entries.count && a.entries.allSatisfy { b[$0.key] == $0.value }
    }
}
