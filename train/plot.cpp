// The gnuplot driver: running gnuplot safely, and the loss/accuracy curves.
#include "plot.hpp"

#include <fmt/format.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <system_error>

#include "../core/errors.hpp"

extern char** environ;

namespace tapegrad::train {
namespace detail {

std::string gp_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += (c == '\'') ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string gp_terminal(const PlotOptions& o, const std::filesystem::path& png) {
  return fmt::format(
      "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {{\n"
      "  set terminal pngcairo size {0},{1} noenhanced font 'Sans,10'\n"
      "}} else {{\n"
      "  set terminal png size {0},{1} noenhanced\n"
      "}}\n"
      "set output {2}\n",
      o.width, o.height, gp_quote(std::filesystem::absolute(png).string()));
}

std::filesystem::path sibling(const std::filesystem::path& png, const std::string& suffix) {
  return std::filesystem::absolute(png).parent_path() / (png.stem().string() + suffix);
}

void write_text(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream f(path, std::ios::out | std::ios::trunc);
  f << text;
  f.close();
  if (!f) fail<IOError>("plot: cannot write '{}'", path.string());
}

}  // namespace detail

bool run_gnuplot(const std::filesystem::path& script, const std::filesystem::path& png, const PlotOptions& options) {
  std::ostream& warn = options.warn != nullptr ? *options.warn : std::cerr;
  std::error_code ec;
  std::filesystem::remove(png, ec);  // a stale PNG must not pass for a new one
  // Spawn gnuplot directly (no shell): argv = {gnuplot, script}; PATH lookup when no '/'.
  const std::string script_s = script.string();
  std::vector<char*> argv{const_cast<char*>(options.gnuplot.c_str()), const_cast<char*>(script_s.c_str()), nullptr};
  pid_t pid = 0;
  const int err = ::posix_spawnp(&pid, options.gnuplot.c_str(), nullptr, nullptr, argv.data(), environ);
  if (err != 0) {
    warn << fmt::format(
        "warning: cannot run '{}' ({}), so {} was not drawn. Install gnuplot (Debian: sudo apt-get install "
        "gnuplot-nox, or scripts/deps); the script {} and its data are kept, run it with gnuplot later.\n",
        options.gnuplot, std::strerror(err), png.string(), script_s);
    return false;
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      warn << fmt::format("warning: waiting for gnuplot failed ({}); {} may be missing\n", std::strerror(errno),
                          png.string());
      return false;
    }
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    warn << fmt::format("warning: gnuplot failed on {} (exit status {}), so {} was not drawn\n", script_s,
                        WIFEXITED(status) ? WEXITSTATUS(status) : -1, png.string());
    return false;
  }
  if (!std::filesystem::exists(png, ec) || std::filesystem::file_size(png, ec) == 0) {
    warn << fmt::format("warning: gnuplot ran {} but wrote no {}\n", script_s, png.string());
    return false;
  }
  return true;
}

namespace {

/// The column names of the CSV's header row.
std::vector<std::string> read_header(const std::filesystem::path& csv) {
  std::ifstream f(csv);
  if (!f) fail<IOError>("plot_curves: cannot read '{}'", csv.string());
  std::string line;
  if (!std::getline(f, line) || line.empty()) fail<IOError>("plot_curves: '{}' has no header row", csv.string());
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::vector<std::string> names;
  std::stringstream ss(line);
  for (std::string name; std::getline(ss, name, ',');) names.push_back(name);
  return names;
}

/// One gnuplot `plot` command drawing the given columns (1-based) against column 1.
std::string plot_columns(const std::string& csv, const std::vector<std::size_t>& cols,
                         const std::vector<std::string>& names, bool markers) {
  static const char* colours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"};
  std::string cmd = "plot ";
  for (std::size_t k = 0; k < cols.size(); ++k) {
    if (k > 0) cmd += ", \\\n     ";
    cmd += fmt::format("{} using 1:{} with {} lw 2 lc rgb '{}' title {}", k == 0 ? csv : "''", cols[k],
                       markers ? "linespoints pt 7 ps 0.6" : "lines", colours[k % 6],
                       detail::gp_quote(names[cols[k] - 1]));
  }
  return cmd + "\n";
}

}  // namespace

bool plot_curves(const std::filesystem::path& csv, const std::filesystem::path& png, const PlotOptions& options) {
  const std::vector<std::string> names = read_header(csv);
  std::vector<std::size_t> loss_cols, acc_cols;  // 1-based gnuplot columns
  for (std::size_t i = 1; i < names.size(); ++i) {
    if (names[i].find("loss") != std::string::npos) loss_cols.push_back(i + 1);
    else if (names[i].find("acc") != std::string::npos) acc_cols.push_back(i + 1);
  }
  if (loss_cols.empty() && acc_cols.empty())
    fail<ValueError>("plot_curves: '{}' has no column named like 'loss' or 'acc' (columns: {})", csv.string(),
                     fmt::join(names, ","));
  const std::string data = detail::gp_quote(std::filesystem::absolute(csv).string());
  const int panels = (loss_cols.empty() ? 0 : 1) + (acc_cols.empty() ? 0 : 1);
  std::int64_t rows = -1;  // data rows (the header not counted): markers only when few
  {
    std::ifstream f(csv);
    for (std::string line; std::getline(f, line);) rows += line.empty() ? 0 : 1;
  }
  const bool markers = rows <= 50;

  std::string gp = "# Loss and accuracy curves; redraw with: gnuplot <this file>\n";
  gp += "set datafile separator ','\n";
  gp += detail::gp_terminal(options, png);
  gp += fmt::format("set multiplot layout 1,{} title {}\n", panels, detail::gp_quote(options.title));
  gp += fmt::format("set grid\nset xlabel {}\nset xtics nomirror\n", detail::gp_quote(names[0]));
  if (!loss_cols.empty()) {
    gp += "set title 'loss'\nset ylabel 'loss'\nset key top right\n";
    gp += options.log_y ? "set logscale y\nset format y '%.0e'\n" : "set yrange [0:*]\n";
    gp += plot_columns(data, loss_cols, names, markers);
  }
  if (!acc_cols.empty()) {
    gp += "unset logscale y\nset format y '% h'\n";
    gp += "set title 'accuracy'\nset ylabel 'accuracy'\nset key bottom right\nset yrange [0:1]\n";
    gp += plot_columns(data, acc_cols, names, markers);
  }
  gp += "unset multiplot\n";
  const auto script = detail::sibling(png, ".gp");
  detail::write_text(script, gp);
  return run_gnuplot(script, png, options);
}

}  // namespace tapegrad::train
