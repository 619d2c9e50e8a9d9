// tools/cli/gnuplot.hpp: charts drawn by gnuplot (Debian's gnuplot-nox), written atomically.
//
// render_chart(script, outputs): runs `gnuplot` on `script` once per output file, the script's
// `@TERMINAL` and `@OUTPUT` placeholders replaced by the file's terminal (by extension: .png is
// pngcairo, falling back to gnuplot's plain png terminal; .svg is svg) and a temporary path beside
// the file, renamed into place when gnuplot succeeded. A chart is a convenience: gnuplot missing or
// failing is a warning on stderr (naming the file), never an error, and never leaves a partial file.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace frost::cli {

inline bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

namespace gnuplot_detail {

inline std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

/// Runs gnuplot on `script` (a temporary file); whether it succeeded.
inline bool run(const std::string& script) {
  namespace fs = std::filesystem;
  const fs::path gp = fs::temp_directory_path() / ("frost-chart-" + std::to_string(::getpid()) + ".gp");
  {
    std::ofstream g(gp);
    g << script;
    if (!g.good()) return false;
  }
  const bool ok = std::system(("gnuplot '" + gp.string() + "' >/dev/null 2>&1").c_str()) == 0;
  std::error_code ec;
  fs::remove(gp, ec);
  return ok;
}

}  // namespace gnuplot_detail

/// Draws `script` into each of `outputs` (.png or .svg, `size` pixels "W,H"); returns the files
/// written. `who` prefixes the warnings ("frost plot").
inline std::vector<std::string> render_chart(const std::string& script, const std::vector<std::string>& outputs,
                                             const std::string& who, const std::string& size = "1200,900") {
  namespace fs = std::filesystem;
  std::vector<std::string> written;
  if (!gnuplot_available()) {
    std::fprintf(stderr, "%s: gnuplot not found; no charts (apt-get install gnuplot-nox)\n", who.c_str());
    return written;
  }
  for (const std::string& out : outputs) {
    const fs::path target(out);
    const fs::path tmp =
        target.parent_path() / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()));
    const bool png = target.extension() == ".png";
    const std::vector<std::string> terminals =
        png ? std::vector<std::string>{"pngcairo size " + size + " font ',10' noenhanced",
                                       "png size " + size + " noenhanced"}
            : std::vector<std::string>{"svg size " + size + " dynamic noenhanced"};
    bool ok = false;
    for (const std::string& term : terminals) {
      const std::string s = gnuplot_detail::replace_all(gnuplot_detail::replace_all(script, "@TERMINAL", term),
                                                        "@OUTPUT", "'" + tmp.string() + "'");
      if ((ok = gnuplot_detail::run(s) && fs::is_regular_file(tmp) && fs::file_size(tmp) > 0)) break;
    }
    std::error_code ec;
    if (ok) fs::rename(tmp, target, ec);
    if (!ok || ec) {
      fs::remove(tmp, ec);
      std::fprintf(stderr, "%s: gnuplot could not draw %s\n", who.c_str(), out.c_str());
      continue;
    }
    written.push_back(out);
  }
  return written;
}

}  // namespace frost::cli
