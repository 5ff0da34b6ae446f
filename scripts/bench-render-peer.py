#!/usr/bin/env python3
"""The Python peer of `facteur-bench-pdf render`: the same job done the usual Python way.

Each invoice: reportlab draws a one-page, ten-line invoice (header, client, line table, VAT and totals,
payment) in DejaVu Sans embedded as a TrueType subset, then `facturx.generate_from_binary` turns it into a
Factur-X PDF with the CII XML attached. Prints ms and KiB per invoice, in the same shape as the Swift side.

usage: bench-render-peer.py --xml FILE --font-dir DIR [--count N]
"""

import argparse
import io
import os
import sys
import time

from facturx import generate_from_binary
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

LINES = [
    ("Développement d'une application de facturation électronique", "10", "jour", "650,00", "20 %", "6 500,00"),
    ("Hébergement mensuel", "1", "mois", "89,90", "20 %", "89,90"),
    ("Formation « Factur-X et réforme 2026 »", "1", "jour", "1 200,00", "20 %", "1 080,00"),
    ("Livres techniques", "3", "u.", "42,50", "5,5 %", "127,50"),
    ("Câbles réseau Cat. 6 — 3 m", "25", "u.", "4,35", "20 %", "108,75"),
    ("Maintenance corrective", "3,5", "h", "95,00", "20 %", "332,50"),
    ("Licence logicielle annuelle", "5", "u.", "199,00", "20 %", "995,00"),
    ("Audit de conformité EN 16931", "1", "forfait", "2 400,00", "20 %", "2 400,00"),
    ("Papier recyclé A4 — ramette de 500 feuilles", "12", "u.", "5,1234", "20 %", "61,48"),
    ("Frais de port", "1", "u.", "15,00", "20 %", "15,00"),
]


def draw_invoice(number):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    w, h = A4
    c.setFont("DejaVuSans-Bold", 12)
    c.drawString(40, h - 52, "Éditions Numériques Lumière SAS")
    c.setFont("DejaVuSans", 8)
    for i, s in enumerate(["12 rue de la République", "69002 Lyon", "SAS au capital de 50 000 € — RCS Lyon 732 829 320",
                           "SIREN : 732829320", "N° TVA : FR44732829320"]):
        c.drawString(40, h - 66 - 10 * i, s)
    c.setFont("DejaVuSans-Bold", 17)
    c.drawRightString(w - 40, h - 57, "FACTURE")
    c.setFont("DejaVuSans-Bold", 10.5)
    c.drawRightString(w - 40, h - 74, "N° " + number)
    c.setFont("DejaVuSans", 8)
    c.drawRightString(w - 40, h - 88, "Date d'émission : 25/11/2026")
    c.drawRightString(w - 40, h - 98, "Échéance : 25/12/2026")
    c.rect(300, h - 210, w - 340, 70)
    c.setFont("DejaVuSans-Bold", 10)
    c.drawString(308, h - 160, "Coopérative Agricole du Val de Loire")
    c.setFont("DejaVuSans", 8.5)
    c.drawString(308, h - 172, "3 chemin des Vignes, 49400 Saumur")
    c.drawString(308, h - 184, "SIREN : 356000000")
    y = h - 240
    c.setFillGray(0.92)
    c.rect(40, y - 4, w - 80, 16, stroke=0, fill=1)
    c.setFillGray(0)
    c.setFont("DejaVuSans-Bold", 7.5)
    for x, t in [(44, "Désignation"), (290, "Qté"), (300, "Unité"), (400, "PU HT"), (480, "TVA"), (551, "Total HT")]:
        (c.drawRightString if t in ("Qté", "PU HT", "TVA", "Total HT") else c.drawString)(x, y, t)
    c.setFont("DejaVuSans", 8.5)
    for name, q, u, p, v, t in LINES:
        y -= 20
        c.drawString(44, y, name)
        c.drawRightString(290, y, q)
        c.drawString(300, y, u)
        c.drawRightString(400, y, p)
        c.drawRightString(480, y, v)
        c.drawRightString(551, y, t)
        c.setStrokeGray(0.88)
        c.line(40, y - 6, w - 40, y - 6)
    y -= 40
    for label, value in [("Total HT", "11 640,13 €"), ("Total TVA", "2 313,65 €"), ("Total TTC", "13 953,78 €"),
                         ("Net à payer", "13 453,78 €")]:
        c.drawString(340, y, label)
        c.drawRightString(551, y, value)
        y -= 13
    c.drawString(40, y - 20, "IBAN : FR76 3000 6000 0112 3456 7890 189   BIC : AGRIFRPPXXX")
    c.drawString(40, y - 32, "Indemnité forfaitaire pour frais de recouvrement : 40 €. Escompte : néant.")
    c.drawRightString(w - 40, 36, "Page 1 / 1")
    c.showPage()
    c.save()
    return buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xml", required=True)
    ap.add_argument("--font-dir", required=True)
    ap.add_argument("--count", type=int, default=1000)
    a = ap.parse_args()
    pdfmetrics.registerFont(TTFont("DejaVuSans", os.path.join(a.font_dir, "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", os.path.join(a.font_dir, "DejaVuSans-Bold.ttf")))
    xml = open(a.xml, "rb").read()
    # Warm-up, like the Swift side: fonts parsed, modules loaded.
    generate_from_binary(draw_invoice("FA-2026-000000"), xml, check_xsd=False)
    total = 0
    start = time.perf_counter()
    for n in range(a.count):
        pdf = generate_from_binary(draw_invoice("FA-2026-%06d" % (100000 + n)), xml, check_xsd=False)
        total += len(pdf)
    elapsed = time.perf_counter() - start
    print("python   render: %d invoices of %d lines, %.3f ms per invoice, %.1f KiB per invoice "
          "(reportlab %s + factur-x generate_from_binary)"
          % (a.count, len(LINES), elapsed * 1000 / a.count, total / 1024 / a.count, __import__("reportlab").Version))


if __name__ == "__main__":
    sys.exit(main())
