// tools/cli/flag_registry.hpp: the numeric and choice options of the `frost` tool as CLI11 sees
// them (text), converted and checked by flags.hpp's parsers once CLI11 has parsed. Only main.cpp
// includes it: CLI11 is compiled in that one unit.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "flags.hpp"

namespace frost::cli {

/// Numeric and choice options registered as text and converted once CLI11 has parsed: each
/// conversion runs only for an option given on the command line (the defaults are valid).
class Flags {
 public:
  /// A real-valued option bound to `v` (its value is the default shown in --help).
  CLI::Option* real(CLI::App* app, const std::string& name, double& v, const RealRange& r,
                    const std::string& help = "") {
    std::string& raw = raw_.emplace_back();
    CLI::Option* o = app->add_option(name, raw, help)->type_name("FLOAT")->default_str(show_number(v));
    convert_.push_back({app, o, [&v, &raw, name, r] { v = parse_real(name, raw, r); }});
    return o;
  }
  /// An integer option bound to `v`, in [lo, hi]; `expected` (optional) says the range in words.
  template <class T>
  CLI::Option* integer(CLI::App* app, const std::string& name, T& v, T lo, T hi, const std::string& help = "",
                       const std::string& expected = "", bool show_default_value = true) {
    std::string& raw = raw_.emplace_back();
    CLI::Option* o = app->add_option(name, raw, help.empty() ? std::to_string(lo) + ".." + std::to_string(hi) : help)
                         ->type_name("INT");
    if (show_default_value) o->default_str(std::to_string(v));
    convert_.push_back({app, o, [&v, &raw, name, lo, hi, expected] { v = parse_int<T>(name, raw, lo, hi, expected); }});
    return o;
  }
  /// A check run after the conversions when `app` was the command given (combinations of flags).
  void check(CLI::App* app, std::function<void()> f) { convert_.push_back({app, nullptr, std::move(f)}); }

  /// Runs the conversions and checks of `app`.
  void apply(const CLI::App* app) const {
    for (const auto& c : convert_)
      if (c.app == app && (c.opt == nullptr || c.opt->count() > 0)) c.run();
  }

 private:
  struct Conversion {
    const CLI::App* app;
    const CLI::Option* opt;
    std::function<void()> run;
  };
  std::deque<std::string> raw_;
  std::vector<Conversion> convert_;
};

}  // namespace frost::cli
