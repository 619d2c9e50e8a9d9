// The newcomer's program: load MiniLM, tokenize, freeze embeddings + layers 0-3 (or argv[2]), train,
// evaluate, save. Usage: newcomer [MODEL_DIR] [FREEZE_SPEC]   (run from the repository root)
#include <cstdio>
#include <frost/frost.hpp>
#include <frost/text/bert_tokenizer.hpp>

int main(int argc, char** argv) try {
  const std::string dir = argc > 1 ? argv[1] : "models/all-MiniLM-L6-v2";
  auto model = frost::BertClassifier<float>::from_pretrained(
      dir, {.freeze = argc > 2 ? argv[2] : "embeddings,layers[:4]", .num_labels = 2});
  const auto tok = frost::text::BertTokenizer::from_pretrained(dir);
  const auto train = frost::text::load_tsv("data/sentiment/train.tsv", tok, {.max_length = 128});
  const auto dev = frost::text::load_tsv("data/sentiment/dev.tsv", tok, {.max_length = 128});
  frost::TrainingArguments args;
  args.learning_rate = 5e-5;
  args.num_train_epochs = 3;
  args.progress_bar = false;
  auto opt = frost::make_adamw(model, args);
  frost::Trainer(model, opt, args).train(train);
  const frost::EvalResult e = frost::evaluate(model, dev, 32);
  std::printf("dev accuracy %.3f, loss %.4f\n", e.accuracy, e.loss);
  model.save_pretrained("out/newcomer");
  std::printf("%s", frost::explain(frost::plan_report(model.backward_plan(), model.config())).c_str());
} catch (const std::exception& ex) {
  std::fprintf(stderr, "newcomer: %s\n", ex.what());
  return 2;
}
