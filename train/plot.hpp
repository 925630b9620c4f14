#pragma once
// Plots drawn with gnuplot: each function writes a gnuplot script (.gp) and its data files
// next to the PNG, then runs gnuplot on the script. The script stays, so a figure can be
// restyled and redrawn by hand (`gnuplot out/spirals/boundary.gp`). When gnuplot is not
// installed (Debian: gnuplot-nox, installed by scripts/deps), the functions print one warning
// saying so and return false; they never throw for a missing or failing gnuplot.
#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace tapegrad::train {

/// Options shared by the plot functions.
struct PlotOptions {
  std::string gnuplot = "gnuplot";  ///< the program: a name looked up in PATH, or a path
  std::ostream* warn = nullptr;     ///< where warnings go; nullptr means std::cerr
  int width = 900;                  ///< PNG size in pixels
  int height = 600;
  std::string title{};  ///< figure title (empty: none)
  bool log_y = false;   ///< plot_curves: logarithmic loss axis (values <= 0 are skipped)
};

/// Loss and accuracy curves from a CSV written by CsvLogger: the first column is the x axis
/// (the epoch); columns whose name contains "loss" are drawn in a left panel, columns whose
/// name contains "acc" in a right panel (0..1 axis); other columns are ignored. A CSV without
/// accuracy columns gives one panel. Returns true when the PNG was written; false (with a
/// warning) when gnuplot is missing or fails. Throws IOError if the CSV cannot be read and
/// ValueError if it has no loss or accuracy column.
bool plot_curves(const std::filesystem::path& csv, const std::filesystem::path& png, const PlotOptions& options = {});

/// A path through the plane, drawn as a line with markers: an optimizer's iterates.
struct Trajectory {
  std::string name{};                           ///< the key's label
  std::vector<std::array<double, 2>> points{};  ///< (x, y) in order
};

/// A rectangle of the plane sampled on an nx x ny grid.
struct Region {
  double x_min = -1, x_max = 1, y_min = -1, y_max = 1;
  int nx = 200, ny = 200;  ///< samples per axis (>= 2)
};

/// Contour lines of f over the region, on a pale map of log10(1 + f - f_min), with the
/// trajectories on top (each its own colour, earlier ones wider so paths along the same valley
/// stay visible; the first one's start and every end marked) and optional marked minima. `levels` are the contour
/// values; empty picks 12 levels spaced evenly in log10(1 + f - f_min). Returns as plot_curves.
bool plot_contours(const std::function<double(double, double)>& f, const Region& region,
                   const std::vector<Trajectory>& trajectories, const std::filesystem::path& png,
                   const PlotOptions& options = {}, std::vector<double> levels = {},
                   const std::vector<std::array<double, 2>>& minima = {});

/// A labelled point of a 2-D classification set.
struct LabeledPoint {
  double x = 0, y = 0;
  std::int64_t label = 0;  ///< class in [0, classes)
};

/// A decision-boundary map: `predict` gives the class at each point of the region (called on
/// every grid point at once: xs and ys of equal length, returns one class each), drawn as pale
/// regions, with the labelled points on top in strong colours of the same hue. Up to 8
/// classes. Returns as plot_curves; throws ValueError if predict returns the wrong count or a
/// class outside [0, 8).
bool plot_decision_boundary(const std::function<std::vector<std::int64_t>(const std::vector<double>& xs,
                                                                          const std::vector<double>& ys)>& predict,
                            const Region& region, const std::vector<LabeledPoint>& points,
                            const std::filesystem::path& png, const PlotOptions& options = {});

/// Runs `gnuplot <script>` (without a shell) and reports whether it succeeded and wrote
/// `png`; when gnuplot cannot be started, returns false after a warning naming the program
/// and how to install it. Used by the functions above.
bool run_gnuplot(const std::filesystem::path& script, const std::filesystem::path& png, const PlotOptions& options);

namespace detail {
/// A gnuplot single-quoted string literal ('' stands for a quote inside).
std::string gp_quote(const std::string& s);
/// The script lines that pick the pngcairo terminal (or png where cairo is missing), the size
/// and the output file.
std::string gp_terminal(const PlotOptions& options, const std::filesystem::path& png);
/// `dir/stem` + suffix, next to the PNG: the script and data files' names.
std::filesystem::path sibling(const std::filesystem::path& png, const std::string& suffix);
/// Writes text to path; throws IOError on failure.
void write_text(const std::filesystem::path& path, const std::string& text);
}  // namespace detail

}  // namespace tapegrad::train
