#!/usr/bin/env bash
# tests/style/format.sh - every C file in the tree follows .clang-format.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
suite style
files=$(git ls-files '*.c' '*.h' 2>/dev/null)
[ -z "$files" ] && files=$(find include lib platform tools tests bench tender examples -name '*.[ch]' 2>/dev/null)
t "every C file is formatted with .clang-format" clang-format --dry-run --Werror $files
