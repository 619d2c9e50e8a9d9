// tools/cli/infer.cpp: `frost eval` and `frost predict`.
#include <iostream>

#include "common.hpp"

namespace frost::cli {

/// A fine-tuned model directory loaded for inference (every parameter frozen: no gradient is
/// recorded), with a TSV file (--data) tokenized for it.
struct TrainedModel {
  ModelDir dir;
  Dataset data;
  BertClassifier<float> model;

  TrainedModel(const std::string& model_dir, const std::string& data_file, bool label_required, int batch_size,
               int max_len)
      : dir(model_dir), model(dir.config, FreezeMask::everything()) {
    FROST_CHECK(batch_size > 0, "--batch-size: expected a positive integer, got " + std::to_string(batch_size));
    data = read_data("--data", data_file, label_required, dir, dir.tokenizer(), resolve_max_len(max_len, dir));
    const auto rep = io::load_hf_weights(model, io::SafeTensorsFile(dir.weights()));
    FROST_CHECK(rep.newly_initialized.empty(),
                dir.weights() + ": tensor '" + rep.newly_initialized.front() +
                    "': expected a fine-tuned classifier (run frost train first), found none in the checkpoint");
  }
};

/// `frost eval`: loss and accuracy (F1 for two labels) of a model directory on a labelled TSV.
nlohmann::json cmd_eval(const std::string& model_dir, const std::string& data, int batch_size, int max_len) {
  TrainedModel t(model_dir, data, true, batch_size, max_len);
  const ModelDir& md = t.dir;
  const Dataset& d = t.data;
  auto& model = t.model;
  const EvalResult e = evaluate(model, d, batch_size);
  nlohmann::json j = {{"examples", e.examples}, {"eval_loss", e.loss}};
  if (md.config.problem_type != ProblemType::regression) j["eval_accuracy"] = e.accuracy;
  if (md.config.num_labels == 2) j["eval_f1"] = e.f1;
  return j;
}

/// `frost predict`: one line per example: predicted label (name) and class probabilities, or the
/// regression value.
void cmd_predict(const std::string& model_dir, const std::string& data, int batch_size, int max_len,
                 std::ostream& out) {
  TrainedModel t(model_dir, data, false, batch_size, max_len);
  const ModelDir& md = t.dir;
  const Dataset& d = t.data;
  auto& model = t.model;
  const bool regression = md.config.problem_type == ProblemType::regression;
  out.precision(8);
  out << (regression ? "index\tprediction\n" : "index\tlabel");
  if (!regression)
    for (int c = 0; c < md.config.num_labels; ++c)
      out << "\tp_"
          << (static_cast<std::size_t>(c) < md.label_names.size() ? md.label_names[static_cast<std::size_t>(c)]
                                                                  : std::to_string(c));
  if (!regression) out << "\n";
  Batch b;
  Labels y;
  std::vector<std::int64_t> idx(d.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<std::int64_t>(i);
  for (std::size_t start = 0; start < d.size(); start += static_cast<std::size_t>(batch_size)) {
    const std::size_t n = std::min(static_cast<std::size_t>(batch_size), d.size() - start);
    make_batch(d, idx.data() + start, n, md.config.pad_token_id, !regression, b, y);
    const auto& logits = model.forward(b, Mode::eval);
    for (Eigen::Index r = 0; r < logits.rows(); ++r) {
      out << (start + static_cast<std::size_t>(r));
      if (regression) {
        out << "\t" << logits(r, 0) << "\n";
        continue;
      }
      const auto row = logits.row(r);
      const float mx = row.maxCoeff();
      const Eigen::ArrayXf e = (row.array() - mx).exp().transpose();
      Eigen::Index best = 0;
      row.maxCoeff(&best);
      out << "\t"
          << (static_cast<std::size_t>(best) < md.label_names.size() ? md.label_names[static_cast<std::size_t>(best)]
                                                                     : std::to_string(best));
      for (Eigen::Index c = 0; c < e.size(); ++c) out << "\t" << e(c) / e.sum();
      out << "\n";
    }
  }
}

}  // namespace frost::cli
