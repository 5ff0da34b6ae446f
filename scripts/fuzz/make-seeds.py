#!/usr/bin/env python3
"""Writes synthetic fuzz seeds to scripts/fuzz/seeds/: small Factur-X-shaped PDFs that use what the
shared samples do not (LZW, ASCII85, ASCIIHex, RunLength, cross-reference streams with /Index and a
PNG predictor, object streams, an incremental update, a ToUnicode CMap with a Type 0 font)."""
import base64, os, zlib

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
XML = (b'<?xml version="1.0" encoding="UTF-8"?><rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">'
       + b"<n>FA-2026-001</n>" * 40 + b"</rsm:CrossIndustryInvoice>")
XMP = (b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description rdf:about="" xmlns:fx="urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">'
       b'<pdfaid:part>3</pdfaid:part><fx:ConformanceLevel>EN 16931</fx:ConformanceLevel><fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>'
       b'<fx:DocumentType>INVOICE</fx:DocumentType><fx:Version>1.0</fx:Version></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def lzw(data):
    table = {bytes([i]): i for i in range(256)}
    nxt, width, out, bits, nbits = 258, 9, bytearray(), 0, 0
    def put(code):
        nonlocal bits, nbits
        bits = (bits << width) | code
        nbits += width
        while nbits >= 8:
            out.append((bits >> (nbits - 8)) & 0xFF)
            nbits -= 8
    put(256)
    w = b""
    for c in data:
        wc = w + bytes([c])
        if wc in table:
            w = wc
            continue
        put(table[w])
        table[wc] = nxt
        nxt += 1
        if nxt + 1 > (1 << width) and width < 12:
            width += 1
        if nxt >= 4094:
            put(256); table = {bytes([i]): i for i in range(256)}; nxt, width = 258, 9
        w = bytes([c])
    if w:
        put(table[w])
    put(257)
    if nbits:
        out.append((bits << (8 - nbits)) & 0xFF)
    return bytes(out)


def runlength(data):
    out = bytearray()
    for i in range(0, len(data), 128):
        chunk = data[i:i + 128]
        out.append(len(chunk) - 1)
        out += chunk
    return bytes(out + b"\x80")


def stream(d, data):
    return b"<< " + d + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def objects(filter_name, encoded, content=b"BT /F1 12 Tf 72 770 Td <00010002> Tj ET"):
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R /Metadata 8 0 R /Names << /EmbeddedFiles << /Names [(factur-x.xml) 6 0 R] >> >> /AF [6 0 R] >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        4: stream(b"", content),
        5: b"<< /Type /Font /Subtype /Type0 /BaseFont /X /Encoding /Identity-H /DescendantFonts [<< /Type /Font /Subtype /CIDFontType2 /BaseFont /X /W [1 [600 550]] >>] /ToUnicode 9 0 R >>",
        6: b"<< /Type /Filespec /F (factur-x.xml) /UF (factur-x.xml) /AFRelationship /Data /EF << /F 7 0 R >> >>",
        7: stream(b"/Type /EmbeddedFile /Subtype /text#2Fxml /Filter " + filter_name, encoded),
        8: stream(b"/Type /Metadata /Subtype /XML", XMP),
        9: stream(b"", b"begincmap 1 begincodespacerange <0000> <FFFF> endcodespacerange 2 beginbfchar <0001> <0046> <0002> <0041> endbfchar endcmap"),
    }


def classic(objs, trailer=b"/Root 1 0 R /ID [<0102> <0102>]"):
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offs = {}
    for n in sorted(objs):
        offs[n] = len(out)
        out += b"%d 0 obj\n" % n + objs[n] + b"\nendobj\n"
    x = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += b"%010d 00000 n \n" % offs[n] if n in offs else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (size, trailer, x)
    return bytes(out)


def xref_stream(objs, compressed=(2, 3, 5, 6)):
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    entries = {}
    for n in sorted(objs):
        if n in compressed:
            continue
        entries[n] = (1, len(out), 0)
        out += b"%d 0 obj\n" % n + objs[n] + b"\nendobj\n"
    osn = max(objs) + 1
    head, body = b"", b""
    for i, n in enumerate(compressed):
        head += b"%d %d " % (n, len(body))
        body += objs[n] + b"\n"
        entries[n] = (2, osn, i)
    entries[osn] = (1, len(out), 0)
    out += b"%d 0 obj\n" % osn + stream(b"/Type /ObjStm /N %d /First %d /Filter /FlateDecode" % (len(compressed), len(head)), zlib.compress(head + body)) + b"\nendobj\n"
    xn = osn + 1
    entries[xn] = (1, len(out), 0)
    rows, prior = b"", bytes(6)
    # Two subsections through /Index, rows with the PNG Up predictor.
    numbers = [0] + sorted(entries)
    for n in numbers:
        t, f2, f3 = entries.get(n, (0, 0, 65535))
        row = bytes([t]) + f2.to_bytes(3, "big") + f3.to_bytes(2, "big")
        rows += b"\x02" + bytes((a - b) & 0xFF for a, b in zip(row, prior))
        prior = row
    x = len(out)
    out += b"%d 0 obj\n" % xn + stream(b"/Type /XRef /Size %d /W [1 3 2] /Index [0 1 1 %d] /Root 1 0 R /ID [<01> <01>] /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 6 >>" % (xn + 1, xn), zlib.compress(rows)) + b"\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % x
    return bytes(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        "lzw.pdf": classic(objects(b"/LZWDecode", lzw(XML))),
        "ascii85-flate.pdf": classic(objects(b"[/ASCII85Decode /FlateDecode]", base64.a85encode(zlib.compress(XML), adobe=True)[2:])),
        "asciihex.pdf": classic(objects(b"/ASCIIHexDecode", XML.hex().encode() + b">")),
        "runlength.pdf": classic(objects(b"/RunLengthDecode", runlength(XML))),
        "xref-stream-objstm.pdf": xref_stream(objects(b"/FlateDecode", zlib.compress(XML))),
    }
    base = classic(objects(b"/FlateDecode", zlib.compress(XML)))
    x = int(base.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    upd = bytearray(base)
    o4 = len(upd)
    upd += b"4 0 obj\n" + stream(b"", b"BT /F1 12 Tf 72 700 Td <0002> Tj ET") + b"\nendobj\n"
    nx = len(upd)
    upd += b"xref\n4 1\n%010d 00000 n \ntrailer\n<< /Size 10 /Root 1 0 R /Prev %d /ID [<01> <02>] >>\nstartxref\n%d\n%%%%EOF\n" % (o4, x, nx)
    seeds["incremental.pdf"] = bytes(upd)
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as fh:
            fh.write(data)
    print("wrote", ", ".join(sorted(seeds)))


if __name__ == "__main__":
    main()
