// frost/cli/freeze_spec.hpp: the `--freeze SPEC` language and its map to compile-time policies.
//
// SPEC is a comma-separated list of selectors:
//   none | embeddings | pooler | bert (the whole body: model.bert) | bitfit |
//   layers:A-B (encoder layers A..B-1, Python's layer[A:B])
// The binary instantiates one model type per supported policy, so it supports a fixed set:
//   none, embeddings, pooler, bert, bitfit, layers:0-K, and embeddings,layers:0-K for K = 1..kMaxCliLayers
// (layers:0-0 is none; kMaxCliLayers = 12). Anything else is an error that lists this set.
#pragma once

#include <algorithm>
#include <cctype>
#include <string>
#include <utility>
#include <vector>

#include "../detail/macros.hpp"
#include "../freeze/freeze_policy.hpp"

namespace frost::cli {

inline constexpr int kMaxCliLayers = 12;  ///< bert-base depth; raise it (and the lists below) for deeper models

/// The canonical form of a supported SPEC.
struct FreezeSpec {
  enum class Kind { none, embeddings, pooler, bert, bitfit, layers, embeddings_layers };
  Kind kind = Kind::none;
  int layers = 0;  ///< K for layers:0-K

  [[nodiscard]] std::string str() const {
    switch (kind) {
      case Kind::none: return "none";
      case Kind::embeddings: return "embeddings";
      case Kind::pooler: return "pooler";
      case Kind::bert: return "bert";
      case Kind::bitfit: return "bitfit";
      case Kind::layers: return "layers:0-" + std::to_string(layers);
      default: return "embeddings,layers:0-" + std::to_string(layers);
    }
  }
  bool operator==(const FreezeSpec&) const = default;
};

inline std::string supported_specs() {
  return "none, embeddings, pooler, bert, bitfit, layers:0-K, embeddings,layers:0-K (K = 1.." +
         std::to_string(kMaxCliLayers) + ")";
}

inline FreezeSpec parse_freeze_spec(const std::string& spec) {
  auto fail = [&](const std::string& why) -> FreezeSpec {
    throw Error("--freeze '" + spec + "': " + why + "; supported: " + supported_specs());
  };
  std::vector<std::string> parts;
  std::string cur;
  for (char ch : spec + ",") {
    if (ch == ',') {
      if (!cur.empty()) parts.push_back(cur);
      cur.clear();
    } else if (!std::isspace(static_cast<unsigned char>(ch))) {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
  }
  if (parts.empty()) return fail("empty specification");
  bool emb = false, layers = false;
  int a = 0, b = 0;
  FreezeSpec single;
  int singles = 0;
  for (const auto& p : parts) {
    if (p == "embeddings") {
      if (emb) return fail("'embeddings' given twice");
      emb = true;
    } else if (p.rfind("layers:", 0) == 0) {
      if (layers) return fail("more than one layers: selector");
      const std::string range = p.substr(7);
      const auto dash = range.find('-');
      if (dash == std::string::npos) return fail("layers:A-B needs a range like layers:0-8");
      try {
        std::size_t ia = 0, ib = 0;
        a = std::stoi(range.substr(0, dash), &ia);
        b = std::stoi(range.substr(dash + 1), &ib);
        if (ia != dash || ib != range.size() - dash - 1) throw std::invalid_argument("trailing");
      } catch (const std::exception&) {
        return fail("'" + p + "' is not layers:A-B with integers A <= B");
      }
      if (a < 0 || b < a) return fail("'" + p + "' needs 0 <= A <= B");
      layers = true;
    } else if (p == "none" || p == "pooler" || p == "bert" || p == "bitfit") {
      ++singles;
      single.kind = p == "none"     ? FreezeSpec::Kind::none
                    : p == "pooler" ? FreezeSpec::Kind::pooler
                    : p == "bert"   ? FreezeSpec::Kind::bert
                                    : FreezeSpec::Kind::bitfit;
    } else {
      return fail("unknown selector '" + p + "'");
    }
  }
  if (singles > 0) {
    if (singles > 1 || emb || layers) return fail("'" + single.str() + "' cannot be combined with other selectors");
    return single;
  }
  if (layers && a != 0) return fail("only layer ranges starting at 0 are built into this binary");
  if (layers && b > kMaxCliLayers) return fail("layers:0-" + std::to_string(b) + " is beyond the supported depth");
  if (layers && b == 0) layers = false;  // an empty slice freezes nothing
  if (emb && layers) return {FreezeSpec::Kind::embeddings_layers, b};
  if (emb) return {FreezeSpec::Kind::embeddings, 0};
  if (layers) return {FreezeSpec::Kind::layers, b};
  return {FreezeSpec::Kind::none, 0};
}

/// X(policy) for every policy the binary supports (used to split instantiations across
/// translation units; keep in sync with with_policy).
#define FROST_CLI_LAYER_POLICIES(X, K) X(::frost::FreezeLowerLayers<K>) X(::frost::FreezeEmbeddingsAndLowerLayers<K>)
#define FROST_CLI_POLICIES_A(X) \
  X(::frost::NoFreeze) X(::frost::Freeze<::frost::Embeddings>) X(::frost::Freeze<::frost::Pooler>) \
  X(::frost::FreezeBert) X(::frost::BitFit) FROST_CLI_LAYER_POLICIES(X, 1) FROST_CLI_LAYER_POLICIES(X, 2) \
  FROST_CLI_LAYER_POLICIES(X, 3) FROST_CLI_LAYER_POLICIES(X, 4)
#define FROST_CLI_POLICIES_B(X)                                                                   \
  FROST_CLI_LAYER_POLICIES(X, 5) FROST_CLI_LAYER_POLICIES(X, 6) FROST_CLI_LAYER_POLICIES(X, 7)    \
  FROST_CLI_LAYER_POLICIES(X, 8) FROST_CLI_LAYER_POLICIES(X, 9) FROST_CLI_LAYER_POLICIES(X, 10)   \
  FROST_CLI_LAYER_POLICIES(X, 11) FROST_CLI_LAYER_POLICIES(X, 12)
#define FROST_CLI_POLICIES(X) FROST_CLI_POLICIES_A(X) FROST_CLI_POLICIES_B(X)

namespace detail {
template <class R, int K, class F>
R with_layers(int k, bool emb, F&& f) {
  if constexpr (K > kMaxCliLayers) {
    throw Error("layers:0-" + std::to_string(k) + " is not built into this binary; supported: " + supported_specs());
  } else {
    if (k == K) {
      if (emb) return f.template operator()<FreezeEmbeddingsAndLowerLayers<K>>();
      return f.template operator()<FreezeLowerLayers<K>>();
    }
    return with_layers<R, K + 1>(k, emb, std::forward<F>(f));
  }
}
}  // namespace detail

/// Calls `f.template operator()<Policy>()` with the compile-time policy for `spec`.
template <class F>
auto with_policy(const FreezeSpec& spec, F&& f) {
  using R = decltype(f.template operator()<NoFreeze>());
  switch (spec.kind) {
    case FreezeSpec::Kind::none: return f.template operator()<NoFreeze>();
    case FreezeSpec::Kind::embeddings: return f.template operator()<Freeze<Embeddings>>();
    case FreezeSpec::Kind::pooler: return f.template operator()<Freeze<Pooler>>();
    case FreezeSpec::Kind::bert: return f.template operator()<FreezeBert>();
    case FreezeSpec::Kind::bitfit: return f.template operator()<BitFit>();
    case FreezeSpec::Kind::layers: return detail::with_layers<R, 1>(spec.layers, false, std::forward<F>(f));
    default: return detail::with_layers<R, 1>(spec.layers, true, std::forward<F>(f));
  }
}

}  // namespace frost::cli
