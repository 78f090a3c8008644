#!/usr/bin/env bash
# Builds Examples/Starter as a package of its own that depends on this checkout as README.md says
# (`.package(path: "../tandem")`, products by name), and every Swift block of the documentation with it
# (snippets.py), in a scratch folder: WORK (default: a temporary one).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${WORK:-$(mktemp -d)}
mkdir -p "$work/NotesServer/Sources/NotesServer"
ln -sfn "$root" "$work/tandem"   # the identity comes from the last path component: tandem
cp "$root/Tests/ExternalPackage/Package.swift" "$work/NotesServer/Package.swift"
cp "$root/Examples/Starter/Starter.swift" "$work/NotesServer/Sources/NotesServer/Starter.swift"
rm -rf "$work/NotesServer/Sources/DocSnippets"
python3 "$root/Tests/ExternalPackage/snippets.py" "$work/NotesServer/Sources/DocSnippets"
cd "$work/NotesServer"
swift build "$@"
echo "external package: built $(swift build --show-bin-path)/NotesServer"
