import Foundation

/// Stream filters (ISO 32000-1 §7.4) met in invoices: Flate and LZW with PNG/TIFF predictors,
/// ASCIIHex, ASCII85, RunLength. Every decoder takes a byte limit and throws `.tooLarge` past it:
/// a small stream can expand enormously.
enum PDFFilters {
    static func decode(_ data: [UInt8], filter: String, parms: PDFDictionary?, limit: Int) throws -> [UInt8] {
        var out: [UInt8]
        switch filter {
        case "FlateDecode", "Fl":
            out = try inflate(data, limit: limit)
            out = try predict(out, parms: parms, limit: limit)
        case "LZWDecode", "LZW":
            let early = parms?["EarlyChange"]?.int ?? 1
            out = try lzw(data, earlyChange: early != 0, limit: limit)
            out = try predict(out, parms: parms, limit: limit)
        case "ASCIIHexDecode", "AHx": out = try asciiHex(data, limit: limit)
        case "ASCII85Decode", "A85": out = try ascii85(data, limit: limit)
        case "RunLengthDecode", "RL": out = try runLength(data, limit: limit)
        case "Crypt":
            // Only the Identity crypt filter can be honoured without decrypting.
            if let n = parms?["Name"]?.name, n != "Identity" { throw PDFReadError.encrypted }
            out = data
        default:
            throw PDFReadError.unsupportedFilter(filter)
        }
        return out
    }

    static func inflate(_ data: [UInt8], limit: Int) throws -> [UInt8] {
        let result: Result<Data, ZlibError>
        do throws(ZlibError) {
            result = .success(try Zlib.decompress(Data(data), limit: limit))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let d): return [UInt8](d)
        case .failure(.tooLarge): throw PDFReadError.tooLarge(limit: limit)
        case .failure(let e): throw PDFReadError.filter(name: "FlateDecode", reason: e.description)
        }
    }

    static func asciiHex(_ data: [UInt8], limit: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(data.count / 2, limit))
        var high: Int? = nil
        for c in data {
            if c == UInt8(ascii: ">") { break }
            guard let v = hexValue(c) else {
                if isPDFWhite(c) { continue }
                throw PDFReadError.filter(name: "ASCIIHexDecode", reason: "byte 0x\(String(c, radix: 16)) is not hexadecimal")
            }
            if let h = high { out.append(UInt8(h * 16 + v)); high = nil } else { high = v }
        }
        if let h = high { out.append(UInt8(h * 16)) }
        if out.count > limit { throw PDFReadError.tooLarge(limit: limit) }
        return out
    }

    static func ascii85(_ data: [UInt8], limit: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        var group: [UInt32] = []
        var i = 0
        // Skip an optional `<~` prefix.
        while i < data.count, isPDFWhite(data[i]) { i += 1 }
        if i + 1 < data.count, data[i] == UInt8(ascii: "<"), data[i + 1] == UInt8(ascii: "~") { i += 2 }
        func flush(_ g: [UInt32], _ n: Int) throws {
            var v: UInt64 = 0
            for k in 0..<5 { v = v * 85 + UInt64(k < g.count ? g[k] : 84) }
            guard v <= UInt64(UInt32.max) else { throw PDFReadError.filter(name: "ASCII85Decode", reason: "group out of range") }
            let b = [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
            out.append(contentsOf: b.prefix(n))
            if out.count > limit { throw PDFReadError.tooLarge(limit: limit) }
        }
        while i < data.count {
            let c = data[i]
            i += 1
            if isPDFWhite(c) { continue }
            if c == UInt8(ascii: "~") { break }
            if c == UInt8(ascii: "z"), group.isEmpty {
                out.append(contentsOf: [0, 0, 0, 0])
                if out.count > limit { throw PDFReadError.tooLarge(limit: limit) }
                continue
            }
            guard c >= 33, c <= 117 else {
                throw PDFReadError.filter(name: "ASCII85Decode", reason: "byte 0x\(String(c, radix: 16)) is not base-85")
            }
            group.append(UInt32(c - 33))
            if group.count == 5 { try flush(group, 4); group.removeAll(keepingCapacity: true) }
        }
        if group.count == 1 { throw PDFReadError.filter(name: "ASCII85Decode", reason: "a final group of one character") }
        if group.count > 1 { try flush(group, group.count - 1) }
        return out
    }

    static func runLength(_ data: [UInt8], limit: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < data.count {
            let n = Int(data[i])
            i += 1
            if n == 128 { break }
            if n < 128 {
                let end = min(i + n + 1, data.count)
                out.append(contentsOf: data[i..<end])
                i = end
            } else {
                guard i < data.count else { break }
                out.append(contentsOf: repeatElement(data[i], count: 257 - n))
                i += 1
            }
            if out.count > limit { throw PDFReadError.tooLarge(limit: limit) }
        }
        return out
    }

    static func lzw(_ data: [UInt8], earlyChange: Bool, limit: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        // The table holds (prefix index, last byte, length) so that entries cost O(1) to add.
        var prefix = [Int32](repeating: -1, count: 4096)
        var suffix = [UInt8](repeating: 0, count: 4096)
        var length = [Int32](repeating: 0, count: 4096)
        for k in 0..<256 { suffix[k] = UInt8(k); length[k] = 1 }
        var next = 258
        var width = 9
        var previous = -1
        var bitBuffer: UInt32 = 0
        var bits = 0
        var i = 0
        var scratch = [UInt8](repeating: 0, count: 4096)
        func emit(_ code: Int) -> UInt8 {
            var c = code
            let n = Int(length[c])
            var k = n - 1
            while k >= 0 && c >= 0 {
                scratch[k] = suffix[c]
                c = Int(prefix[c])
                k -= 1
            }
            out.append(contentsOf: scratch[0..<n])
            return scratch[0]
        }
        while true {
            while bits < width, i < data.count {
                bitBuffer = (bitBuffer << 8) | UInt32(data[i])
                i += 1
                bits += 8
            }
            if bits < width { break }
            let code = Int((bitBuffer >> UInt32(bits - width)) & UInt32((1 << width) - 1))
            bits -= width
            if code == 256 {
                next = 258; width = 9; previous = -1
                continue
            }
            if code == 257 { break }
            if previous < 0 {
                guard code < 256 else { throw PDFReadError.filter(name: "LZWDecode", reason: "code \(code) before any entry") }
                _ = emit(code)
                previous = code
            } else {
                let first: UInt8
                if code < next {
                    first = emit(code)
                } else if code == next {
                    first = emit(previous)
                    out.append(first)
                } else {
                    throw PDFReadError.filter(name: "LZWDecode", reason: "code \(code) beyond the table (\(next))")
                }
                if next < 4096 {
                    prefix[next] = Int32(previous)
                    suffix[next] = first
                    length[next] = length[previous] + 1
                    next += 1
                }
                previous = code
            }
            if out.count > limit { throw PDFReadError.tooLarge(limit: limit) }
            let threshold = earlyChange ? next + 1 : next
            if threshold >= 512 && width == 9 { width = 10 }
            if threshold >= 1024 && width == 10 { width = 11 }
            if threshold >= 2048 && width == 11 { width = 12 }
        }
        return out
    }

    /// Undoes PNG (10–15) and TIFF (2) predictors (§7.4.4.4), used mostly by cross-reference streams.
    static func predict(_ data: [UInt8], parms: PDFDictionary?, limit: Int) throws -> [UInt8] {
        guard let parms, let predictor = parms["Predictor"]?.int, predictor > 1 else { return data }
        let colors = max(1, min(parms["Colors"]?.int ?? 1, 32))
        let bpc = max(1, min(parms["BitsPerComponent"]?.int ?? 8, 16))
        let columns = max(1, min(parms["Columns"]?.int ?? 1, 1 << 20))
        let bpp = max(1, (colors * bpc + 7) / 8)
        let rowLength = (colors * bpc * columns + 7) / 8
        if predictor == 2 {
            guard bpc == 8 else { return data }
            var out = data
            var r = 0
            while r < out.count {
                let end = min(r + rowLength, out.count)
                var k = r + bpp
                while k < end { out[k] = out[k] &+ out[k - bpp]; k += 1 }
                r += rowLength
            }
            return out
        }
        guard predictor >= 10 else {
            throw PDFReadError.filter(name: "Predictor", reason: "unknown predictor \(predictor)")
        }
        var out: [UInt8] = []
        out.reserveCapacity(data.count)
        var prior = [UInt8](repeating: 0, count: rowLength)
        var row = [UInt8](repeating: 0, count: rowLength)
        var i = 0
        while i < data.count {
            let type = data[i]
            i += 1
            let n = min(rowLength, data.count - i)
            for k in 0..<rowLength { row[k] = k < n ? data[i + k] : 0 }
            i += n
            switch type {
            case 0: break
            case 1: for k in bpp..<max(bpp, rowLength) { row[k] = row[k] &+ row[k - bpp] }
            case 2: for k in 0..<rowLength { row[k] = row[k] &+ prior[k] }
            case 3:
                for k in 0..<rowLength {
                    let left = k >= bpp ? Int(row[k - bpp]) : 0
                    row[k] = row[k] &+ UInt8((left + Int(prior[k])) / 2)
                }
            case 4:
                for k in 0..<rowLength {
                    let a = k >= bpp ? Int(row[k - bpp]) : 0
                    let b = Int(prior[k])
                    let c = k >= bpp ? Int(prior[k - bpp]) : 0
                    let p = a + b - c
                    let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                    let pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c)
                    row[k] = row[k] &+ UInt8(pred)
                }
            default:
                throw PDFReadError.filter(name: "Predictor", reason: "PNG row type \(type)")
            }
            out.append(contentsOf: row[0..<n])
            if out.count > limit { throw PDFReadError.tooLarge(limit: limit) }
            swap(&prior, &row)
        }
        return out
    }
}
