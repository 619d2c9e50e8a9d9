#!/usr/bin/env bash
# The tree is formatted by .clang-format: prints the files clang-format would change and exits 1
# if there is any (tools/check-format.sh --fix rewrites them in place).
set -euo pipefail
cd "$(dirname "$0")/.."
FMT=$(command -v clang-format || command -v clang-format-14)
mapfile -t files < <(git ls-files 'include/*.hpp' 'include/*.ipp' 'tests/*.cpp' 'tests/*.hpp' 'tools/*.cpp' 'tools/*.hpp' \
                                  'examples/*.cpp' 'examples/*.hpp' 'benchmarks/*.cpp')
if [ "${1:-}" = "--fix" ]; then "$FMT" -i --style=file "${files[@]}"; exit 0; fi
bad=0
for f in "${files[@]}"; do
  if ! "$FMT" --style=file "$f" | cmp -s - "$f"; then echo "check-format: $f is not formatted"; bad=1; fi
done
[ $bad = 0 ] && echo "check-format: ${#files[@]} files formatted"
exit $bad
