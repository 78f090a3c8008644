import NIOCore

/// The 1 KB JSON document served by `/json` (the benchmark's JSON route).
enum HelloPayload {
    static let json: ByteBuffer = {
        var items: [String] = []
        for index in 0..<15 {
            items.append(#"{"id":\#(index),"title":"Result number \#(index)","url":"https://example.com/\#(index)"}"#)
        }
        return ByteBuffer(string: #"{"status":"success","data":{"results":["# + items.joined(separator: ",") + #"]},"error":null}"#)
    }()
}
