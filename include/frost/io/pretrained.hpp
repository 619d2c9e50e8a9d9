// frost/io/pretrained.hpp: a model directory in Hugging Face layout, in and out.
//
//   <dir>/config.json        BertConfig (+ num_labels, id2label, label2id, problem_type, architectures)
//   <dir>/model.safetensors  BertForSequenceClassification names, every tensor, float32
//   <dir>/vocab.txt          the tokenizer vocabulary (copied)
// save_pretrained() writes each file atomically (temp + rename), so `transformers`'
// from_pretrained() sees either the old or the new file, never half of one.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "../config.hpp"
#include "config_json.hpp"
#include "../model/bert_classifier.hpp"
#include "atomic_file.hpp"
#include "hf_checkpoint.hpp"

namespace frost::io {

inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  FROST_CHECK(in.good(), path + ": cannot open");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Writes config.json, model.safetensors and (if vocab_path is given) vocab.txt into `dir`,
/// creating it if needed.
template <class Model>
void save_pretrained(const std::string& dir, Model& model, const std::string& vocab_path = "",
                     const nlohmann::json& base_config = nlohmann::json::object(),
                     const std::vector<std::string>& label_names = {}) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  FROST_CHECK(!ec, dir + ": cannot create directory (" + ec.message() + ")");
  std::string vocab;
  if (!vocab_path.empty()) vocab = read_file(vocab_path);  // read before writing anything
  save_hf_weights(model, dir + "/model.safetensors");
  write_file_atomic(dir + "/config.json", hf_config_json(model.config(), base_config, label_names).dump(2) + "\n");
  if (!vocab_path.empty()) write_file_atomic(dir + "/vocab.txt", vocab);
}

}  // namespace frost::io

namespace frost {

/// How BertClassifier::from_pretrained builds the model.
struct PretrainedOptions {
  std::string freeze = "none";  ///< a FreezeSpec ("embeddings,layers:0-8", "layers[:8]", "bert", ...)
  int num_labels = 0;           ///< 0: config.json's num_labels (HF's default 2)
  std::uint64_t seed = 42;      ///< initialises a classifier the checkpoint does not have
};

template <class T>
BertClassifier<T> BertClassifier<T>::from_pretrained(const std::string& dir, const PretrainedOptions& o) {
  FROST_CHECK(std::filesystem::is_directory(dir), dir + ": model directory not found");
  BertConfig cfg = read_config(dir + "/config.json");
  if (o.num_labels > 0 && o.num_labels != cfg.num_labels) {
    cfg.num_labels = o.num_labels;
    cfg.problem_type = ProblemType::infer;
  }
  BertClassifier model(cfg, FreezeSpec::parse(o.freeze));
  const auto report = io::load_hf_weights(model, io::SafeTensorsFile(dir + "/model.safetensors"), o.seed);
  model.source_dir_ = dir;
  model.newly_initialized_ = report.newly_initialized;
  return model;
}

template <class T>
BertClassifier<T> BertClassifier<T>::from_pretrained(const std::string& dir) {
  return from_pretrained(dir, PretrainedOptions{});
}

template <class T>
void BertClassifier<T>::save_pretrained(const std::string& dir, const std::vector<std::string>& label_names) {
  nlohmann::json base = nlohmann::json::object();
  std::string vocab;
  if (!source_dir_.empty()) {
    try {
      base = read_config_json(source_dir_ + "/config.json");
    } catch (const Error&) {
      base = nlohmann::json::object();  // gone or damaged since loading: write frost's fields only
    }
    if (std::filesystem::exists(source_dir_ + "/vocab.txt")) vocab = source_dir_ + "/vocab.txt";
  }
  if (base.contains("num_labels") && base["num_labels"] != this->config().num_labels) {
    base.erase("id2label");
    base.erase("label2id");
  }
  io::save_pretrained(dir, *this, vocab, base, label_names);
  const std::string tc = source_dir_ + "/tokenizer_config.json";
  if (!source_dir_.empty() && std::filesystem::exists(tc))
    io::write_file_atomic(dir + "/tokenizer_config.json", io::read_file(tc));
}

}  // namespace frost
