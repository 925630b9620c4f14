// Training utilities: the progress bar's lines (with a fake clock), the CSV logger's exact
// content, and the gnuplot driver (missing or failing gnuplot, and real PNGs where installed).
#include <doctest/doctest.h>
#include <unistd.h>
#include <tapegrad/tapegrad.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace tapegrad;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

/// A fresh, empty directory under the system's temp dir, removed at scope exit.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name)
      : path(fs::temp_directory_path() / ("tapegrad_test_" + name + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

bool has_gnuplot() { return std::system("gnuplot --version > /dev/null 2>&1") == 0; }

bool is_png(const fs::path& p) { return read_file(p).rfind("\x89PNG\r\n\x1a\n", 0) == 0; }

}  // namespace

TEST_CASE("ProgressBar without a TTY prints evenly spaced plain lines and a summary") {
  std::ostringstream out;
  double now = 100.0;  // the fake clock, in seconds
  {
    train::ProgressBar bar(
        {.total = 8, .epoch = 2, .epochs = 5, .out = &out, .is_tty = false, .lines_per_epoch = 4, .clock = [&] {
           return now;
         }});
    // 8 steps of 32 samples, 0.5 s each; lines are due at steps 2, 4, 6 and 8
    const double losses[] = {1.0, 0.5, 0.25, 0.25, 0.5, 0.5, 1.0, 2.0};
    for (double loss : losses) {
      now += 0.5;
      bar.update(32, loss);
    }
    CHECK(bar.step() == 8);
    CHECK(bar.samples() == 256);
    CHECK(bar.running_loss() == 0.75);  // (1 + .5 + .25 + .25 + .5 + .5 + 1 + 2) / 8
    bar.finish("test acc 0.9000");
  }
  // step 2: 64 samples in 1 s; ETA = 1 s / 2 steps * 6 steps left = 3 s; loss (1 + .5) / 2
  // step 4: 128 in 2 s, ETA 2 s, loss 2 / 4;  step 6: ETA 1 s, loss 3 / 6;  step 8: loss 6 / 8
  CHECK(out.str() ==
        "epoch 2/5  step 2/8  64 samples/s  ETA 0:03  loss 0.7500\n"
        "epoch 2/5  step 4/8  64 samples/s  ETA 0:02  loss 0.5000\n"
        "epoch 2/5  step 6/8  64 samples/s  ETA 0:01  loss 0.5000\n"
        "epoch 2/5  step 8/8  64 samples/s  ETA 0:00  loss 0.7500\n"
        "epoch 2/5  8/8  64 samples/s  4.0s  loss 0.7500  test acc 0.9000\n");
}

TEST_CASE("ProgressBar weights the running loss by samples and times with the clock") {
  std::ostringstream out;
  double now = 0;
  train::ProgressBar bar(
      {.total = 3, .out = &out, .is_tty = false, .lines_per_epoch = 10, .clock = [&] { return now; }});
  now = 2;
  bar.update(32, 1.0);
  CHECK(bar.eta() == 4.0);  // 2 s per step, 2 steps left
  now = 4;
  bar.update(8, 2.0);  // a short last-but-one batch: (32 * 1 + 8 * 2) / 40 = 1.2
  CHECK(bar.running_loss() == doctest::Approx(1.2).epsilon(1e-15));
  CHECK(bar.samples_per_second() == 10.0);  // 40 samples in 4 s
  // with more lines asked than steps, every step prints; no epoch label when epoch is 0
  CHECK(out.str() == "step 1/3  16 samples/s  ETA 0:04  loss 1.0000\nstep 2/3  10 samples/s  ETA 0:02  loss 1.2000\n");
  bar.update(0, 5.0);
  CHECK_THROWS_WITH_AS(bar.update(1, 1.0), doctest::Contains("past the total of 3"), StateError);
}

TEST_CASE("ProgressBar on a TTY redraws one bar with carriage returns, throttled by the clock") {
  std::ostringstream out;
  double now = 0;
  {
    train::ProgressBar bar(
        {.total = 4, .out = &out, .is_tty = true, .redraw_seconds = 0, .width = 10, .clock = [&] { return now; }});
    now = 1;
    bar.update(10, 0.5);
    now = 2;
    bar.update(10, 0.5);
    // 2 of 4 steps: 5 of 10 cells done and the head
    CHECK(out.str().ends_with("\r[=====>    ] 2/4  10 samples/s  ETA 0:02  loss 0.5000\x1b[K"));
    now = 3;
    bar.update(10, 0.5);
    now = 4;
    bar.update(10, 0.5);
    CHECK(out.str().ends_with("\r[==========] 4/4  10 samples/s  ETA 0:00  loss 0.5000\x1b[K"));
  }  // the destructor finishes the line
  const std::string text = out.str();
  CHECK(text.ends_with("\r4/4  10 samples/s  4.0s  loss 0.5000\x1b[K\n"));
  CHECK(std::count(text.begin(), text.end(), '\r') == 5);
  CHECK(std::count(text.begin(), text.end(), '\n') == 1);

  std::ostringstream slow;
  now = 0;
  train::ProgressBar throttled(
      {.total = 5, .out = &slow, .is_tty = true, .redraw_seconds = 1.0, .clock = [&] { return now; }});
  for (int i = 0; i < 5; ++i) {
    now += 0.1;
    throttled.update(1, 1.0);
  }
  // drawn at the first step and at the last (always), not in between (0.4 s < 1 s)
  const std::string slow_text = slow.str();
  CHECK(std::count(slow_text.begin(), slow_text.end(), '\r') == 2);
}

TEST_CASE("ProgressBar rejects bad options; format_duration") {
  CHECK_THROWS_WITH_AS(train::ProgressBar({.total = 0}), doctest::Contains("ProgressBar"), ValueError);
  CHECK_THROWS_AS(train::ProgressBar({.total = 5, .lines_per_epoch = -1}), ValueError);
  std::ostringstream out;  // lines_per_epoch 0: only the summary
  {
    double now = 0;
    train::ProgressBar quiet(
        {.total = 2, .epoch = 1, .out = &out, .is_tty = false, .lines_per_epoch = 0, .clock = [&] { return now; }});
    now = 1;
    quiet.update(4, 0.25);
    now = 2;
    quiet.update(4, 0.75);
  }
  CHECK(out.str() == "epoch 1  2/2  4 samples/s  2.0s  loss 0.5000\n");
  CHECK(train::format_duration(7) == "0:07");
  CHECK(train::format_duration(754) == "12:34");
  CHECK(train::format_duration(3723) == "1:02:03");
  CHECK(train::format_duration(NAN) == "?");
}

TEST_CASE("CsvLogger writes the header and one flushed row per call, creating the directory") {
  TempDir tmp("csv");
  const fs::path dir = tmp.path / "run" / "nested";
  train::CsvLogger log(dir, {"epoch", "train_loss", "test_accuracy"});
  CHECK(log.path() == dir / "metrics.csv");
  CHECK(read_file(log.path()) == "epoch,train_loss,test_accuracy\n");
  log.log({1, 0.5, 0.25});
  log.log({2, 0.1 + 0.2, 0.875});
  // read while the logger is alive: rows are flushed as they are written
  CHECK(read_file(log.path()) == "epoch,train_loss,test_accuracy\n1,0.5,0.25\n2,0.30000000000000004,0.875\n");
  CHECK(log.rows() == 2);
  CHECK_THROWS_WITH_AS(log.log({3, 0.1}), doctest::Contains("got 2 values for the 3 columns"), ValueError);
  CHECK_THROWS_WITH_AS(train::CsvLogger(tmp.path, {"a,b"}), doctest::Contains("CsvLogger"), ValueError);
  CHECK_THROWS_AS(train::CsvLogger(tmp.path, {}), ValueError);
  CHECK_THROWS_WITH_AS(train::CsvLogger("/proc/tapegrad_no_such_dir", {"epoch"}), doctest::Contains("CsvLogger"),
                       IOError);
}

TEST_CASE("plot_curves without gnuplot warns, returns false and keeps its script") {
  TempDir tmp("plot_missing");
  {
    train::CsvLogger log(tmp.path, {"epoch", "train_loss", "test_loss", "test_accuracy"});
    log.log({1, 1.0, 1.1, 0.5});
    log.log({2, 0.5, 0.6, 0.8});
  }
  std::ostringstream warn;
  const fs::path png = tmp.path / "curves.png";
  const bool ok =
      train::plot_curves(tmp.path / "metrics.csv", png, {.gnuplot = "/nonexistent/bin/gnuplot", .warn = &warn});
  CHECK_FALSE(ok);
  CHECK_FALSE(fs::exists(png));
  CHECK(warn.str().find("cannot run '/nonexistent/bin/gnuplot'") != std::string::npos);
  CHECK(warn.str().find("gnuplot-nox") != std::string::npos);
  // the script is there to be run later: losses (columns 2, 3) left, accuracy (4) right
  const std::string gp = read_file(tmp.path / "curves.gp");
  CHECK(gp.find("set multiplot layout 1,2") != std::string::npos);
  CHECK(gp.find("using 1:2 ") != std::string::npos);
  CHECK(gp.find("using 1:3 ") != std::string::npos);
  CHECK(gp.find("using 1:4 ") != std::string::npos);

  CHECK(gp.find("set yrange [0:*]") != std::string::npos);  // a linear loss axis from 0
  CHECK(gp.find("\nset logscale") == std::string::npos);    // ("unset logscale y" is there)
  train::plot_curves(tmp.path / "metrics.csv", png,
                     {.gnuplot = "/nonexistent/bin/gnuplot", .warn = &warn, .log_y = true});
  CHECK(read_file(tmp.path / "curves.gp").find("set logscale y") != std::string::npos);

  std::ostringstream warn2;  // a program that runs but fails
  CHECK_FALSE(train::plot_curves(tmp.path / "metrics.csv", png, {.gnuplot = "false", .warn = &warn2}));
  CHECK(warn2.str().find("gnuplot failed") != std::string::npos);

  CHECK_THROWS_AS(train::plot_curves(tmp.path / "none.csv", png), IOError);
  { train::CsvLogger other(tmp.path, {"epoch", "lr"}, "other.csv"); }
  CHECK_THROWS_WITH_AS(train::plot_curves(tmp.path / "other.csv", png), doctest::Contains("no column"), ValueError);
}

TEST_CASE("plots with the real gnuplot are PNG files") {
  if (!has_gnuplot()) {
    MESSAGE("gnuplot is not installed: skipped (scripts/deps installs gnuplot-nox)");
    return;
  }
  TempDir tmp("plot_real");
  {
    train::CsvLogger log(tmp.path, {"epoch", "train_loss", "train_accuracy"});
    for (int e = 1; e <= 5; ++e) log.log({double(e), 1.0 / e, 1.0 - 0.5 / e});
  }
  std::ostringstream warn;
  CHECK(train::plot_curves(tmp.path / "metrics.csv", tmp.path / "curves.png", {.warn = &warn}));
  CHECK(is_png(tmp.path / "curves.png"));

  const auto bowl = [](double x, double y) { return x * x + 4 * y * y; };
  const train::Trajectory path{"halving", {{1.0, 1.0}, {0.5, 0.5}, {0.25, 0.25}, {NAN, 0.0}}};
  CHECK(train::plot_contours(bowl, {.nx = 40, .ny = 40}, {path}, tmp.path / "bowl.png", {.warn = &warn}, {},
                             {{0.0, 0.0}}));
  CHECK(is_png(tmp.path / "bowl.png"));
  // the diverged (NaN) point ends the path file: 3 points
  CHECK(read_file(tmp.path / "bowl_path0.dat") == "1 1\n0.5 0.5\n0.25 0.25\n");

  const auto predict = [](const std::vector<double>& xs, const std::vector<double>& ys) {
    std::vector<std::int64_t> c;
    for (std::size_t i = 0; i < xs.size(); ++i) c.push_back(xs[i] + ys[i] > 0 ? 1 : 0);
    return c;
  };
  CHECK(train::plot_decision_boundary(predict, {.nx = 30, .ny = 30}, {{0.5, 0.5, 1}, {-0.5, -0.2, 0}},
                                      tmp.path / "boundary.png", {.warn = &warn}));
  CHECK(is_png(tmp.path / "boundary.png"));
  CHECK(warn.str().empty());

  const auto wrong = [](const std::vector<double>& xs, const std::vector<double>&) {
    return std::vector<std::int64_t>(xs.size() - 1, 0);
  };
  CHECK_THROWS_WITH_AS(train::plot_decision_boundary(wrong, {}, {}, tmp.path / "b.png"),
                       doctest::Contains("plot_decision_boundary"), ValueError);
}
