import HTTPCore
import HTTPTypes
import TandemTesting
import Testing

@Suite("W3C trace context fields")
struct TraceContextFieldsTests {
    static let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    @Test("traceparent: the W3C grammar, lower-case hex, ids not zero, version ff refused, a later version's first fields")
    func traceparent() {
        #expect(TraceContextFields.traceparent([Self.parent]) == Self.parent)
        #expect(
            TraceContextFields.traceparent(["01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-future"])
                == "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        )
        for invalid in [
            "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",  // upper case
            "00-00000000000000000000000000000000-b7ad6b7169203331-01",  // zero trace id
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",  // zero parent id
            "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",  // version ff
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x",  // version 00 with more
            "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x",  // a later version without a dash
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01", "00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01",
            "", "garbage",
        ] {
            #expect(TraceContextFields.traceparent([invalid]) == nil, "\(invalid)")
        }
        #expect(TraceContextFields.traceparent([Self.parent, Self.parent]) == nil)  // sent twice
        #expect(TraceContextFields.traceparent([]) == nil)
    }

    @Test("tracestate: an invalid member is dropped, not the list; nothing without a valid traceparent")
    func invalidMembers() {
        #expect(TraceContextFields.tracestate(["UPPER=1,ok=2"], traceparentValid: true) == "ok=2")
        #expect(TraceContextFields.tracestate(["UPPER=1"], traceparentValid: true) == nil)
        #expect(TraceContextFields.tracestate(["a=\(String(repeating: "v", count: 10_000))"], traceparentValid: true) == nil)
        #expect(
            TraceContextFields.tracestate(["congo=t61rcWkgMzE, rojo=00f067aa0ba902b7", "tenant@sys=x y"], traceparentValid: true)
                == "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7,tenant@sys=x y"
        )
        // Repeated keys: the leftmost (the most recent vendor's) stays. Empty members are allowed and dropped.
        #expect(TraceContextFields.tracestate(["a=1,,b=2, a=3"], traceparentValid: true) == "a=1,b=2")
        // A list's members are trimmed: "a=x " and "a=x, y" keep "a=x".
        #expect(TraceContextFields.tracestate(["a=x ,y"], traceparentValid: true) == "a=x")
        for invalid in [
            "=1", "a=", "a=b=c", "a=in\u{1}side", "1a=1", "@sys=1", "t@=1", "t@1sys=1", "t@sys-too-long-xy=1", "a=\u{7F}", "é=1",
        ] {
            #expect(TraceContextFields.tracestate([invalid], traceparentValid: true) == nil, "\(invalid)")
        }
        #expect(TraceContextFields.tracestate(["a=1"], traceparentValid: false) == nil)
    }

    @Test("tracestate is bounded: 32 members (the rightmost go), 512 characters (long members first, then from the right)")
    func bounds() throws {
        let forty = (0..<40).map { "k\($0)=v" }.joined(separator: ",")
        let kept = try #require(TraceContextFields.tracestate([forty], traceparentValid: true))
        #expect(kept == (0..<32).map { "k\($0)=v" }.joined(separator: ","))

        let long = "long=" + String(repeating: "x", count: 200)
        let medium = (0..<6).map { "m\($0)=" + String(repeating: "y", count: 90) }  // 6 × 93 characters
        let state = try #require(TraceContextFields.tracestate([([long] + medium).joined(separator: ",")], traceparentValid: true))
        #expect(!state.contains("long="))  // the member over 128 characters went first
        #expect(state.utf8.count <= 512)
        #expect(state == medium.prefix(5).joined(separator: ","))  // then the rightmost until it fits

        // Generated lists: always within both bounds, always a prefix-ordered subset of what was valid.
        var generator = SeededGenerator(seed: 9)
        for _ in 0..<500 {
            let members = (0..<Int.random(in: 1...50, using: &generator)).map { index in
                "k\(index)=" + String(repeating: "z", count: Int.random(in: 1...200, using: &generator))
            }
            let whole = members.joined(separator: ",")
            guard let state = TraceContextFields.tracestate([whole], traceparentValid: true) else {
                // Only when the list was too long and every member was a long one, the first to go.
                #expect(whole.utf8.count > 512 && members.allSatisfy { $0.utf8.count > 128 }, "\(members.count) valid members dropped")
                continue
            }
            let out = state.split(separator: ",").map(String.init)
            #expect(out.count <= 32 && state.utf8.count <= 512)
            var remaining = members[...]
            for member in out {
                guard let index = remaining.firstIndex(of: member) else {
                    Issue.record("\(member) out of order or invented")
                    break
                }
                remaining = remaining[(index + 1)...]
            }
        }
    }

    @Test("the extractor gives a tracer what the rules keep")
    func extractor() {
        var fields = HTTPFields()
        fields[HTTPField.Name("traceparent")!] = Self.parent
        fields.append(HTTPField(name: HTTPField.Name("tracestate")!, value: "UPPER=1,ok=1"))
        fields.append(HTTPField(name: HTTPField.Name("tracestate")!, value: "two=2"))
        fields[HTTPField.Name("baggage")!] = "k=v"
        let extractor = HTTPFieldsExtractor()
        #expect(extractor.extract(key: "traceparent", from: fields) == Self.parent)
        #expect(extractor.extract(key: "tracestate", from: fields) == "ok=1,two=2")
        #expect(extractor.extract(key: "baggage", from: fields) == "k=v")
        fields[HTTPField.Name("traceparent")!] = "00-bad"
        #expect(extractor.extract(key: "traceparent", from: fields) == nil)
        #expect(extractor.extract(key: "tracestate", from: fields) == nil)
    }
}
