# tests/cli/tiny_model.sh: sourced by test_cli.sh and malformed_cli.sh.
# make_tiny_model DIR FIXTURES: a Hugging Face model directory from tests/fixtures/tiny (the parity
# fixture's 3-layer, 3-label weights, max_position_embeddings 16, vocab_size 50) with a 50-token
# vocabulary; make_tiny_data DIR: train.tsv (24 rows, labels 0..2) and pairs.tsv beside it.
make_tiny_model() {
  mkdir -p "$1"
  cp "$2/config_single.json" "$1/config.json"
  cp "$2/case_single.safetensors" "$1/model.safetensors"
  {
    printf '[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n'
    for w in good bad great awful fine poor nice terrible food movie service room staff price the a was is very not and it this; do echo "$w"; done
    for i in $(seq 1 22); do echo "w$i"; done
  } > "$1/vocab.txt"
}
make_tiny_data() {
  printf 'sentence\tlabel\n' > "$1/train.tsv"
  for _ in 1 2 3 4 5 6; do
    printf 'the food was very good\t2\nthe service was awful\t0\nit is fine\t1\nnot nice and not good\t0\n' >> "$1/train.tsv"
  done
  printf 'sentence1\tsentence2\tlabel\nthe room\twas great\t2\nthe staff\twas poor\t0\n' > "$1/pairs.tsv"
}
