import Foundation
import Testing
@testable import InvoiceModel

@Suite("LocalDate")
struct LocalDateTests {
    @Test func parsesISOAndFormat102() throws {
        let iso = try #require(LocalDate(iso: "2024-03-15"))
        let cii = try #require(LocalDate(cii102: "20240315"))
        #expect(iso == cii)
        #expect(iso.year == 2024 && iso.month == 3 && iso.day == 15)
        #expect(iso.isoString == "2024-03-15")
        #expect(iso.cii102String == "20240315")
        #expect(LocalDate(parsing: " 20240315 ") == iso)
        #expect(LocalDate(parsing: "2024-03-15") == iso)
    }

    @Test func padsSmallComponents() throws {
        let early = try #require(LocalDate(year: 987, month: 1, day: 5))
        #expect(early.isoString == "0987-01-05")
        #expect(early.cii102String == "09870105")
        #expect(LocalDate(cii102: early.cii102String) == early)
    }

    @Test func leapYears() {
        #expect(LocalDate(iso: "2024-02-29") != nil)
        #expect(LocalDate(iso: "2000-02-29") != nil)
        #expect(LocalDate(iso: "2023-02-29") == nil)
        #expect(LocalDate(iso: "1900-02-29") == nil)
        #expect(LocalDate(cii102: "21000229") == nil)
    }

    @Test(arguments: [
        "", "2024-3-15", "2024/03/15", "15-03-2024", "2024-03-15T10:00:00", "2024-13-01", "2024-00-10",
        "2024-04-31", "2024-01-00", "+024-01-01", "2024-0a-01", "2024031", "202403151", "2024-03-1 ",
        "0000-01-01", "２０２４-03-15",
    ])
    func rejectsMalformedISO(_ text: String) {
        #expect(LocalDate(iso: text) == nil)
    }

    @Test(arguments: ["", "2024315", "2024-03-15", "20241301", "20240230", "2024031a", "-2024031", "202403150"])
    func rejectsMalformed102(_ text: String) {
        #expect(LocalDate(cii102: text) == nil)
    }

    @Test func parsingDoesNotMixFormats() {
        // An ISO string with its dashes removed is the 102 form; anything else must not be guessed at.
        #expect(LocalDate(parsing: "2024-0315") == nil)
        #expect(LocalDate(parsing: "15/03/2024") == nil)
    }

    @Test func ordersChronologically() {
        #expect(date("2023-12-31") < date("2024-01-01"))
        #expect(date("2024-01-31") < date("2024-02-01"))
        #expect(!(date("2024-02-01") < date("2024-02-01")))
    }

    @Test func codableAsISOString() throws {
        let data = try JSONEncoder().encode([date("2024-03-15")])
        #expect(String(decoding: data, as: UTF8.self) == #"["2024-03-15"]"#)
        #expect(try JSONDecoder().decode([LocalDate].self, from: data) == [date("2024-03-15")])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([LocalDate].self, from: Data(#"["2024-02-30"]"#.utf8))
        }
    }
}

@Suite("Decimal helpers")
struct DecimalTests {
    @Test func decimalArithmeticIsExact() {
        let sum = dec("0.1") + dec("0.2")
        #expect(sum == dec("0.3"))
        #expect(sum.plainString == "0.3")
        // The same sum in Double is the classic counter-example this model exists to avoid.
        #expect(0.1 + 0.2 != 0.3)
    }

    @Test(arguments: [
        ("1234567890.123456", "1234567890.123456"),
        ("0.0000000001", "0.0000000001"),
        ("1E+20", "100000000000000000000"),
        ("1e-7", "0.0000001"),
        ("-3.50", "-3.5"),
        ("10.500", "10.5"),
        ("0", "0"),
        ("-0.00", "0"),
        ("007", "7"),
        ("12345678901234567890.123456789012345678", "12345678901234567890.123456789012345678"),
        ("-0.05", "-0.05"),
        ("100", "100"),
    ])
    func plainStringKeepsEveryDigitWithoutExponent(_ input: String, _ expected: String) {
        let value = Decimal(string: input, locale: Locale(identifier: "en_US_POSIX"))!
        #expect(value.plainString == expected)
        #expect(!value.plainString.contains("e") && !value.plainString.contains("E"))
        #expect(Decimal(plain: value.plainString) == value)
    }

    @Test func minimumFractionDigitsPadsButNeverTruncates() {
        #expect(dec("5").formatted(minFractionDigits: 2) == "5.00")
        #expect(dec("5.1").formatted(minFractionDigits: 2) == "5.10")
        #expect(dec("-0.5").formatted(minFractionDigits: 2) == "-0.50")
        #expect(dec("1.005").formatted(minFractionDigits: 2) == "1.005")
        #expect(dec("19.1234").formatted(minFractionDigits: 2) == "19.1234")
        #expect(Decimal(string: "1E+3")!.formatted(minFractionDigits: 2) == "1000.00")
        #expect(dec("0.001").formatted(minFractionDigits: 0) == "0.001")
    }

    @Test func roundingIsHalfAwayFromZero() {
        #expect(dec("0.005").rounded() == dec("0.01"))
        #expect(dec("-0.005").rounded() == dec("-0.01"))
        #expect(dec("0.105").rounded() == dec("0.11"))   // banker's rounding would give 0.10
        #expect(dec("2.675").rounded() == dec("2.68"))   // 2.675 as a Double is 2.67499999…
        #expect(dec("2.6749").rounded() == dec("2.67"))
        #expect(dec("1.23456").rounded(scale: 4) == dec("1.2346"))
    }

    @Test func strictParsing() {
        #expect(Decimal(plain: "12.50") == dec("12.5"))
        #expect(Decimal(plain: "+3") == 3)
        #expect(Decimal(plain: ".5") == dec("0.5"))
        #expect(Decimal(plain: "7.") == 7)
        #expect(Decimal(plain: " 42 ") == 42)
        for bad in ["", "abc", "12abc", "1,5", "1.2.3", "1e5", "--1", "1-", "+", ".", "1 000", "NaN", "0x10", "1+2"] {
            #expect(Decimal(plain: bad) == nil, "accepted \(bad)")
        }
    }

    @Test func significantScale() {
        #expect(dec("12.50").significantScale == 1)
        #expect(dec("3").significantScale == 0)
        #expect(dec("0.0001").significantScale == 4)
        #expect(Decimal(string: "1E+2")!.significantScale == 0)
    }

    @Test func jsonRoundTripKeepsAllDigits() throws {
        struct Box: Codable, Equatable { var value: Decimal }
        let original = Box(value: dec("1234567890.123456"))
        let back = try JSONDecoder().decode(Box.self, from: JSONEncoder().encode(original))
        #expect(back == original)
        #expect(back.value.plainString == "1234567890.123456")
    }
}
