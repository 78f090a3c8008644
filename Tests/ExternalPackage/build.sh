#!/usr/bin/env bash
# Builds Examples/Starter as a package of its own that depends on this checkout as README.md says
# (`.package(path: "../tandem")`, products by name), in a scratch folder: WORK (default: a temporary one).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${WORK:-$(mktemp -d)}
mkdir -p "$work/NotesServer/Sources/NotesServer"
ln -sfn "$root" "$work/tandem"   # the identity comes from the last path component: tandem
cp "$root/Tests/ExternalPackage/Package.swift" "$work/NotesServer/Package.swift"
cp "$root/Examples/Starter/Starter.swift" "$work/NotesServer/Sources/NotesServer/Starter.swift"
cd "$work/NotesServer"
swift build "$@"
echo "external package: built $(swift build --show-bin-path)/NotesServer"
