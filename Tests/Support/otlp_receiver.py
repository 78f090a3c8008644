#!/usr/bin/env python3
"""A small OTLP/HTTP trace receiver for the tests (independent of the Swift side: the OpenTelemetry project's own
protobuf definitions decode what swift-otel sends).

Usage: otlp_receiver.py SPANS_FILE. Prints `receiver listening on http://127.0.0.1:PORT`, then appends one JSON line per received span to
SPANS_FILE:
{"service", "trace_id", "span_id", "parent_span_id", "name", "kind", "status", "attributes"}.
Only `POST /v1/traces` with `application/x-protobuf` is accepted, as the OTLP/HTTP specification says.
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2
from opentelemetry.proto.trace.v1 import trace_pb2

KINDS = {value: name for name, value in trace_pb2.Span.SpanKind.items()}


def value_of(any_value):
    kind = any_value.WhichOneof("value")
    return getattr(any_value, kind) if kind else None


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        if self.path != "/v1/traces" or self.headers.get("Content-Type") != "application/x-protobuf":
            self.send_error(404 if self.path != "/v1/traces" else 415)
            return
        length = int(self.headers.get("Content-Length", "0"))
        request = trace_service_pb2.ExportTraceServiceRequest()
        request.ParseFromString(self.rfile.read(length))
        lines = []
        for resource_spans in request.resource_spans:
            resource = {a.key: value_of(a.value) for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    lines.append(json.dumps({
                        "service": resource.get("service.name"),
                        "trace_id": span.trace_id.hex(),
                        "span_id": span.span_id.hex(),
                        "parent_span_id": span.parent_span_id.hex(),
                        "name": span.name,
                        "kind": KINDS.get(span.kind, str(span.kind)),
                        "status": trace_pb2.Status.StatusCode.Name(span.status.code),
                        "attributes": {a.key: value_of(a.value) for a in span.attributes},
                    }))
        if lines:
            with open(SPANS_FILE, "a") as spans:
                spans.write("\n".join(lines) + "\n")
        body = trace_service_pb2.ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    SPANS_FILE = sys.argv[1]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    print(f"receiver listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()
