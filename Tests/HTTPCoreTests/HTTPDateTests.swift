import Testing

@testable import HTTPCore

@Suite("HTTPDate")
struct HTTPDateTests {
    @Test(
        "formats IMF-fixdate",
        arguments: [
            (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
            (784_111_777, "Sun, 06 Nov 1994 08:49:37 GMT"),
            (951_782_400, "Tue, 29 Feb 2000 00:00:00 GMT"),
            (1_798_761_599, "Thu, 31 Dec 2026 23:59:59 GMT"),
            (-1, "Wed, 31 Dec 1969 23:59:59 GMT"),
        ]
    )
    func format(seconds: Int, expected: String) {
        #expect(HTTPDate.format(epochSeconds: seconds) == expected)
    }

    @Test("the cached value has the IMF-fixdate shape")
    func now() {
        let value = HTTPDate.now()
        #expect(value.hasSuffix(" GMT"))
        #expect(value.utf8.count == 29)
    }
}
