// tests/support.hpp: loading the PyTorch fixtures (tests/fixtures/tiny, see its README.md).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <frost/frost.hpp>
#include <frost/io/xtensor.hpp>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

namespace frost_test {

inline std::string fixture_dir() { return FROST_FIXTURES_DIR; }

/// The `input.input_ids`, `input.token_type_ids`, `input.attention_mask` tensors ([B, S], I64) of a
/// fixture file as a Batch.
inline frost::Batch load_batch(const frost::io::SafeTensorsFile& file) {
  frost::Batch batch;
  const auto& shape = file.info("input.input_ids").shape;
  batch.batch_size = static_cast<int>(shape.at(0));
  batch.seq_len = static_cast<int>(shape.at(1));
  auto to_int = [](const std::vector<std::int64_t>& v) { return std::vector<int>(v.begin(), v.end()); };
  batch.input_ids = to_int(file.ints("input.input_ids"));
  batch.token_type_ids = to_int(file.ints("input.token_type_ids"));
  batch.attention_mask = to_int(file.ints("input.attention_mask"));
  return batch;
}

struct Case {
  std::string name;
  frost::BertConfig cfg;
  frost::io::SafeTensorsFile file;
  frost::Batch batch;
  frost::Labels labels;

  explicit Case(const std::string& n)
      : name(n),
        cfg(frost::read_config(fixture_dir() + "/config_" + n + ".json")),
        file(fixture_dir() + "/case_" + n + ".safetensors") {
    batch = load_batch(file);
    if (file.info("input.labels").dtype == frost::io::DType::I64) {
      labels.classes = file.ints("input.labels");
    } else {
      const auto t = file.floats("input.labels");
      labels.targets.assign(t.begin(), t.end());
    }
  }
};

/// max |a - b| / max(max|b|, floor): the error relative to the reference tensor's scale.
template <class T>
double scaled_error(const frost::Tensor<T>& got, const std::vector<float>& want, double floor) {
  double err = 0, scale = floor;
  for (std::size_t i = 0; i < want.size(); ++i) {
    err = std::max(err, std::abs(static_cast<double>(got.data()[i]) - want[i]));
    scale = std::max(scale, std::abs(static_cast<double>(want[i])));
  }
  return err / scale;
}

inline nlohmann::json policies_json() {
  std::ifstream in(fixture_dir() + "/policies.json");
  return nlohmann::json::parse(in);
}

}  // namespace frost_test
