#!/usr/bin/env bash
# Build Milepost's compiled modules (mypyc, see setup.py) in a copy of the sources, DIR,
# leaving this checkout as it is; then DIR/src on PYTHONPATH runs the compiled build:
#
#   bash benchmarks/compile.sh /tmp/milepost-compiled
#   PYTHONPATH=/tmp/milepost-compiled/src python3 benchmarks/ingest.py
set -euo pipefail
dir="${1:?usage: compile.sh DIR}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python3 -c 'import mypyc' 2>/dev/null || python3 -m pip install --quiet mypy
rm -rf "$dir"
mkdir -p "$dir"
cp -r "$root/pyproject.toml" "$root/setup.py" "$root/README.md" "$root/src" "$dir/"
rm -rf "$dir/src/milepost.egg-info"
cd "$dir"
MILEPOST_COMPILE=1 python3 setup.py --quiet build_ext --inplace >build.log 2>&1 || { tail -40 build.log >&2; exit 1; }
PYTHONPATH="$dir/src" python3 -c 'import milepost.service.ingest as m; assert m.__file__.endswith(".so"), m.__file__'
echo "compiled: PYTHONPATH=$dir/src"
