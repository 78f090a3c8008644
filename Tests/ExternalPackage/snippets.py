#!/usr/bin/env python3
"""Writes every ```swift block of README.md and Documentation/*.md as Swift source into OUT (a target folder),
so that building the target proves the documentation compiles against Tandem's public products.

A block is compiled inside an `async throws` function, where the names in Prelude.swift stand for what the
surrounding prose talks about (`router`, `request`, `context`, …); a block can shadow them. A comment line right
before the block changes that:
  <!-- snippet: body(PARAMETERS) -->  inside a function with these parameters (`context: PageContext` in a loader)
  <!-- snippet: top-level -->         declarations at file scope (extensions, @Contract types, @main); statements
                                      after the last declaration go into a function
  <!-- snippet: skip (REASON) -->     not compiled (a Package.swift manifest, an excerpt of an example compiled there)
`import` lines are dropped: every snippet file imports all of Tandem's products."""
import pathlib
import re
import sys

root = pathlib.Path(__file__).resolve().parents[2]
out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
imports = """import APIContract
import APIEnvelope
import CookieAuth
import Foundation
import HTTPCompression
import HTTPCore
import HTTPTypes
import Logging
import NIOCore
import ProxyClient
import Routing
import Multipart
import Mustache
import SSRMustache
import SSRRendering
import ServiceLifecycle
import StaticFiles
import TandemApp
import TandemTLS
import TandemTesting
import Testing
import ValidationMacros
"""
def function(name, parameters, lines):
    indented = "\n".join(("        " + line) if line else "" for line in lines)
    return f"enum Snippet_{name} {{\n    static func run({parameters}) async throws {{\n{indented}\n    }}\n}}\n"


count = skipped = 0
for document in [root / "README.md", *sorted((root / "Documentation").glob("*.md"))]:
    lines = document.read_text().split("\n")
    index = 0
    number = 0
    while index < len(lines):
        if lines[index].strip() != "```swift":
            index += 1
            continue
        marker = lines[index - 1].strip() if index > 0 else ""
        end = index + 1
        while lines[end].strip() != "```":
            end += 1
        body = [line for line in lines[index + 1 : end] if not re.match(r"^\s*(@testable |public )?import ", line)]
        number += 1
        name = re.sub(r"[^A-Za-z0-9]", "_", document.stem) + f"_{number}"
        where = f"// {document.relative_to(root)}, block {number} (line {index + 2})\n"
        if marker.startswith("<!-- snippet: skip"):
            skipped += 1
        elif marker == "<!-- snippet: top-level -->":
            last = max((i for i, line in enumerate(body) if line == "}"), default=-1)
            declarations, statements = body[: last + 1], body[last + 1 :]
            source = imports + "\n" + where + "\n".join(declarations) + "\n"
            if any(line.strip() for line in statements):
                source += function(name, "", statements)
            (out / f"{name}.swift").write_text(source)
            count += 1
        else:
            match = re.match(r"<!-- snippet: body\((.*)\) -->", marker)
            (out / f"{name}.swift").write_text(imports + "\n" + where + function(name, match.group(1) if match else "", body))
            count += 1
        index = end + 1
(out / "Prelude.swift").write_text(imports + "\n" + (root / "Tests/ExternalPackage/Prelude.swift").read_text())
print(f"snippets: {count} blocks written to {out}, {skipped} skipped by their markers")
