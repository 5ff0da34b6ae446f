import Foundation

/// A raster image ready to be written as an image XObject: JPEG passes through (DCTDecode), PNG's
/// zlib data passes through with its predictors when it has no alpha channel, else it is decoded once
/// and split into colour and a soft mask.
public struct PDFImage: Sendable {
    public let width: Int
    public let height: Int
    let dictionary: PDFDictionary
    let data: Data
    let mask: (PDFDictionary, Data)?

    /// Largest decoded image accepted, so that a hostile logo cannot exhaust memory.
    public static let maxPixels = 25_000_000

    public init(data: Data) throws {
        let b = [UInt8](data.prefix(8))
        if b.count >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF {
            self = try Self.jpeg(data)
        } else if b == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] {
            self = try Self.png(data)
        } else {
            throw PDFWriteError.image("neither PNG nor JPEG")
        }
    }

    private init(width: Int, height: Int, dictionary: PDFDictionary, data: Data, mask: (PDFDictionary, Data)?) {
        self.width = width
        self.height = height
        self.dictionary = dictionary
        self.data = data
        self.mask = mask
    }

    /// Writes the image (and its mask) and returns the XObject's reference.
    public func write(to w: inout PDFFileWriter) -> PDFReference {
        var d = dictionary
        if let (md, mdata) = mask {
            let m = w.add(.stream(md, mdata))
            d["SMask"] = .reference(m)
        }
        return w.add(.stream(d, data))
    }

    static func jpeg(_ data: Data) throws -> PDFImage {
        let b = [UInt8](data)
        var p = 2
        while p + 4 <= b.count {
            guard b[p] == 0xFF else { throw PDFWriteError.image("JPEG: bad marker at byte \(p)") }
            let marker = b[p + 1]
            if marker == 0xFF { p += 1; continue }
            if marker == 0xD8 || (0xD0...0xD7).contains(marker) || marker == 0x01 { p += 2; continue }
            let len = Int(b[p + 2]) << 8 | Int(b[p + 3])
            // Start-of-frame markers, except DHT (C4), JPG (C8) and DAC (CC).
            if (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC {
                guard p + 9 < b.count else { break }
                let bits = Int(b[p + 4])
                let h = Int(b[p + 5]) << 8 | Int(b[p + 6])
                let w = Int(b[p + 7]) << 8 | Int(b[p + 8])
                let comps = Int(b[p + 9])
                let cs: String
                switch comps {
                case 1: cs = "DeviceGray"
                case 3: cs = "DeviceRGB"
                default: throw PDFWriteError.image("JPEG with \(comps) colour components (only greyscale and RGB fit an sRGB PDF/A)")
                }
                guard w > 0, h > 0, w * h <= maxPixels else { throw PDFWriteError.image("JPEG of \(w)×\(h) pixels") }
                let d = PDFDictionary([
                    ("Type", .name("XObject")), ("Subtype", .name("Image")), ("Width", .int(w)), ("Height", .int(h)),
                    ("ColorSpace", .name(cs)), ("BitsPerComponent", .int(bits)), ("Filter", .name("DCTDecode")),
                ])
                return PDFImage(width: w, height: h, dictionary: d, data: data, mask: nil)
            }
            p += 2 + len
        }
        throw PDFWriteError.image("JPEG without a frame header")
    }

    static func png(_ data: Data) throws -> PDFImage {
        let b = [UInt8](data)
        var p = 8
        var width = 0, height = 0, depth = 0, colorType = -1, interlace = 0
        var idat = Data()
        var palette: [UInt8] = []
        func u32(_ o: Int) -> Int { Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3]) }
        while p + 8 <= b.count {
            let len = u32(p)
            let type = String(decoding: b[p + 4..<p + 8], as: UTF8.self)
            let start = p + 8
            guard len >= 0, start + len <= b.count else { throw PDFWriteError.image("PNG: chunk \(type) runs past the end") }
            switch type {
            case "IHDR":
                guard len >= 13 else { throw PDFWriteError.image("PNG: short IHDR") }
                width = u32(start); height = u32(start + 4)
                depth = Int(b[start + 8]); colorType = Int(b[start + 9]); interlace = Int(b[start + 12])
            case "PLTE": palette = Array(b[start..<start + len])
            case "IDAT": idat.append(contentsOf: b[start..<start + len])
            case "IEND": p = b.count
            default: break
            }
            p = start + len + 4
        }
        guard width > 0, height > 0, width * height <= maxPixels else {
            throw PDFWriteError.image("PNG of \(width)×\(height) pixels")
        }
        guard interlace == 0 else { throw PDFWriteError.image("interlaced PNG (save it non-interlaced)") }
        var d = PDFDictionary([("Type", .name("XObject")), ("Subtype", .name("Image")),
                               ("Width", .int(width)), ("Height", .int(height))])
        switch colorType {
        case 0, 2, 3:
            let colors = colorType == 2 ? 3 : 1
            if colorType == 3 {
                guard !palette.isEmpty else { throw PDFWriteError.image("PNG: palette image without PLTE") }
                d["ColorSpace"] = .array([.name("Indexed"), .name("DeviceRGB"), .int(palette.count / 3 - 1), .string(Data(palette))])
            } else {
                d["ColorSpace"] = .name(colors == 3 ? "DeviceRGB" : "DeviceGray")
            }
            d["BitsPerComponent"] = .int(depth)
            d["Filter"] = .name("FlateDecode")
            d["DecodeParms"] = .dictionary(PDFDictionary([("Predictor", .int(15)), ("Colors", .int(colors)),
                                                           ("BitsPerComponent", .int(depth)), ("Columns", .int(width))]))
            return PDFImage(width: width, height: height, dictionary: d, data: idat, mask: nil)
        case 4, 6:
            guard depth == 8 else { throw PDFWriteError.image("PNG with alpha at \(depth) bits (only 8 is supported)") }
            let colors = colorType == 6 ? 3 : 1
            let bpp = colors + 1
            let stride = width * bpp
            let raw: Data
            do { raw = try Zlib.decompress(idat, limit: (stride + 1) * height, strict: true) } catch {
                throw PDFWriteError.image("PNG: \(error)")
            }
            let pixels = try unfilter([UInt8](raw), stride: stride, height: height, bpp: bpp)
            var color = [UInt8](), alpha = [UInt8]()
            color.reserveCapacity(width * height * colors)
            alpha.reserveCapacity(width * height)
            var i = 0
            while i < pixels.count {
                for k in 0..<colors { color.append(pixels[i + k]) }
                alpha.append(pixels[i + colors])
                i += bpp
            }
            d["ColorSpace"] = .name(colors == 3 ? "DeviceRGB" : "DeviceGray")
            d["BitsPerComponent"] = .int(8)
            d["Filter"] = .name("FlateDecode")
            let m = PDFDictionary([("Type", .name("XObject")), ("Subtype", .name("Image")), ("Width", .int(width)),
                                   ("Height", .int(height)), ("ColorSpace", .name("DeviceGray")),
                                   ("BitsPerComponent", .int(8)), ("Filter", .name("FlateDecode"))])
            return PDFImage(width: width, height: height, dictionary: d, data: Zlib.compress(Data(color)),
                            mask: (m, Zlib.compress(Data(alpha))))
        default:
            throw PDFWriteError.image("PNG colour type \(colorType)")
        }
    }

    /// Reverses PNG's per-row filters (None, Sub, Up, Average, Paeth).
    static func unfilter(_ raw: [UInt8], stride: Int, height: Int, bpp: Int) throws -> [UInt8] {
        guard raw.count >= (stride + 1) * height else { throw PDFWriteError.image("PNG: image data too short") }
        var out = [UInt8](repeating: 0, count: stride * height)
        for y in 0..<height {
            let filter = raw[y * (stride + 1)]
            let src = y * (stride + 1) + 1, row = y * stride, prev = row - stride
            for x in 0..<stride {
                let v = raw[src + x]
                let a = x >= bpp ? Int(out[row + x - bpp]) : 0
                let up = y > 0 ? Int(out[prev + x]) : 0
                let c = (x >= bpp && y > 0) ? Int(out[prev + x - bpp]) : 0
                let pred: Int
                switch filter {
                case 0: pred = 0
                case 1: pred = a
                case 2: pred = up
                case 3: pred = (a + up) / 2
                case 4:
                    let pp = a + up - c, pa = abs(pp - a), pb = abs(pp - up), pc = abs(pp - c)
                    pred = (pa <= pb && pa <= pc) ? a : (pb <= pc ? up : c)
                default: throw PDFWriteError.image("PNG: unknown row filter \(filter) on row \(y)")
                }
                out[row + x] = UInt8(truncatingIfNeeded: Int(v) + pred)
            }
        }
        return out
    }
}
