import Testing

@testable import HTTPCore

@Suite("ResponseFraming")
struct ResponseFramingTests {
    @Test("1xx, 204 and 304 end with their head; every other status may have content", arguments: 100...599)
    func noContent(status: Int) {
        #expect(ResponseFraming.hasNoContent(status: status) == (status < 200 || status == 204 || status == 304))
    }

    @Test(
        "a status without content that announces some anyway makes the connection unusable; a 304's length does not",
        arguments: [
            (204, false, 0, false), (204, false, 5, true), (204, true, nil, true), (100, false, 3, true),
            (304, false, 1_234, false), (304, true, nil, true), (200, true, nil, false), (200, false, 10, false),
            (204, false, nil, false),
        ] as [(Int, Bool, Int?, Bool)]
    )
    func announcedContent(status: Int, transferEncoding: Bool, length: Int?, expected: Bool) {
        #expect(
            ResponseFraming.announcesContentItMustNotHave(status: status, transferEncoding: transferEncoding, contentLength: length)
                == expected
        )
    }
}
