// frost/freeze/freeze_spec.hpp: a freeze policy chosen at run time (`--freeze SPEC`, argv, a config).
//
// SPEC is a comma-separated union of frozen sets (case and spaces ignored):
//
//   none               nothing frozen (HF's default); cannot be combined with anything else
//   embeddings         model.bert.embeddings
//   layers:A-B         encoder layers A..B-1: Python's encoder.layer[A:B] (the end is exclusive,
//                      so layers:0-8 freezes layers 0-7, as in the recipe `encoder.layer[:8]`)
//   layers[A:B]        the same in Python's spelling; either end may be omitted (layers[:8],
//                      layers[8:]) and negative ends count from the top (layers[-2:])
//   layer:I, layers[I] encoder layer I alone (negative: from the top)
//   encoder            every encoder layer (model.bert.encoder)
//   pooler             model.bert.pooler
//   bert               the whole body, model.bert (= embeddings, encoder, pooler)
//   bitfit             every non-bias parameter of the body (BitFit: the body's biases and the
//                      classifier train); with layer ranges, those layers freeze their biases too
//
// The classifier always trains. Ranges may overlap, repeat and come in any order: the spec is the
// union. A spec is resolved against a depth (`mask(depth)`): a range beyond the model's layers is
// an error naming the depth, not a silent clip.
#pragma once

#include <cctype>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../detail/macros.hpp"
#include "selectors.hpp"

namespace frost {

class FreezeSpec {
 public:
  /// One `layers` item: [begin, end) with Python semantics (negative = from the top, open = edge).
  struct Range {
    int begin = 0, end = 0;
    bool open_begin = false, open_end = false;
    bool single = false;  ///< layer:I / layers[I]
    std::string text;     ///< as written, for error messages
  };

  FreezeSpec() = default;

  /// Parses SPEC; throws frost::Error naming the offending item.
  static FreezeSpec parse(std::string_view spec) {
    FreezeSpec s;
    std::string item;
    std::vector<std::string> items;
    for (char ch : std::string(spec) + ",") {
      if (ch == ',') {
        if (!item.empty()) items.push_back(item);
        item.clear();
      } else if (!std::isspace(static_cast<unsigned char>(ch))) {
        item += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      }
    }
    s.text_ = std::string(spec);
    if (items.empty()) s.fail("empty specification");
    bool none = false;
    for (const auto& it : items) s.normalized_ += (s.normalized_.empty() ? "" : ",") + it;
    for (const auto& it : items) {
      if (it == "none")
        none = true;
      else if (it == "embeddings")
        s.embeddings_ = true;
      else if (it == "pooler")
        s.pooler_ = true;
      else if (it == "bert")
        s.embeddings_ = s.pooler_ = s.encoder_ = true;  // Body
      else if (it == "encoder")
        s.encoder_ = true;
      else if (it == "bitfit")
        s.bitfit_ = true;
      else if (it.rfind("layers:", 0) == 0 || it.rfind("layers[", 0) == 0 || it.rfind("layer:", 0) == 0)
        s.ranges_.push_back(s.parse_range(it));
      else
        s.fail("unknown selector '" + it +
               "' (expected none, embeddings, layers:A-B, layers[A:B], layer:I, "
               "encoder, pooler, bert or bitfit)");
    }
    if (none && items.size() > 1) s.fail("'none' cannot be combined with other selectors");
    return s;
  }

  /// The spec as given.
  [[nodiscard]] const std::string& text() const { return text_; }
  /// The spec lower-cased, without spaces or empty items ("embeddings,layers:0-8").
  [[nodiscard]] const std::string& str() const { return normalized_; }

  /// The frozen-slot mask for a model with `depth` encoder layers.
  [[nodiscard]] FreezeMask mask(int depth) const {
    FROST_CHECK(depth >= 1 && depth <= kMaxLayers, "--freeze '" + text_ + "': model depth " + std::to_string(depth) +
                                                       " is outside 1.." + std::to_string(kMaxLayers));
    FreezeMask m;
    if (embeddings_) m = m | Embeddings::mask();
    if (encoder_) m = m | Encoder::mask();
    if (pooler_) m = m | Pooler::mask();
    if (bitfit_) m = m | Minus<Body, Biases>::mask();
    for (const auto& r : ranges_) {
      const auto [b, e] = resolve(r, depth);
      for (int i = b; i < e; ++i) m.layers[static_cast<std::size_t>(i)] = kLayerAll;
    }
    return m;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const { throw Error("--freeze '" + text_ + "': " + why); }

  static bool parse_int(const std::string& s, int& out) {
    if (s.empty() || s.size() > 6) return false;
    std::size_t i = (s[0] == '-') ? 1 : 0;
    if (i == s.size()) return false;
    int v = 0;
    for (; i < s.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      v = v * 10 + (s[i] - '0');
    }
    out = s[0] == '-' ? -v : v;
    return true;
  }

  Range parse_range(const std::string& it) const {
    Range r;
    r.text = it;
    auto bad = [&](const char* what) { fail("'" + it + "' " + what); };
    if (it.rfind("layer:", 0) == 0) {  // layer:I
      if (!parse_int(it.substr(6), r.begin)) bad("is not layer:I with an integer I");
      r.single = true;
      return r;
    }
    if (it[6] == ':') {  // layers:A-B, non-negative, end exclusive
      const std::string body = it.substr(7);
      const auto dash = body.find('-');
      if (dash == std::string::npos || !parse_int(body.substr(0, dash), r.begin) ||
          !parse_int(body.substr(dash + 1), r.end) || r.begin < 0 || r.end < 0)
        bad("is not layers:A-B with integers 0 <= A <= B (encoder layers A..B-1)");
      if (r.end < r.begin) bad("needs A <= B (layers:A-B freezes layers A..B-1)");
      return r;
    }
    // layers[...]
    if (it.back() != ']') bad("is missing its closing ']'");
    const std::string body = it.substr(7, it.size() - 8);
    const auto colon = body.find(':');
    if (colon == std::string::npos) {  // layers[I]
      if (!parse_int(body, r.begin)) bad("is not layers[I] with an integer I");
      r.single = true;
      return r;
    }
    const std::string a = body.substr(0, colon), b = body.substr(colon + 1);
    if (b.find(':') != std::string::npos) bad("has a step; slices with a step are not supported");
    r.open_begin = a.empty();
    r.open_end = b.empty();
    if ((!r.open_begin && !parse_int(a, r.begin)) || (!r.open_end && !parse_int(b, r.end)))
      bad("is not a Python slice layers[A:B] of integers");
    return r;
  }

  /// [begin, end) of a range for a model of `depth` layers; an index beyond the model is an error.
  std::pair<int, int> resolve(const Range& r, int depth) const {
    auto beyond = [&](int v) {
      fail("'" + r.text + "' names layer index " + std::to_string(v) + " but the model has " + std::to_string(depth) +
           " encoder layers (0.." + std::to_string(depth - 1) + ")");
    };
    if (r.single) {
      const int k = r.begin < 0 ? r.begin + depth : r.begin;
      if (k < 0 || k >= depth) beyond(r.begin);
      return {k, k + 1};
    }
    auto edge = [&](int v, bool open, int fallback) {
      if (open) return fallback;
      const int k = v < 0 ? v + depth : v;
      if (k < 0 || k > depth) beyond(v);
      return k;
    };
    const int b = edge(r.begin, r.open_begin, 0), e = edge(r.end, r.open_end, depth);
    if (e < b)
      fail("'" + r.text + "' is a reversed range (layers " + std::to_string(b) + " to " + std::to_string(e) + " of " +
           std::to_string(depth) + ")");
    return {b, e};
  }

  std::string text_, normalized_;
  bool embeddings_ = false, pooler_ = false, encoder_ = false, bitfit_ = false;
  std::vector<Range> ranges_;
};

}  // namespace frost
