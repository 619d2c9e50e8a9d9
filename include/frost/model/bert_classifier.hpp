// frost/model/bert_classifier.hpp: BertForSequenceClassification composed at run time from
// compile-time component kinds.
//
//   BertClassifier<T> model(cfg, FreezeSpec::parse("embeddings,layers:0-8"));   // or a FreezeMask
//
// Each component is a std::variant over its kinds (freeze/component_kinds.hpp); the plan computed
// from the mask and the config's depth picks one alternative per component at construction. A
// pass visits each variant once (std::visit per component, never inside a kernel), then runs the
// very same component code as the static BertForSequenceClassification<T, Policy>: a frozen
// parameter has no gradient buffer, its weight-gradient code is not instantiated in that kind, and
// backward ends at the lowest trainable parameter. Any depth (bert-large, a 2-layer model) and any
// spec the grammar can say work with one compiled type.
//
// Why a variant per component rather than per-kind arrays: the layer order is the data order
// (layer i feeds layer i+1), a variant keeps it, costs one indirect branch per component per pass,
// and each layer still owns its parameters and saved activations.
#pragma once

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include "../adapters/ia3_config.hpp"
#include "../adapters/lora_config.hpp"
#include "../freeze/component_kinds.hpp"
#include "../freeze/freeze_spec.hpp"
#include "bert_base.hpp"
#include "embeddings.hpp"
#include "encoder_layer.hpp"
#include "heads.hpp"

namespace frost {

struct PretrainedOptions;  // io/pretrained.hpp

template <class T>
class BertClassifier : public detail::BertBase<BertClassifier<T>, T> {
  using Base = detail::BertBase<BertClassifier<T>, T>;
  friend Base;

 public:
  using LayerVariant = kinds::Layer::variant<T, EncoderLayer>;
  using EmbeddingsVariant = kinds::Embeddings::variant<T, EmbeddingLayer>;
  using PoolerVariant = kinds::Pooler::variant<T, PoolerHead>;
  using ClassifierVariant = kinds::Classifier::variant<T, ClassifierHead>;

  /// A model whose frozen slots are `frozen`; throws frost::Error if a component's pattern is not
  /// one of the built-in kinds (component_kinds.hpp) or the mask names layers beyond the depth.
  BertClassifier(const BertConfig& cfg, const FreezeMask& frozen) : BertClassifier(cfg, frozen, nullptr, nullptr) {}
  /// A model whose layers `lora.layers` (all by default) carry LoRA adapters on `lora.targets`
  /// (PEFT's LoraConfig; adapters/lora_config.hpp). The base follows `frozen`, which must freeze
  /// every base parameter of an adapted layer (PEFT freezes the whole base; "bert" does that and
  /// leaves the classifier training, as PEFT's modules_to_save).
  BertClassifier(const BertConfig& cfg, const FreezeMask& frozen, const LoraConfig& lora)
      : BertClassifier(cfg, frozen, &lora, nullptr) {}
  BertClassifier(const BertConfig& cfg, const FreezeSpec& spec, const LoraConfig& lora)
      : BertClassifier(cfg, spec.mask(cfg.num_hidden_layers), &lora, nullptr) {}
  /// A model whose every layer carries IA3 vectors on `ia3.targets` (PEFT's IA3Config;
  /// adapters/ia3_config.hpp); `frozen` must freeze the base of every layer, as for LoRA.
  BertClassifier(const BertConfig& cfg, const FreezeMask& frozen, const Ia3Config& ia3)
      : BertClassifier(cfg, frozen, nullptr, &ia3) {}
  BertClassifier(const BertConfig& cfg, const FreezeSpec& spec, const Ia3Config& ia3)
      : BertClassifier(cfg, spec.mask(cfg.num_hidden_layers), nullptr, &ia3) {}

 private:
  BertClassifier(const BertConfig& cfg, const FreezeMask& frozen, const LoraConfig* lora, const Ia3Config* ia3)
      : Base(cfg, frozen, adapted_layers(cfg, lora, ia3), lora ? Adapter::lora : (ia3 ? Adapter::ia3 : Adapter::none)) {
    const BertConfig& c = this->cfg_;
    if (lora) lora_ = *lora;
    if (ia3) ia3_ = *ia3;
    const BackwardPlan& plan = this->backward_plan();
    make<kinds::Embeddings>(embeddings_, plan.embeddings(), "embeddings");
    layers_.resize(static_cast<std::size_t>(c.num_hidden_layers));
    for (int i = 0; i < c.num_hidden_layers; ++i)
      make<kinds::Layer>(layers_[static_cast<std::size_t>(i)], kinds::layer_kind_of(plan.layer(i)),
                         "encoder.layer." + std::to_string(i));
    make<kinds::Pooler>(pooler_, kinds::head_kind_of(plan.pooler()), "pooler");
    make<kinds::Classifier>(classifier_, kinds::head_kind_of(plan.classifier()), "classifier");
    std::visit([&](auto& e) { e.allocate(c); }, embeddings_);
    for (int i = 0; i < c.num_hidden_layers; ++i)
      std::visit(
          [&](auto& l) {
            l.allocate(c, i);
            using L = std::remove_cvref_t<decltype(l)>;
            if constexpr (L::traits::lora) l.lora.configure(lora_, c, i);
            if constexpr (L::traits::ia3) l.ia3.configure(ia3_, c);
          },
          layers_[static_cast<std::size_t>(i)]);
    std::visit([&](auto& p) { p.allocate(c); }, pooler_);
    std::visit([&](auto& h) { h.allocate(c); }, classifier_);
  }
  static std::uint64_t adapted_layers(const BertConfig& cfg, const LoraConfig* lora, const Ia3Config* ia3) {
    if (ia3) {
      ia3->check();
      return ia3->layer_bits(cfg.num_hidden_layers);
    }
    if (!lora) return 0;
    lora->check(cfg.num_hidden_layers);
    return lora->layer_bits(cfg.num_hidden_layers);
  }

 public:
  /// A model frozen as `spec` says, resolved against the config's depth.
  BertClassifier(const BertConfig& cfg, const FreezeSpec& spec)
      : BertClassifier(cfg, spec.mask(cfg.num_hidden_layers)) {}
  /// Nothing frozen (HF's default).
  explicit BertClassifier(const BertConfig& cfg) : BertClassifier(cfg, FreezeMask::none()) {}

  /// HF's BertForSequenceClassification.from_pretrained(dir, num_labels=...) with a freeze spec:
  /// config.json + model.safetensors of a model directory; a classifier the checkpoint lacks is
  /// newly initialised (load_report() lists it). Defined in io/pretrained.hpp.
  static BertClassifier from_pretrained(const std::string& dir, const PretrainedOptions& options);
  static BertClassifier from_pretrained(const std::string& dir);
  /// config.json, model.safetensors (and the source directory's vocab.txt / tokenizer_config.json)
  /// into `dir`, each file written atomically; transformers' from_pretrained reads it back.
  void save_pretrained(const std::string& dir, const std::vector<std::string>& label_names = {});
  /// The directory from_pretrained() read (empty otherwise).
  [[nodiscard]] const std::string& source_dir() const { return source_dir_; }
  /// The LoRA configuration (r == 0 without adapters).
  [[nodiscard]] const LoraConfig& lora_config() const { return lora_; }
  [[nodiscard]] bool has_lora() const { return this->backward_plan().adapter == Adapter::lora; }
  /// The IA3 configuration (meaningful when has_ia3()).
  [[nodiscard]] const Ia3Config& ia3_config() const { return ia3_; }
  [[nodiscard]] bool has_ia3() const { return this->backward_plan().adapter == Adapter::ia3; }
  /// Which adapter the model's adapted layers carry (Adapter::none without).
  [[nodiscard]] Adapter adapter() const { return this->backward_plan().adapter; }
  /// Checkpoint tensors that were missing (newly initialised) or not used.
  [[nodiscard]] const std::vector<std::string>& newly_initialized() const { return newly_initialized_; }

  /// f(index, layer&) over all encoder layers, bottom-up.
  template <class F>
  void for_each_layer(F&& f) {
    for (std::size_t i = 0; i < layers_.size(); ++i)
      std::visit([&](auto& l) { f(static_cast<int>(i), l); }, layers_[i]);
  }
  /// f(index, layer&) -> bool over the encoder layers, top-down, until f returns false.
  template <class F>
  void for_each_layer_reverse(F&& f) {
    for (std::size_t i = layers_.size(); i-- > 0;)
      if (!std::visit([&](auto& l) -> bool { return f(static_cast<int>(i), l); }, layers_[i])) return;
  }

  /// The kind (index into kinds::Layer) of encoder layer i.
  [[nodiscard]] std::size_t layer_kind(int i) const { return layers_.at(static_cast<std::size_t>(i)).index(); }
  /// The ComponentSpec of encoder layer i's kind (see kinds::layer_kind_of).
  [[nodiscard]] ComponentSpec layer_spec(int i) const { return kinds::Layer::specs[layer_kind(i)]; }

  template <class F>
  void visit_embeddings(F&& f) {
    std::visit(f, embeddings_);
  }
  template <class F>
  void visit_pooler(F&& f) {
    std::visit(f, pooler_);
  }
  template <class F>
  void visit_classifier(F&& f) {
    std::visit(f, classifier_);
  }

 private:
  template <class Kinds, class Variant>
  static void make(Variant& v, const ComponentSpec& spec, const std::string& where) {
    const std::size_t k = Kinds::index_of(spec);
    FROST_CHECK(k < Kinds::size || !spec.has_adapter(),
                "BertClassifier: " + where +
                    " carries an adapter (LoRA or IA3) but some of its base parameters train; adapter layers need a "
                    "frozen base (freeze them, e.g. with the spec \"bert\", or leave the layer out of LoRA's layers)");
    if (k == Kinds::size) {
      throw Error("BertClassifier: " + where + ": its freeze pattern (trainable slot bits 0x" + hex(spec.trainable) +
                  (spec.input_grad ? ", input gradient" : "") +
                  ") is not one of the built-in component kinds (everything, nothing, biases only or LayerNorms "
                  "only train; see frost/freeze/component_kinds.hpp); use the static "
                  "BertForSequenceClassification<T, Policy> for arbitrary per-slot policies");
    }
    emplace_alternative(v, k);
  }
  static std::string hex(std::uint32_t v) {
    static const char* d = "0123456789abcdef";
    std::string s;
    do {
      s.insert(s.begin(), d[v & 15u]);
      v >>= 4;
    } while (v);
    return s;
  }

  LoraConfig lora_ = [] {
    LoraConfig c;
    c.r = 0;  // no adapter
    return c;
  }();
  Ia3Config ia3_;
  std::string source_dir_;
  std::vector<std::string> newly_initialized_;
  EmbeddingsVariant embeddings_;
  std::vector<LayerVariant> layers_;
  PoolerVariant pooler_;
  ClassifierVariant classifier_;
};

}  // namespace frost
