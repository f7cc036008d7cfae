#!/usr/bin/env bash
# The tfmc demo (`make demo`): compile the bundled example model, a small
# encoder-decoder Transformer (model.mlir, written by generate.py; see
# docs/user-guide.md), look at what the graph passes did to it, run it on the
# sample inputs, check the result against the float64 numpy reference
# (reference.py), and time it.
#
#   docs/examples/transformer/demo.sh        (BUILD_DIR=build by default)
#
# Everything it writes goes to $BUILD_DIR/demo/. Exits non-zero if any step
# fails.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
BUILD_DIR="${BUILD_DIR:-build}"
case "$BUILD_DIR" in /*) ;; *) BUILD_DIR="$ROOT/$BUILD_DIR" ;; esac
TFMC_COMPILE="$BUILD_DIR/bin/tfmc-compile"
PYTHON=/usr/bin/python3          # Debian's, with numpy
export PYTHONDONTWRITEBYTECODE=1 # no __pycache__ in the source tree
OUT="$BUILD_DIR/demo"
MODEL="$HERE/model.mlir"
INPUTS="$HERE/inputs"
EXE="$OUT/transformer"

step=0
step() {
  step=$((step + 1))
  printf '\n==> %d. %s\n' "$step" "$*"
}
run() {  # show a command, then run it
  printf '$ %s\n' "$*" | sed "s|$ROOT/||g"
  "$@"
}
# "NAME COUNT" for each tfm op in an MLIR file (one op per line, as printed).
count_ops() {
  sed -nE 's/^[[:space:]]*(%[^=]+= )?(tfm\.[a-z_]+).*/\2/p' "$1" |
    sort | uniq -c | awk '{ print $2, $1 }'
}

for tool in "$TFMC_COMPILE" "$PYTHON"; do
  [[ -x "$tool" ]] || { echo "error: $tool not found (run 'make' first)" >&2; exit 1; }
done
mkdir -p "$OUT"

step "The model: docs/examples/transformer/model.mlir (written by generate.py)"
sed -n '1,/^func.func/p' "$MODEL" | sed '$d'
"$PYTHON" - "$HERE/model.safetensors" <<'PY'
import json, struct, sys
with open(sys.argv[1], "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    header = json.loads(f.read(n))
tensors = {k: v for k, v in header.items() if k != "__metadata__"}
params = 0
for v in tensors.values():
    size = 1
    for d in v["shape"]:
        size *= d
    params += size
print(f"weights: model.safetensors, {len(tensors)} tensors, {params} parameters")
PY

step "The graph phase: what tfmc's graph passes make of it"
run "$TFMC_COMPILE" "$MODEL" --compile-to=input -o "$OUT/model.input.mlir"
run "$TFMC_COMPILE" "$MODEL" --compile-to=graph -o "$OUT/model.graph.mlir"
echo "first 40 of $(wc -l < "$OUT/model.graph.mlir") lines (long lines cut; the whole phase is in ${OUT#"$ROOT/"}/model.graph.mlir):"
head -n 40 "$OUT/model.graph.mlir" |
  awk '{ if (length($0) > 150) print substr($0, 1, 147) "..."; else print }'
echo "..."
echo
echo "tfm ops by name, as written (input phase) and after the graph passes:"
join -a1 -a2 -e0 -o 0,1.2,2.2 \
    <(count_ops "$OUT/model.input.mlir") <(count_ops "$OUT/model.graph.mlir") |
  awk 'BEGIN { printf "  %-28s %6s %6s\n", "op", "input", "graph" }
       { printf "  %-28s %6d %6d\n", $1, $2, $3 }'

step "Compile it into an executable (weights embedded)"
start=$(date +%s)
run "$TFMC_COMPILE" "$MODEL" -o "$EXE"
echo "wrote ${EXE#"$ROOT/"} ($(du -k "$EXE" | cut -f1) KiB) in $(( $(date +%s) - start )) s"

step "What it takes and gives"
run "$EXE" --info

step "Run it on the sample inputs (docs/examples/transformer/inputs/)"
rm -rf "$OUT/out"
run "$EXE" --input "src=$INPUTS/src.npy" --input "src_mask=$INPUTS/src_mask.npy" \
    --input "tgt=$INPUTS/tgt.npy" --output-dir "$OUT/out"
ls -l "$OUT/out"

step "The output, and the float64 numpy reference (reference.py)"
"$PYTHON" - "$HERE" "$INPUTS" "$OUT/out/probs.npy" <<'PY'
import os, sys
import numpy as np
here, inputs_dir, probs_path = sys.argv[1:]
sys.path.insert(0, here)
import reference

inputs = reference.load_inputs(inputs_dir)
probs = np.load(probs_path)
print(f"probs {probs.dtype} {list(probs.shape)}; batch 0, one line per target position:")
print("  pos  input  ->  argmax  p(argmax)")
for t in range(probs.shape[1]):
    row = probs[0, t]
    k = int(row.argmax())
    print(f"  {t:3d}  {int(inputs['tgt'][0, t]):5d}  ->  {k:6d}  {row[k]:.4f}")
expected = reference.forward(reference.load_safetensors(os.path.join(here, "model.safetensors")),
                             **inputs)
rel = np.abs(probs - expected) / np.abs(expected)
sums = probs.astype(np.float64).sum(axis=-1)
print(f"rows sum to 1 within {np.abs(sums - 1).max():.1e}; "
      f"max |tfmc - reference| = {np.abs(probs - expected).max():.2e}, "
      f"worst relative error {rel.max():.2e}")
same = (probs.argmax(-1) == expected.argmax(-1)).all()
if not np.allclose(probs, expected, rtol=1e-4, atol=1e-6) or not same:
    sys.exit("error: the executable's output differs from the reference")
PY

step "Latency"
run "$EXE" --input "src=$INPUTS/src.npy" --input "src_mask=$INPUTS/src_mask.npy" \
    --input "tgt=$INPUTS/tgt.npy" --bench 20

printf '\ndone: everything is in %s\n' "${OUT#"$ROOT/"}"
