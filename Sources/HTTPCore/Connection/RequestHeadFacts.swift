package import NIOHTTP1

/// What the server needs to know about a request's header fields, gathered in one pass.
package struct RequestHeadFacts: Sendable {
    /// `Host` values, counting each comma-separated one (`Host: a, b` is two).
    var hosts = 0
    /// The first `Content-Length`, when it is a number.
    var contentLength: Int?
    var hasContentLength = false
    var transferEncoding = false
    var expect = false
    /// `Expect: 100-continue`.
    var expectContinue = false
    /// An `Upgrade` field.
    var upgradeField = false
    /// `Connection` names `close` / `keep-alive` / `upgrade`.
    var close = false
    var keepAliveToken = false
    var upgradeToken = false

    /// The request asks to switch protocols: `Upgrade` *and* `Connection: upgrade` (RFC 9110 §7.8; an
    /// `Upgrade` field the `Connection` field does not name is ignored, as NIO's parser ignores it).
    var upgrade: Bool { self.upgradeField && self.upgradeToken }

    package init(_ headers: HTTPHeaders) {
        for (name, value) in headers {
            var name = name
            name.withUTF8 { bytes in
                switch bytes.count {
                case 4 where equalsIgnoringASCIICase(bytes, "host"):
                    self.hosts += value.utf8.contains(UInt8(ascii: ",")) ? 2 : 1
                case 6 where equalsIgnoringASCIICase(bytes, "expect"):
                    self.expect = true
                    var value = value
                    if value.withUTF8({ equalsIgnoringASCIICase($0, "100-continue") }) { self.expectContinue = true }
                case 7 where equalsIgnoringASCIICase(bytes, "upgrade"):
                    self.upgradeField = true
                case 10 where equalsIgnoringASCIICase(bytes, "connection"):
                    for token in value.utf8.split(separator: UInt8(ascii: ",")) {
                        let token = token.drop { $0 == 32 || $0 == 9 }.reversed().drop { $0 == 32 || $0 == 9 }
                        let lower = token.reversed().map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
                        if lower.elementsEqual("close".utf8) { self.close = true }
                        if lower.elementsEqual("keep-alive".utf8) { self.keepAliveToken = true }
                        if lower.elementsEqual("upgrade".utf8) { self.upgradeToken = true }
                    }
                case 14 where equalsIgnoringASCIICase(bytes, "content-length"):
                    if !self.hasContentLength { self.contentLength = Int(value) }
                    self.hasContentLength = true
                case 17 where equalsIgnoringASCIICase(bytes, "transfer-encoding"):
                    self.transferEncoding = true
                default:
                    break
                }
            }
        }
    }
}
