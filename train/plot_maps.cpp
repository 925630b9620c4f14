// Maps of the plane: contour plots with trajectories, and decision-boundary maps.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "../core/errors.hpp"
#include "plot.hpp"

namespace tapegrad::train {
namespace {

void check_region(const Region& r, const char* fn) {
  if (r.nx < 2 || r.ny < 2) fail<ValueError>("{}: the grid needs at least 2 x 2 samples, got {} x {}", fn, r.nx, r.ny);
  if (!(r.x_min < r.x_max) || !(r.y_min < r.y_max))
    fail<ValueError>("{}: empty region x [{}, {}], y [{}, {}]", fn, r.x_min, r.x_max, r.y_min, r.y_max);
}

double grid_x(const Region& r, int i) { return r.x_min + (r.x_max - r.x_min) * i / (r.nx - 1); }
double grid_y(const Region& r, int j) { return r.y_min + (r.y_max - r.y_min) * j / (r.ny - 1); }

std::string ranges(const Region& r) {
  return fmt::format("set xrange [{}:{}]\nset yrange [{}:{}]\n", r.x_min, r.x_max, r.y_min, r.y_max);
}

// Line colours of the trajectories (ColorBrewer Set1 and Dark2): strong on the pale map and on
// the white key.
const char* kLineColours[] = {"#e41a1c", "#ff7f00", "#377eb8", "#4daf4a", "#984ea3",
                              "#f0027f", "#a65628", "#1b9e77", "#666666", "#17becf"};

}  // namespace

bool plot_contours(const std::function<double(double, double)>& f, const Region& region,
                   const std::vector<Trajectory>& trajectories, const std::filesystem::path& png,
                   const PlotOptions& options, std::vector<double> levels,
                   const std::vector<std::array<double, 2>>& minima) {
  check_region(region, "plot_contours");
  // Sample f; the map shows t = log10(1 + f - f_min), which spreads steep valleys evenly.
  std::vector<double> z(static_cast<std::size_t>(region.nx) * region.ny);
  double f_min = std::numeric_limits<double>::infinity();
  for (int i = 0; i < region.nx; ++i)
    for (int j = 0; j < region.ny; ++j) {
      const double v = f(grid_x(region, i), grid_y(region, j));
      z[static_cast<std::size_t>(i) * region.ny + j] = v;
      if (std::isfinite(v)) f_min = std::min(f_min, v);
    }
  if (!std::isfinite(f_min)) fail<ValueError>("plot_contours: f is not finite anywhere on the region");
  auto transform = [&](double v) { return std::log10(1.0 + std::max(0.0, v - f_min)); };
  std::string grid;  // one block per x, "x y t" lines
  double t_max = 0;
  for (int i = 0; i < region.nx; ++i) {
    for (int j = 0; j < region.ny; ++j) {
      const double v = z[static_cast<std::size_t>(i) * region.ny + j];
      const double t = std::isfinite(v) ? transform(v) : std::numeric_limits<double>::quiet_NaN();
      if (std::isfinite(t)) t_max = std::max(t_max, t);
      grid += fmt::format("{:.6g} {:.6g} {:.6g}\n", grid_x(region, i), grid_y(region, j), t);
    }
    grid += "\n";
  }
  std::vector<double> t_levels;
  if (levels.empty()) {
    for (int k = 1; k <= 12; ++k) t_levels.push_back(t_max * k / 13.0);
  } else {
    for (double l : levels) t_levels.push_back(transform(l));
  }
  const auto grid_file = detail::sibling(png, "_grid.dat");
  const auto contour_file = detail::sibling(png, "_contours.dat");
  detail::write_text(grid_file, grid);

  std::string gp = "# Contours of f with optimizer trajectories; redraw with: gnuplot <this file>\n";
  // 1. contour lines of the grid into a table (gnuplot's contouring), 2. the picture.
  gp += fmt::format("set table {}\nset contour base\nunset surface\nset cntrparam levels discrete {:.6g}\n",
                    detail::gp_quote(contour_file.string()), fmt::join(t_levels, ","));
  gp += fmt::format("splot {} using 1:2:3 with lines\nunset table\nunset contour\nset surface\n",
                    detail::gp_quote(grid_file.string()));
  gp += detail::gp_terminal(options, png);
  gp += fmt::format("set title {}\nset xlabel 'x'\nset ylabel 'y'\n", detail::gp_quote(options.title));
  gp += ranges(region);
  // pale map: white in the valleys, blue on the heights, so the coloured paths stand out
  gp += "set palette defined (0 '#ffffff', 1 '#deebf7', 2 '#9ecae1', 3 '#4292c6')\n";
  gp += "set cblabel 'log10(1 + f - f_min)'\nset key outside right top box opaque\n";
  gp += fmt::format("plot {} using 1:2:3 with image notitle, \\\n", detail::gp_quote(grid_file.string()));
  gp += fmt::format("     {} using 1:2 with lines lc rgb '#7f7f7f' lw 0.6 dt 1 notitle",
                    detail::gp_quote(contour_file.string()));
  for (std::size_t k = 0; k < trajectories.size(); ++k) {
    std::string pts;
    for (const auto& p : trajectories[k].points) {
      if (!std::isfinite(p[0]) || !std::isfinite(p[1])) break;  // a diverged run ends here
      pts += fmt::format("{:.9g} {:.9g}\n", p[0], p[1]);
    }
    if (pts.empty()) continue;
    const auto file = detail::sibling(png, fmt::format("_path{}.dat", k));
    detail::write_text(file, pts);
    const char* colour = kLineColours[k % 10];
    // earlier paths drawn wider, so a later one running along the same valley leaves them visible
    const double width = 1.0 + 0.5 * static_cast<double>(trajectories.size() - 1 - k);
    gp += fmt::format(", \\\n     {} using 1:2 with linespoints lw {} pt 7 ps 0.25 lc rgb '{}' title {}",
                      detail::gp_quote(file.string()), width, colour, detail::gp_quote(trajectories[k].name));
    // the end point, as a larger marker of the same colour
    gp += fmt::format(", \\\n     {} every ::{}::{} using 1:2 with points pt 9 ps 1.4 lc rgb '{}' notitle",
                      detail::gp_quote(file.string()), std::count(pts.begin(), pts.end(), '\n') - 1,
                      std::count(pts.begin(), pts.end(), '\n') - 1, colour);
  }
  if (!trajectories.empty() && !trajectories[0].points.empty()) {
    const auto& s = trajectories[0].points.front();
    gp += fmt::format(
        ", \\\n     '+' using ({:.9g}):({:.9g}) every ::0::0 with points pt 5 ps 1.5 lc rgb '#000000' title 'start'",
        s[0], s[1]);
  }
  for (const auto& m : minima)
    gp += fmt::format(
        ", \\\n     '+' using ({:.9g}):({:.9g}) every ::0::0 with points pt 3 ps 3 lw 2 lc rgb '#000000' title "
        "'minimum'",
        m[0], m[1]);
  gp += "\n";
  const auto script = detail::sibling(png, ".gp");
  detail::write_text(script, gp);
  return run_gnuplot(script, png, options);
}

bool plot_decision_boundary(
    const std::function<std::vector<std::int64_t>(const std::vector<double>&, const std::vector<double>&)>& predict,
    const Region& region, const std::vector<LabeledPoint>& points, const std::filesystem::path& png,
    const PlotOptions& options) {
  check_region(region, "plot_decision_boundary");
  // Pale region colours and strong point colours of the same hue (ColorBrewer Pastel1 / Set1).
  static const int pale[8][3] = {{251, 180, 174}, {179, 205, 227}, {204, 235, 197}, {222, 203, 228},
                                 {254, 217, 166}, {255, 255, 204}, {229, 216, 189}, {253, 218, 236}};
  static const char* strong[8] = {"#e41a1c", "#377eb8", "#4daf4a", "#984ea3",
                                  "#ff7f00", "#c9b800", "#a65628", "#f781bf"};
  std::vector<double> xs, ys;
  for (int j = 0; j < region.ny; ++j)
    for (int i = 0; i < region.nx; ++i) {
      xs.push_back(grid_x(region, i));
      ys.push_back(grid_y(region, j));
    }
  const std::vector<std::int64_t> cls = predict(xs, ys);
  if (cls.size() != xs.size())
    fail<ValueError>("plot_decision_boundary: predict returned {} classes for {} grid points", cls.size(), xs.size());
  std::string grid;  // "x y r g b", one block per row of y
  for (std::size_t k = 0; k < cls.size(); ++k) {
    if (cls[k] < 0 || cls[k] >= 8) fail<ValueError>("plot_decision_boundary: class {} is outside [0, 8)", cls[k]);
    const int* c = pale[cls[k]];
    grid += fmt::format("{:.6g} {:.6g} {} {} {}\n", xs[k], ys[k], c[0], c[1], c[2]);
    if ((k + 1) % static_cast<std::size_t>(region.nx) == 0) grid += "\n";
  }
  std::int64_t classes = 0;
  for (const auto& p : points) {
    if (p.label < 0 || p.label >= 8)
      fail<ValueError>("plot_decision_boundary: point label {} is outside [0, 8)", p.label);
    classes = std::max(classes, p.label + 1);
  }
  const auto grid_file = detail::sibling(png, "_grid.dat");
  const auto points_file = detail::sibling(png, "_points.dat");
  detail::write_text(grid_file, grid);
  std::string pts;  // one gnuplot "index" per class, separated by two blank lines
  for (std::int64_t c = 0; c < classes; ++c) {
    if (c > 0) pts += "\n\n";
    pts += fmt::format("# class {}\n", c);
    for (const auto& p : points)
      if (p.label == c) pts += fmt::format("{:.9g} {:.9g}\n", p.x, p.y);
  }
  detail::write_text(points_file, pts);

  std::string gp = "# Decision regions (pale) and the labelled points; redraw with: gnuplot <this file>\n";
  gp += detail::gp_terminal(options, png);
  gp += fmt::format("set title {}\nset xlabel 'x1'\nset ylabel 'x2'\nset size ratio -1\n",
                    detail::gp_quote(options.title));
  gp += ranges(region);
  gp += "set key outside right top box\n";
  gp += fmt::format("plot {} using 1:2:3:4:5 with rgbimage notitle", detail::gp_quote(grid_file.string()));
  for (std::int64_t c = 0; c < classes; ++c) {
    gp += fmt::format(", \\\n     {} index {} using 1:2 with points pt 7 ps 0.8 lc rgb '{}' title 'class {}'",
                      detail::gp_quote(points_file.string()), c, strong[c], c);
    gp += fmt::format(", \\\n     {} index {} using 1:2 with points pt 6 ps 0.8 lc rgb '#333333' notitle",
                      detail::gp_quote(points_file.string()), c);
  }
  gp += "\n";
  const auto script = detail::sibling(png, ".gp");
  detail::write_text(script, gp);
  return run_gnuplot(script, png, options);
}

}  // namespace tapegrad::train
