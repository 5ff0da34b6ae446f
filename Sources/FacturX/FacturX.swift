/// Factur-X: an invoice as a PDF/A-3 whose pages show it and which carries its CII XML.
/// This module lays the invoice out on pages (built on `PDF`'s writer), wraps it in the
/// Factur-X container (XMP, `/AF`, `factur-x.xml`), and reads such files back.
public enum FacturX {}
