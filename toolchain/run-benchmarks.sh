#!/usr/bin/env bash
# Run every benchmark under benchmarks/ and print its figures (nothing is asserted).
# ./dev bench [NAME ...] runs only benchmarks/bench_NAME.py.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
if [ $# -gt 0 ]; then
  files=()
  for name in "$@"; do files+=("benchmarks/bench_${name}.py"); done
else
  files=(benchmarks/bench_*.py)
fi
for file in "${files[@]}"; do
  [ -f "$file" ] || { echo "no benchmark $file" >&2; exit 2; }
  python "$file"
done
