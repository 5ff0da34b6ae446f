#!/usr/bin/env python3
"""Write Sources/InvoiceValidation/Resources/messages/rules.tsv: for every rule id of the shipped
artefacts, the business term, the official English text and a French text.

French texts: written for the core rules (BR-n, BR-CO, BR-DEC, BR-CL) and by pattern for the
formulaic syntax rules (UBL-CR, CII-SR "should not be present"); the others keep the official
English text, marked as such, until they are translated.
  python3 scripts/gen-messages.py
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ART = os.path.join(ROOT, "Sources/InvoiceValidation/Resources/artefacts")
OUT = os.path.join(ROOT, "Sources/InvoiceValidation/Resources/messages/rules.tsv")

FR = {
    "BR-01": "Une facture doit comporter l'identifiant de spécification (BT-24).",
    "BR-02": "Une facture doit comporter un numéro de facture (BT-1).",
    "BR-03": "Une facture doit comporter une date d'émission (BT-2).",
    "BR-04": "Une facture doit comporter un code de type de facture (BT-3).",
    "BR-05": "Une facture doit comporter le code de la devise de facturation (BT-5).",
    "BR-06": "Une facture doit comporter la raison sociale du vendeur (BT-27).",
    "BR-07": "Une facture doit comporter le nom de l'acheteur (BT-44).",
    "BR-08": "Une facture doit comporter l'adresse postale du vendeur (BG-5).",
    "BR-09": "L'adresse postale du vendeur (BG-5) doit comporter le code pays du vendeur (BT-40).",
    "BR-10": "Une facture doit comporter l'adresse postale de l'acheteur (BG-8).",
    "BR-11": "L'adresse postale de l'acheteur doit comporter le code pays de l'acheteur (BT-55).",
    "BR-12": "Une facture doit comporter la somme des montants nets des lignes (BT-106).",
    "BR-13": "Une facture doit comporter le montant total hors TVA (BT-109).",
    "BR-14": "Une facture doit comporter le montant total TTC (BT-112).",
    "BR-15": "Une facture doit comporter le montant à payer (BT-115).",
    "BR-16": "Une facture doit comporter au moins une ligne (BG-25).",
    "BR-17": "Le nom du bénéficiaire (BT-59) doit figurer sur la facture si le bénéficiaire (BG-10) n'est pas le vendeur (BG-4).",
    "BR-18": "Le nom du représentant fiscal du vendeur (BT-62) doit figurer sur la facture si le vendeur (BG-4) a un représentant fiscal (BG-11).",
    "BR-19": "L'adresse postale du représentant fiscal (BG-12) doit figurer sur la facture si le vendeur (BG-4) a un représentant fiscal (BG-11).",
    "BR-20": "L'adresse postale du représentant fiscal (BG-12) doit comporter son code pays (BT-69) si le vendeur (BG-4) a un représentant fiscal (BG-11).",
    "BR-21": "Chaque ligne de facture (BG-25) doit avoir un identifiant de ligne (BT-126).",
    "BR-22": "Chaque ligne de facture (BG-25) doit indiquer la quantité facturée (BT-129).",
    "BR-23": "Une ligne de facture (BG-25) doit indiquer l'unité de mesure de la quantité facturée (BT-130).",
    "BR-24": "Chaque ligne de facture (BG-25) doit indiquer son montant net (BT-131).",
    "BR-25": "Chaque ligne de facture (BG-25) doit indiquer le nom de l'article (BT-153).",
    "BR-26": "Chaque ligne de facture (BG-25) doit indiquer le prix net de l'article (BT-146).",
    "BR-27": "Le prix net de l'article (BT-146) ne doit PAS être négatif.",
    "BR-28": "Le prix brut de l'article (BT-148) ne doit PAS être négatif.",
    "BR-29": "Si les dates de début (BT-73) et de fin (BT-74) de la période de facturation sont données, la date de fin doit être postérieure ou égale à la date de début.",
    "BR-30": "Si les dates de début (BT-134) et de fin (BT-135) de la période de la ligne sont données, la date de fin doit être postérieure ou égale à la date de début.",
    "BR-31": "Chaque remise au niveau du document (BG-20) doit en indiquer le montant (BT-92).",
    "BR-32": "Chaque remise au niveau du document (BG-20) doit indiquer son code de catégorie de TVA (BT-95).",
    "BR-33": "Chaque remise au niveau du document (BG-20) doit en indiquer le motif (BT-97) ou le code du motif (BT-98).",
    "BR-36": "Chaque frais au niveau du document (BG-21) doit en indiquer le montant (BT-99).",
    "BR-37": "Chaque frais au niveau du document (BG-21) doit indiquer son code de catégorie de TVA (BT-102).",
    "BR-38": "Chaque frais au niveau du document (BG-21) doit en indiquer le motif (BT-104) ou le code du motif (BT-105).",
    "BR-41": "Chaque remise sur une ligne (BG-27) doit en indiquer le montant (BT-136).",
    "BR-42": "Chaque remise sur une ligne (BG-27) doit en indiquer le motif (BT-139) ou le code du motif (BT-140).",
    "BR-43": "Chaque frais sur une ligne (BG-28) doit en indiquer le montant (BT-141).",
    "BR-44": "Chaque frais sur une ligne (BG-28) doit en indiquer le motif (BT-144) ou le code du motif (BT-145).",
    "BR-45": "Chaque ventilation de TVA (BG-23) doit indiquer la base d'imposition de la catégorie (BT-116).",
    "BR-46": "Chaque ventilation de TVA (BG-23) doit indiquer le montant de TVA de la catégorie (BT-117).",
    "BR-47": "Chaque ventilation de TVA (BG-23) doit être définie par un code de catégorie de TVA (BT-118).",
    "BR-48": "Chaque ventilation de TVA (BG-23) doit indiquer le taux de la catégorie (BT-119), sauf si la facture n'est pas soumise à la TVA.",
    "BR-49": "Une instruction de paiement (BG-16) doit indiquer le code du moyen de paiement (BT-81).",
    "BR-50": "L'identifiant du compte de paiement (BT-84) doit figurer si la facture comporte des informations de virement (BG-17).",
    "BR-51": "Pour la sécurité des paiements par carte, une facture ne doit jamais comporter le numéro complet de la carte (BT-87) : au plus les 6 premiers et 4 derniers chiffres.",
    "BR-52": "Chaque justificatif additionnel (BG-24) doit comporter une référence (BT-122).",
    "BR-53": "Si le code de devise de comptabilisation de la TVA (BT-6) est présent, le montant total de TVA dans cette devise (BT-111) doit être fourni.",
    "BR-54": "Chaque attribut d'article (BG-32) doit comporter un nom (BT-160) et une valeur (BT-161).",
    "BR-55": "Chaque référence à une facture antérieure (BG-3) doit comporter la référence de cette facture (BT-25).",
    "BR-56": "Chaque représentant fiscal du vendeur (BG-11) doit avoir un identifiant à la TVA (BT-63).",
    "BR-57": "Chaque adresse de livraison (BG-15) doit comporter un code pays (BT-80).",
    "BR-61": "Pour un virement (SEPA, national ou international), l'identifiant du compte de paiement (BT-84) est obligatoire.",
    "BR-62": "L'adresse électronique du vendeur (BT-34) doit avoir un identifiant de schéma.",
    "BR-63": "L'adresse électronique de l'acheteur (BT-49) doit avoir un identifiant de schéma.",
    "BR-64": "L'identifiant normalisé de l'article (BT-157) doit avoir un identifiant de schéma.",
    "BR-65": "L'identifiant de classification de l'article (BT-158) doit avoir un identifiant de schéma.",
    "BR-S-01": "Une facture dont une ligne (BG-25), une remise (BG-20) ou des frais (BG-21) relèvent du taux normal (BT-151, BT-95 ou BT-102) doit comporter, dans la ventilation de la TVA (BG-23), au moins une catégorie (BT-118) « taux normal ».",
    "BR-S-02": "Une facture dont une ligne (BG-25) relève du taux normal (BT-151) doit comporter l'identifiant TVA du vendeur (BT-31), son identifiant d'enregistrement fiscal (BT-32) ou l'identifiant TVA de son représentant fiscal (BT-63).",
    "BR-S-03": "Une facture dont une remise au niveau du document (BG-20) relève du taux normal (BT-95) doit comporter l'identifiant TVA du vendeur (BT-31), son identifiant d'enregistrement fiscal (BT-32) ou l'identifiant TVA de son représentant fiscal (BT-63).",
    "BR-S-04": "Une facture dont des frais au niveau du document (BG-21) relèvent du taux normal (BT-102) doit comporter l'identifiant TVA du vendeur (BT-31), son identifiant d'enregistrement fiscal (BT-32) ou l'identifiant TVA de son représentant fiscal (BT-63).",
    "BR-S-05": "Sur une ligne (BG-25) au taux normal (BT-151), le taux de TVA de l'article (BT-152) doit être supérieur à zéro.",
    "BR-S-06": "Pour une remise au niveau du document (BG-20) au taux normal (BT-95), son taux de TVA (BT-96) doit être supérieur à zéro.",
    "BR-S-07": "Pour des frais au niveau du document (BG-21) au taux normal (BT-102), leur taux de TVA (BT-103) doit être supérieur à zéro.",
    "BR-S-08": "Pour chaque taux (BT-119) de la catégorie « taux normal » (BT-118), la base d'imposition (BT-116) de la ventilation de TVA (BG-23) doit égaler la somme des montants nets des lignes (BT-131) plus les frais (BT-99) moins les remises (BT-92) au niveau du document de cette catégorie et de ce taux.",
    "BR-S-09": "Le montant de TVA (BT-117) d'une ventilation (BG-23) au taux normal (BT-118) doit égaler la base d'imposition (BT-116) multipliée par le taux (BT-119).",
    "BR-S-10": "Une ventilation de TVA (BG-23) au taux normal (BT-118) ne doit avoir ni code (BT-121) ni motif (BT-120) d'exonération.",
    "BR-CO-03": "La date d'exigibilité de la TVA (BT-7) et son code (BT-8) s'excluent mutuellement.",
    "BR-CO-04": "Chaque ligne de facture (BG-25) doit être classée par un code de catégorie de TVA (BT-151).",
    "BR-CO-05": "Le motif de la remise au niveau du document (BT-97) et son code (BT-98) doivent désigner le même motif.",
    "BR-CO-06": "Le motif des frais au niveau du document (BT-104) et son code (BT-105) doivent désigner le même motif.",
    "BR-CO-07": "Le motif de la remise sur ligne (BT-139) et son code (BT-140) doivent désigner le même motif.",
    "BR-CO-08": "Le motif des frais sur ligne (BT-144) et son code (BT-145) doivent désigner le même motif.",
    "BR-CO-09": "L'identifiant à la TVA du vendeur (BT-31), de son représentant fiscal (BT-63) et de l'acheteur (BT-48) doit commencer par un code pays ISO 3166-1 alpha-2 (la Grèce utilise EL).",
    "BR-CO-10": "La somme des montants nets des lignes (BT-106) doit égaler la somme des montants nets de chaque ligne (BT-131).",
    "BR-CO-11": "La somme des remises au niveau du document (BT-107) doit égaler la somme des montants de ces remises (BT-92).",
    "BR-CO-12": "La somme des frais au niveau du document (BT-108) doit égaler la somme des montants de ces frais (BT-99).",
    "BR-CO-13": "Le montant total hors TVA (BT-109) doit égaler la somme des montants nets des lignes (BT-131) moins les remises (BT-107) plus les frais (BT-108) au niveau du document.",
    "BR-CO-14": "Le montant total de TVA (BT-110) doit égaler la somme des montants de TVA par catégorie (BT-117).",
    "BR-CO-15": "Le montant total TTC (BT-112) doit égaler le montant total hors TVA (BT-109) plus le montant total de TVA (BT-110).",
    "BR-CO-16": "Le montant à payer (BT-115) doit égaler le montant total TTC (BT-112) moins le montant déjà payé (BT-113) plus l'arrondi (BT-114).",
    "BR-CO-17": "Le montant de TVA d'une catégorie (BT-117) doit égaler sa base d'imposition (BT-116) multipliée par son taux (BT-119) / 100, arrondi à deux décimales.",
    "BR-CO-18": "Une facture doit comporter au moins une ventilation de TVA (BG-23).",
    "BR-CO-19": "Si la période de facturation (BG-14) est utilisée, sa date de début (BT-73), sa date de fin (BT-74) ou les deux doivent être données.",
    "BR-CO-20": "Si la période de la ligne (BG-26) est utilisée, sa date de début (BT-134), sa date de fin (BT-135) ou les deux doivent être données.",
    "BR-CO-21": "Chaque remise au niveau du document (BG-20) doit comporter un motif (BT-97), un code de motif (BT-98), ou les deux.",
    "BR-CO-22": "Chaque frais au niveau du document (BG-21) doit comporter un motif (BT-104), un code de motif (BT-105), ou les deux.",
    "BR-CO-23": "Chaque remise sur ligne (BG-27) doit comporter un motif (BT-139), un code de motif (BT-140), ou les deux.",
    "BR-CO-24": "Chaque frais sur ligne (BG-28) doit comporter un motif (BT-144), un code de motif (BT-145), ou les deux.",
    "BR-CO-25": "Si le montant à payer (BT-115) est positif, la date d'échéance (BT-9) ou les conditions de paiement (BT-20) doivent figurer.",
    "BR-CO-26": "Pour que l'acheteur puisse identifier le vendeur, l'identifiant du vendeur (BT-29), son identifiant d'enregistrement légal (BT-30) ou son identifiant à la TVA (BT-31) doit figurer.",
}

PATTERNS = [
    (r"^The allowed maximum number of decimals for the (.+) is (\d+)\.?$", "Le nombre maximal de décimales autorisé pour « {0} » est {1}."),
    (r"^(.+?) MUST be coded using (.+)$", "« {0} » doit être codé selon {1}"),
    (r"^(.+?) MUST be according to (.+)$", "« {0} » doit respecter {1}"),
    (r"^A UBL invoice should not include (?:the |an? )?(.+?)\.?$", "Une facture UBL ne devrait pas contenir {0}."),
    (r"^A UBL credit note should not include (?:the |an? )?(.+?)\.?$", "Un avoir UBL ne devrait pas contenir {0}."),
    (r"^- ?(.+?) should not be present\.?$", "L'élément {0} ne devrait pas être présent."),
    (r"^(.+?) should not be present\.?$", "L'élément {0} ne devrait pas être présent."),
    (r"^(.+?) should not be used\.?$", "{0} ne devrait pas être utilisé."),
    (r"^(.+?) shall not be used\.?$", "{0} ne doit pas être utilisé."),
    (r"^(.+?) should exist maximum once\.?$", "{0} ne devrait figurer qu'une fois au plus."),
    (r"^(.+?) shall exist maximum once\.?$", "{0} ne doit figurer qu'une fois au plus."),
    (r"^(.+?) should only be used once\.?$", "{0} ne devrait être utilisé qu'une fois."),
]


CATEGORIES = {
    "standard rated": "taux normal", "standard rate": "taux normal", "zero rated": "taux zéro", "exempt from vat": "exonéré de TVA",
    "reverse charge": "autoliquidation", "intra-community supply": "livraison intracommunautaire",
    "export outside the eu": "exportation hors UE", "not subject to vat": "hors champ de la TVA",
    "igic": "IGIC (Canaries)", "ipsi": "IPSI (Ceuta et Melilla)",
}

WHAT = {"an Invoice line": ("une ligne", "BT-151"), "a Document level allowance": ("une remise au niveau du document", "BT-95"),
        "a Document level charge": ("des frais au niveau du document", "BT-102")}


def category(label):
    return CATEGORIES.get(label.strip().lower(), label.strip())


# The VAT category rules (BR-S/Z/E/AE/IC/G/O/AF/AG…) share a few sentence shapes.
CATEGORY_SHAPES = [
    (r'^In an Invoice line \(BG-25\) where the Invoiced item VAT category code \(BT-151\) is "([^"]+)",? the Invoiced item VAT rate \(BT-152\) shall be 0 \(zero\)\.?$',
     "Sur une ligne (BG-25) de catégorie de TVA « {0} » (BT-151), le taux de TVA de l'article (BT-152) doit être 0 (zéro)."),
    (r'^In a Document level allowance \(BG-20\) where the Document level allowance VAT category code \(BT-95\) is "([^"]+)",? the Document level allowance VAT rate \(BT-96\) shall be 0 \(zero\)\.?$',
     "Pour une remise au niveau du document (BG-20) de catégorie « {0} » (BT-95), le taux de TVA (BT-96) doit être 0 (zéro)."),
    (r'^In a Document level charge \(BG-21\) where the Document level charge VAT category code \(BT-102\) is "([^"]+)",? the Document level charge VAT rate \(BT-103\) shall be 0 \(zero\)\.?$',
     "Pour des frais au niveau du document (BG-21) de catégorie « {0} » (BT-102), le taux de TVA (BT-103) doit être 0 (zéro)."),
    (r'^The VAT category tax amount \(BT-117\) [Ii]n a VAT breakdown \(BG-23\) where (?:the )?VAT category code \(BT-118\) (?:is|equals) "([^"]+)" shall (?:be|equal) 0 \(zero\)\.?$',
     "Le montant de TVA (BT-117) d'une ventilation (BG-23) de catégorie « {0} » (BT-118) doit être 0 (zéro)."),
    (r'^In a VAT breakdown \(BG-23\) where (?:the )?VAT category code \(BT-118\) is "([^"]+)" the VAT category taxable amount \(BT-116\) shall equal the sum of Invoice line net amounts? \(BT-131\) minus the sum of Document level allowance amounts \(BT-92\) plus the sum of Document level charge amounts \(BT-99\) where the VAT category codes? \(BT-151, BT-95, BT-102\) (?:is|are) "[^"]+"\.?$',
     "Dans une ventilation de TVA (BG-23) de catégorie « {0} » (BT-118), la base d'imposition (BT-116) doit égaler la somme des montants nets des lignes (BT-131) moins les remises (BT-92) plus les frais (BT-99) au niveau du document de cette catégorie."),
    (r'^A VAT Breakdown \(BG-23\) with VAT Category code \(BT-118\) "([^"]+)" shall not have a VAT exemption reason code \(BT-121\) or VAT exemption reason text \(BT-120\)\.?$',
     "Une ventilation de TVA (BG-23) de catégorie « {0} » (BT-118) ne doit avoir ni code (BT-121) ni motif (BT-120) d'exonération."),
    (r'^A VAT Breakdown \(BG-23\) with VAT Category code \(BT-118\) "([^"]+)" shall have a VAT exemption reason code \(BT-121\) or a VAT exemption reason text \(BT-120\)\.?$',
     "Une ventilation de TVA (BG-23) de catégorie « {0} » (BT-118) doit indiquer un code (BT-121) ou un motif (BT-120) d'exonération."),
]

SELLER_IDS = (r'^An Invoice that contains (an Invoice line|a Document level allowance|a Document level charge)(?: \(BG-2\d\))? where the '
              r'(?:Invoiced item|Document level allowance|Document level charge) VAT category code \((BT-\d+)\) is "([^"]+)" shall contain '
              r'the Seller VAT Identifier \(BT-31\), the Seller [Tt]ax registration identifier \(BT-32\) and/or the Seller tax representative VAT identifier \(BT-63\)\.?$')


def category_rule(en):
    for pattern, template in CATEGORY_SHAPES:
        m = re.match(pattern, en)
        if m:
            return template.format(category(m.group(1)))
    m = re.match(SELLER_IDS, en)
    if m:
        what, _ = WHAT[m.group(1)]
        return (f"Une facture comportant {what} de catégorie de TVA « {category(m.group(3))} » ({m.group(2)}) doit comporter "
                "l'identifiant TVA du vendeur (BT-31), son identifiant d'enregistrement fiscal (BT-32) ou l'identifiant TVA de son représentant fiscal (BT-63).")
    return None


def extract(path):
    text = open(path, encoding="utf-8").read()
    out = {}
    for m in re.finditer(r'<xsl:attribute name="id">([^<]+)</xsl:attribute>.*?<svrl:text>(.*?)</svrl:text>', text, re.S):
        rid, t = m.group(1).strip(), " ".join(m.group(2).split())
        t = re.sub(r"<[^>]+>", "", t)
        t = re.sub(r"^\[[^\]]*\]\s*-?\s*", "", t).strip()
        out.setdefault(rid, t)
    return out


def term(text):
    m = re.search(r"\b(B[TG]-\d+)\b", text)
    return m.group(1) if m else ""


def french(rid, en):
    if rid in FR:
        return FR[rid]
    c = category_rule(en)
    if c:
        return c
    for pattern, template in PATTERNS:
        m = re.match(pattern, en)
        if m:
            return template.format(*[g.strip() for g in m.groups()])
    return "(texte officiel, en anglais) " + en


def main():
    sources = [os.path.join(ART, "en16931/schematron", f) for f in ("EN16931-CII-validation.xslt", "EN16931-UBL-validation.xslt")]
    rules = {}
    for s in sources:
        for rid, en in extract(s).items():
            rules.setdefault(rid, en)
    lines = ["# rule id\tterm\tEnglish (official text)\tFrench — written by scripts/gen-messages.py from the CEN/TC 434 artefacts v1.3.16"]
    translated = 0
    for rid in sorted(rules):
        en = rules[rid]
        fr = french(rid, en)
        if not fr.startswith("(texte officiel"):
            translated += 1
        lines.append("\t".join([rid, term(en), en.replace("\t", " "), fr.replace("\t", " ")]))
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")
    print(f"{len(rules)} rules, {translated} with a French text, {len(rules) - translated} with the official English text")


if __name__ == "__main__":
    sys.exit(main())
