// frost/explain.hpp: what a freeze policy does, in numbers and words.
//
//   frost::plan_report<Model>(cfg)        per-component table: trainable/frozen slots and
//                                         parameter counts, and what backward computes there
//   frost::explain<Model>(cfg)            the same, printed
//   frost::analytic_flops<Model>(cfg,B,S) closed-form matmul FLOPs per phase for one training step
#pragma once

#include <cstdint>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "adapters/ia3_config.hpp"
#include "adapters/lora_config.hpp"
#include "core/flops.hpp"
#include "freeze/layer_stages.hpp"
#include "model/shapes.hpp"

namespace frost {

struct ComponentReport {
  std::string name;
  Component component;
  int layer = 0;
  std::uint32_t trainable = 0;  ///< slot bits
  int slots = 0;
  std::int64_t trainable_params = 0, frozen_params = 0;
  std::int64_t adapter_params = 0;  ///< LoRA A and B, or IA3 vectors, of this layer (in trainable_params)
  std::string adapter;              ///< "lora r=8: query,value", "ia3: key,value,output.dense" (or empty)
  Adapter adapter_kind = Adapter::none;
  bool weight_grads = false;  ///< backward computes gradients of some of its parameters
  bool input_grad = false;    ///< backward computes d(loss)/d(input) here
  [[nodiscard]] bool in_backward() const { return weight_grads || input_grad; }
};

struct PlanReport {
  std::vector<ComponentReport> components;  ///< bottom-up
  int backward_stop = 0;                    ///< component index (see FreezePlan)
  std::int64_t trainable_params = 0, frozen_params = 0;
  std::size_t scalar_bytes = 4;
  std::int64_t adapter_params = 0;  ///< included in trainable_params (PEFT counts them so)
  std::string adapter;              ///< "LoRA r 8, alpha 16 (scaling 2), ..." (empty without adapters)

  [[nodiscard]] std::int64_t total_params() const { return trainable_params + frozen_params; }
  /// One gradient buffer per trainable parameter.
  [[nodiscard]] std::int64_t gradient_bytes() const {
    return trainable_params * static_cast<std::int64_t>(scalar_bytes);
  }
  /// AdamW keeps two moments per trainable parameter (exp_avg, exp_avg_sq).
  [[nodiscard]] std::int64_t adamw_state_bytes() const { return 2 * gradient_bytes(); }
};

namespace detail {
/// LoRA A and B parameters of one adapted layer: r (in + out) per target.
inline std::int64_t lora_layer_params(const LoraConfig& lc, const BertConfig& cfg) {
  std::int64_t n = 0;
  for (int t = 0; t < kLoraTargets; ++t)
    if (lc.targets & (1u << t))
      n += lc.r * (dim_size(cfg, kLoraTargetTable[t].in) + dim_size(cfg, kLoraTargetTable[t].out));
  return n;
}
inline std::string lora_targets_text(const LoraConfig& lc) {
  std::string s;
  for (const auto& m : lc.target_modules()) s += (s.empty() ? "" : ",") + m;
  return s;
}
/// An adapted layer's row: its adapter parameters train (with the frozen base).
inline void add_lora(ComponentReport& cr, const LoraConfig& lc, const BertConfig& cfg) {
  cr.adapter_params = lora_layer_params(lc, cfg);
  cr.adapter = "lora r=" + std::to_string(lc.r) + ": " + lora_targets_text(lc);
  cr.adapter_kind = Adapter::lora;
  cr.trainable_params += cr.adapter_params;
  cr.weight_grads = true;
}
inline std::string lora_summary(const LoraConfig& lc) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "LoRA r %d, alpha %g (scaling %g%s), dropout %g, targets %s", lc.r, lc.alpha,
                lc.scaling(), lc.use_rslora ? ", rsLoRA" : "", lc.dropout, lora_targets_text(lc).c_str());
  return buf;
}
inline std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& m : v) s += (s.empty() ? "" : ",") + m;
  return s;
}
inline void add_ia3(ComponentReport& cr, const Ia3Config& ic, const BertConfig& cfg) {
  cr.adapter_params = ic.layer_params(cfg.hidden_size, cfg.intermediate_size);
  cr.adapter = "ia3: " + join(ic.target_modules());
  cr.adapter_kind = Adapter::ia3;
  cr.trainable_params += cr.adapter_params;
  cr.weight_grads = true;
}
inline std::string ia3_summary(const Ia3Config& ic) {
  return "IA3, targets " + join(ic.target_modules()) + " (input-scaled: " + join(ic.feedforward_modules()) + ")";
}
inline PlanReport plan_report_impl(const BackwardPlan& plan, const BertConfig& cfg, std::size_t scalar_bytes,
                                   const LoraConfig* lora, const Ia3Config* ia3);
}  // namespace detail

/// The report for a plan (no model needed: this header does not pull in Eigen). With `lora`, the
/// plan's adapted layers (BackwardPlan::adapted_layers) carry its adapters: their parameters are
/// trainable, as PEFT's print_trainable_parameters() counts them.
inline PlanReport plan_report(const BackwardPlan& plan, const BertConfig& cfg, std::size_t scalar_bytes = 4,
                              const LoraConfig* lora = nullptr) {
  return detail::plan_report_impl(plan, cfg, scalar_bytes, lora, nullptr);
}
/// The same with IA3 vectors in the plan's adapted layers.
inline PlanReport plan_report(const BackwardPlan& plan, const BertConfig& cfg, std::size_t scalar_bytes,
                              const Ia3Config& ia3) {
  return detail::plan_report_impl(plan, cfg, scalar_bytes, nullptr, &ia3);
}

namespace detail {
/// Component c of `plan` (bottom-up index) without adapters: its name, slots and counts.
inline ComponentReport component_report(const BackwardPlan& plan, const BertConfig& cfg, int c) {
  const int D = plan.depth;
  ComponentReport cr;
  cr.component = c == 0       ? Component::embeddings
                 : c <= D     ? Component::layer
                 : c == D + 1 ? Component::pooler
                              : Component::classifier;
  cr.layer = cr.component == Component::layer ? c - 1 : 0;
  cr.name = c == 0       ? "embeddings"
            : c <= D     ? "encoder.layer." + std::to_string(c - 1)
            : c == D + 1 ? "pooler"
                         : "classifier";
  cr.trainable = plan.trainable_of(c);
  cr.slots = slot_count(cr.component);
  cr.trainable_params = slots_numel(cfg, cr.component, cr.trainable);
  cr.frozen_params = slots_numel(cfg, cr.component, all_slots(cr.slots)) - cr.trainable_params;
  cr.weight_grads = cr.trainable != 0;
  cr.input_grad = plan.computes_input_grad(c);
  return cr;
}
}  // namespace detail

inline PlanReport detail::plan_report_impl(const BackwardPlan& plan, const BertConfig& cfg, std::size_t scalar_bytes,
                                           const LoraConfig* lora, const Ia3Config* ia3) {
  plan.check();
  PlanReport r;
  r.scalar_bytes = scalar_bytes;
  r.backward_stop = plan.backward_stop();
  for (int c = 0; c < plan.component_count(); ++c) {
    ComponentReport cr = component_report(plan, cfg, c);
    if (cr.component == Component::layer && plan.layer_adapted(cr.layer)) {
      if (lora) add_lora(cr, *lora, cfg);
      if (ia3) add_ia3(cr, *ia3, cfg);
    }
    r.adapter_params += cr.adapter_params;
    r.trainable_params += cr.trainable_params;
    r.frozen_params += cr.frozen_params;
    r.components.push_back(cr);
  }
  if (lora) r.adapter = lora_summary(*lora);
  if (ia3) r.adapter = ia3_summary(*ia3);
  return r;
}

/// The report for a compile-time FreezePlan.
template <class Plan, class T = float>
PlanReport plan_report_of(const BertConfig& cfg) {
  Plan::check_depth(cfg.num_hidden_layers);
  return plan_report(Plan::at(cfg.num_hidden_layers), cfg, sizeof(T));
}

/// The report for a model type (BertForSequenceClassification<T, Policy, Depth>).
template <class Model>
PlanReport plan_report(const BertConfig& cfg) {
  return plan_report_of<typename Model::plan, typename Model::scalar_type>(cfg);
}

/// Closed-form matmul FLOPs of one training step (forward + backward) at batch B, sequence S.
inline FlopCounter analytic_flops(const BackwardPlan& plan, const BertConfig& cfg, std::int64_t B, std::int64_t S) {
  const int D = plan.depth;
  const std::int64_t N = B * S, H = cfg.hidden_size, I = cfg.intermediate_size, C = cfg.num_labels;
  FlopCounter f;
  const std::uint64_t lin_hh = gemm_flops(N, H, H), lin_hi = gemm_flops(N, I, H);
  const std::uint64_t attn = 2 * gemm_flops(N, S, H);  // QK^T + PV over all heads
  for (int i = 0; i < D; ++i) {
    const ComponentSpec spec = plan.layer(i);
    const LayerStages st = layer_stages(spec);
    f.add(Phase::forward, 4 * lin_hh + 2 * lin_hi + attn);
    for (int s : {slot::q_w, slot::k_w, slot::v_w, slot::attn_out_w})
      if (spec.trains(s)) f.add(Phase::backward_weight, lin_hh);
    for (int s : {slot::inter_w, slot::out_w})
      if (spec.trains(s)) f.add(Phase::backward_weight, lin_hi);
    if (!spec.in_backward()) continue;
    if (st.dg) f.add(Phase::backward_input, lin_hi);               // dg = do Wout
    if (st.dh1) f.add(Phase::backward_input, lin_hi);              // dh1 += di Wi
    if (st.dctx) f.add(Phase::backward_input, lin_hh + 2 * attn);  // dctx, attention backward
    if (spec.input_grad) f.add(Phase::backward_input, 3 * lin_hh);
  }
  const std::uint64_t pool = gemm_flops(B, H, H), cls = gemm_flops(B, C, H);
  f.add(Phase::forward, pool + cls);
  if (plan.pooler().trains(slot::dense_w)) f.add(Phase::backward_weight, pool);
  if (plan.pooler().input_grad) f.add(Phase::backward_input, pool);
  if (plan.classifier().trains(slot::dense_w)) f.add(Phase::backward_weight, cls);
  if (plan.classifier().input_grad) f.add(Phase::backward_input, cls);
  return f;
}

template <class Plan>
FlopCounter analytic_flops_of(const BertConfig& cfg, std::int64_t B, std::int64_t S) {
  return analytic_flops(Plan::at(cfg.num_hidden_layers), cfg, B, S);
}

inline std::string with_commas(std::int64_t v) {
  std::string s = std::to_string(v < 0 ? -v : v), out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i && (s.size() - i) % 3 == 0) out += ',';
    out += s[i];
  }
  return v < 0 ? "-" + out : out;
}

inline std::string human_bytes(std::int64_t b) {
  char buf[64];
  if (b >= (1ll << 30))
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(b) / (1ll << 30));
  else if (b >= (1ll << 20))
    std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(b) / (1ll << 20));
  else if (b >= (1ll << 10))
    std::snprintf(buf, sizeof buf, "%.2f KiB", static_cast<double>(b) / (1ll << 10));
  else
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(b));
  return buf;
}

template <class Model>
FlopCounter analytic_flops(const BertConfig& cfg, std::int64_t B, std::int64_t S) {
  return analytic_flops_of<typename Model::plan>(cfg, B, S);
}

/// "0-7, 10" for the encoder layers of `r` without a trainable parameter ("none" if every layer trains).
inline std::string frozen_layer_list(const PlanReport& r) {
  std::vector<int> f;
  for (const auto& c : r.components)
    if (c.component == Component::layer && c.trainable == 0) f.push_back(c.layer);
  if (f.empty()) return "none";
  std::string out;
  for (std::size_t i = 0; i < f.size();) {
    std::size_t j = i;
    while (j + 1 < f.size() && f[j + 1] == f[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += std::to_string(f[i]) + (j > i ? "-" + std::to_string(f[j]) : "");
    i = j + 1;
  }
  return out;
}

namespace detail {

// The status column of one component: frozen, trainable or partial.
inline const char* explain_status(const ComponentReport& c) {
  if (c.adapter_params != 0) {
    const bool ia3 = c.adapter_kind == Adapter::ia3;
    if (c.trainable == 0) return ia3 ? "ia3" : "lora";
    return ia3 ? "ia3+base" : "lora+base";
  }
  if (c.trainable == 0) return "frozen";
  return c.trainable == all_slots(c.slots) ? "trainable" : "partial";
}

// What backward computes in one component, in words.
inline std::string explain_backward_kind(const ComponentReport& c) {
  if (c.weight_grads && c.input_grad) return "weight grads + input grads";
  if (c.weight_grads) return "weight grads only (backward stops here)";
  if (c.input_grad) return "input grads only (passes gradient down, frozen weights)";
  return "nothing (inference-mode forward, no saved activations)";
}

// The backward column: the kind, plus the trained slots of a partially trained component.
inline std::string explain_backward(const ComponentReport& c) {
  std::string bwd = explain_backward_kind(c);
  if (!c.adapter.empty())
    bwd += "; " + c.adapter + " (" + with_commas(c.adapter_params) + " adapter parameters, frozen base)";
  if (c.trainable != 0 && c.trainable != all_slots(c.slots)) {
    bwd += "; trains:";
    for (int s = 0; s < c.slots; ++s)
      if (c.trainable & bit(s)) bwd += std::string(" ") + slot_name(c.component, s);
  }
  return bwd;
}

// One table row for one component.
inline void explain_row(std::ostringstream& os, const ComponentReport& c) {
  char line[256];
  std::snprintf(line, sizeof line, "%-18s %-10s %12s %12s  %s\n", c.name.c_str(), explain_status(c),
                with_commas(c.trainable_params).c_str(), with_commas(c.frozen_params).c_str(),
                explain_backward(c).c_str());
  os << line;
}

// The summary lines under the table: frozen layers, backward stop, parameter counts, memory.
inline void explain_summary(std::ostringstream& os, const PlanReport& r) {
  const int stop = r.backward_stop;
  int layers = 0;
  for (const auto& c : r.components) layers += c.component == Component::layer ? 1 : 0;
  os << "frozen encoder layers (0-based, inclusive): " << frozen_layer_list(r) << " of " << layers << "\n";
  os << "backward stops at: "
     << (stop < static_cast<int>(r.components.size()) ? r.components[static_cast<std::size_t>(stop)].name
                                                      : std::string("nothing trains; no backward"))
     << "\n";
  if (!r.adapter.empty())
    os << "adapters: " << r.adapter << "; " << with_commas(r.adapter_params) << " adapter parameters ("
       << human_bytes(r.adapter_params * static_cast<std::int64_t>(r.scalar_bytes)) << ")\n";
  os << "trainable parameters: " << with_commas(r.trainable_params) << " of " << with_commas(r.total_params())
     << " (frozen " << with_commas(r.frozen_params) << ")\n";
  os << "gradient memory: " << human_bytes(r.gradient_bytes())
     << ", AdamW state: " << human_bytes(r.adamw_state_bytes()) << " (frozen parameters: 0 B)\n";
  // Data parallel (dist/): only trainable gradients are averaged; a ring allreduce sends 2 (p-1)/p
  // of the buffer from each rank.
  os << "data parallel: allreduce of " << with_commas(r.gradient_bytes())
     << " bytes per step (trainable gradients only); a ring sends 2(p-1)/p of that per rank, "
     << human_bytes(r.gradient_bytes()) << " at p = 2\n";
}

}  // namespace detail

/// A printable freeze plan: one line per component, top-down as backward visits them.
inline std::string explain(const PlanReport& r) {
  std::ostringstream os;
  char line[256];
  std::snprintf(line, sizeof line, "%-18s %-10s %12s %12s  %s\n", "component", "status", "trainable", "frozen",
                "backward");
  os << line;
  for (auto it = r.components.rbegin(); it != r.components.rend(); ++it) detail::explain_row(os, *it);
  detail::explain_summary(os, r);
  return os.str();
}

template <class Model>
std::string explain(const BertConfig& cfg) {
  return explain(plan_report<Model>(cfg));
}

}  // namespace frost
