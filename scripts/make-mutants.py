#!/usr/bin/env python3
"""Make broken invoices from the official examples, to check that Facteur and the reference
checkers agree on documents that fail (the official examples all pass).

  python3 scripts/make-mutants.py      # rewrites Tests/Fixtures/mutants/*.xml

Each mutation is a small, realistic mistake (wrong total, missing mandatory term, bad code,
impossible date, element in the wrong place...). Deterministic: same output every run.
"""
import copy
import os
import sys

from lxml import etree

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORACLE = os.path.normpath(os.path.join(ROOT, "..", "shared", "oracle"))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "mutants")

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


def first(tree, xpath):
    r = tree.xpath(xpath, namespaces=NS)
    if not r:
        raise SystemExit(f"mutation target not found: {xpath}")
    return r[0]


def set_text(xpath, value):
    def m(tree):
        first(tree, xpath).text = value
    return m


def remove(xpath):
    def m(tree):
        el = first(tree, xpath)
        el.getparent().remove(el)
    return m


def remove_all(xpath):
    def m(tree):
        for el in tree.xpath(xpath, namespaces=NS):
            el.getparent().remove(el)
    return m


def set_attr(xpath, name, value):
    def m(tree):
        first(tree, xpath).set(name, value)
    return m


def add_child(xpath, tag, text):
    def m(tree):
        parent = first(tree, xpath)
        prefix, local = tag.split(":")
        el = etree.SubElement(parent, "{%s}%s" % (NS[prefix], local))
        el.text = text
    return m


def duplicate(xpath):
    def m(tree):
        el = first(tree, xpath)
        el.addnext(copy.deepcopy(el))
    return m


def both(*ms):
    def m(tree):
        for x in ms:
            x(tree)
    return m


CII_SUM = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation"
CII_DOC = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument"
CII_SELLER = "//ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"
CII_LINE = "(//ram:IncludedSupplyChainTradeLineItem)[1]"
CII_TAX = "(//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax)[1]"

CII = {
    "line-total-wrong": set_text(CII_SUM + "/ram:LineTotalAmount", "123456.78"),
    "grand-total-wrong": set_text(CII_SUM + "/ram:GrandTotalAmount", "1.00"),
    "due-amount-wrong": set_text(CII_SUM + "/ram:DuePayableAmount", "0.01"),
    "no-invoice-number": remove(CII_DOC + "/ram:ID"),
    "bad-type-code": set_text(CII_DOC + "/ram:TypeCode", "999"),
    "bad-currency": set_text("//ram:InvoiceCurrencyCode", "EURO"),
    "no-seller-name": remove(CII_SELLER + "/ram:Name"),
    "no-seller-country": remove(CII_SELLER + "/ram:PostalTradeAddress/ram:CountryID"),
    "impossible-date": set_text(CII_DOC + "/ram:IssueDateTime/udt:DateTimeString", "20170230"),
    "bad-date-format": set_attr(CII_DOC + "/ram:IssueDateTime/udt:DateTimeString", "format", "103"),
    "vat-rate-wrong": set_text(CII_TAX + "/ram:RateApplicablePercent", "7"),
    "vat-amount-wrong": set_text(CII_TAX + "/ram:CalculatedAmount", "9999.99"),
    "bad-vat-category": set_text(CII_TAX + "/ram:CategoryCode", "X"),
    "line-without-id": remove(CII_LINE + "/ram:AssociatedDocumentLineDocument/ram:LineID"),
    "line-without-name": remove(CII_LINE + "/ram:SpecifiedTradeProduct/ram:Name"),
    "bad-unit-code": set_attr(CII_LINE + "/ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "unitCode", "PIECES"),
    "unknown-element": add_child(CII_DOC, "ram:Colour", "blue"),
    "duplicated-note": duplicate(CII_DOC + "/ram:TypeCode"),
    "amount-three-decimals": set_text(CII_SUM + "/ram:TaxBasisTotalAmount", "100.123"),
    "no-lines": remove_all("//ram:IncludedSupplyChainTradeLineItem"),
}

UBL_SUM = "/*/cac:LegalMonetaryTotal"
UBL_SELLER = "/*/cac:AccountingSupplierParty/cac:Party"
UBL_LINE = "(/*/cac:InvoiceLine | /*/cac:CreditNoteLine)[1]"
UBL_TAX = "(/*/cac:TaxTotal/cac:TaxSubtotal)[1]"

UBL = {
    "line-total-wrong": set_text(UBL_SUM + "/cbc:LineExtensionAmount", "123456.78"),
    "payable-wrong": set_text(UBL_SUM + "/cbc:PayableAmount", "0.01"),
    "no-invoice-number": remove("/*/cbc:ID"),
    "bad-type-code": set_text("/*/cbc:InvoiceTypeCode", "999"),
    "bad-currency": set_text("/*/cbc:DocumentCurrencyCode", "EURO"),
    "no-seller-name": remove(UBL_SELLER + "/cac:PartyLegalEntity/cbc:RegistrationName"),
    "bad-country": set_text(UBL_SELLER + "/cac:PostalAddress/cac:Country/cbc:IdentificationCode", "XX"),
    "impossible-date": set_text("/*/cbc:IssueDate", "2017-02-30"),
    "vat-rate-wrong": set_text(UBL_TAX + "/cac:TaxCategory/cbc:Percent", "7"),
    "vat-amount-wrong": set_text(UBL_TAX + "/cbc:TaxAmount", "9999.99"),
    "bad-vat-category": set_text(UBL_TAX + "/cac:TaxCategory/cbc:ID", "X"),
    "line-without-name": remove(UBL_LINE + "/cac:Item/cbc:Name"),
    "bad-unit-code": set_attr(UBL_LINE + "/cbc:InvoicedQuantity", "unitCode", "PIECES"),
    "currency-mismatch": set_attr(UBL_SUM + "/cbc:PayableAmount", "currencyID", "USD"),
    "unknown-element": add_child("/*", "cbc:Colour", "blue"),
    "empty-note": both(add_child("/*", "cbc:Note", ""), remove_all("/*/cbc:Note[position() > 1]")),
    "no-customization-id": remove("/*/cbc:CustomizationID"),
}

BASES = {
    "cii": ["en16931/cii/examples/CII_example1.xml", "en16931/cii/examples/CII_example5.xml",
            "facturx-samples/akretion/xml/factur-x-en16931.xml",
            # Other Factur-X profiles: their own schematrons and XSDs apply.
            "facturx-samples/akretion/xml/factur-x-minimum.xml", "facturx-samples/akretion/xml/factur-x-basicwl.xml",
            "facturx-samples/akretion/xml/factur-x-basic.xml", "facturx-samples/akretion/xml/factur-x-extended.xml"],
    "ubl": ["en16931/ubl/examples/ubl-tc434-example1.xml", "en16931/ubl/examples/guide-example2.xml",
            "facturx-samples/akretion/xml/ubl-21-en16931.xml"],
}


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".xml"):
            os.remove(os.path.join(OUT, f))
    count = 0
    for syntax, bases in BASES.items():
        mutations = CII if syntax == "cii" else UBL
        for base in bases:
            src = os.path.join(ORACLE, base)
            stem = os.path.splitext(os.path.basename(base))[0]
            for name, mutate in mutations.items():
                tree = etree.parse(src, etree.XMLParser(resolve_entities=False, no_network=True))
                try:
                    mutate(tree)
                except SystemExit:
                    continue  # the base lacks the element this mutation changes
                path = os.path.join(OUT, f"{stem}--{name}.xml")
                tree.write(path, xml_declaration=True, encoding="UTF-8")
                count += 1
    print(f"wrote {count} mutants to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
