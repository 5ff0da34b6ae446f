import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// UTC timestamps as the storage keeps them (`2026-11-25T09:58:00Z`, or with milliseconds), the same text
/// as `ISO8601DateFormatter`'s, without creating a formatter per call: creating one costs tens of
/// microseconds, and issuing an invoice stamps a dozen rows.
enum ISOTime {
    static func string(_ date: Date, milliseconds: Bool = false) -> String {
        // Foundation rounds to the nearest millisecond first (the seconds then carry), whether it prints
        // the milliseconds or not: 12:00:00.9996 is written 12:00:01.
        let total = (date.timeIntervalSince1970 * 1000).rounded()
        var seconds = time_t((total / 1000).rounded(.down))
        let millis = Int(total - Double(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ v: Int32, _ width: Int) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        var text = pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2)
        if milliseconds { text += "." + pad(Int32(millis), 3) }
        return text + "Z"
    }
}
