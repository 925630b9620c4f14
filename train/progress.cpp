// ProgressBar: counting, timing and the two display forms.
#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <limits>

#include "../core/errors.hpp"

namespace tapegrad::train {

bool stdout_is_tty() { return ::isatty(::fileno(stdout)) != 0; }

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<std::int64_t>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02d}:{:02d}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02d}", s / 60, s % 60);
}

ProgressBar::ProgressBar(ProgressOptions options) : options_(std::move(options)) {
  if (options_.total < 1) fail<ValueError>("ProgressBar: total must be at least 1, got {}", options_.total);
  if (options_.lines_per_epoch < 0)
    fail<ValueError>("ProgressBar: lines_per_epoch must be >= 0, got {}", options_.lines_per_epoch);
  if (options_.width < 1) fail<ValueError>("ProgressBar: width must be at least 1, got {}", options_.width);
  if (!options_.clock) {
    options_.clock = [] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    };
  }
  out_ = options_.out != nullptr ? options_.out : &std::cout;
  tty_ = options_.is_tty.value_or(out_ == &std::cout && stdout_is_tty());
  start_ = options_.clock();
}

ProgressBar::~ProgressBar() {
  try {
    if (!finished_) finish();
  } catch (...) {  // never throw from a destructor
  }
}

double ProgressBar::running_loss() const {
  if (step_ == 0) return std::numeric_limits<double>::quiet_NaN();
  // weighted by samples; steps of 0 samples count as one each so the mean stays defined
  return samples_ > 0 ? loss_sum_ / static_cast<double>(samples_) : loss_sum_ / static_cast<double>(step_);
}

double ProgressBar::elapsed() const { return options_.clock() - start_; }

double ProgressBar::samples_per_second() const {
  const double t = elapsed();
  return t > 0 ? static_cast<double>(samples_) / t : 0.0;
}

double ProgressBar::eta() const {
  if (step_ == 0) return std::numeric_limits<double>::quiet_NaN();
  return elapsed() / static_cast<double>(step_) * static_cast<double>(options_.total - step_);
}

std::string ProgressBar::label() const {
  if (options_.epoch <= 0) return "";
  if (options_.epochs <= 0) return fmt::format("epoch {}", options_.epoch);
  return fmt::format("epoch {}/{}", options_.epoch, options_.epochs);
}

std::string ProgressBar::status() const {
  std::string s = label();
  if (!s.empty()) s += "  ";
  return s + fmt::format("step {}/{}  {:.0f} samples/s  ETA {}  loss {:.4f}", step_, options_.total,
                         samples_per_second(), format_duration(eta()), running_loss());
}

std::string ProgressBar::bar_line() const {
  // [=====>     ]: done steps as '=', the head as '>' (none once full)
  const auto w = static_cast<std::int64_t>(options_.width);
  const std::int64_t filled = step_ * w / options_.total;
  std::string bar(static_cast<std::size_t>(w), ' ');
  for (std::int64_t i = 0; i < filled; ++i) bar[static_cast<std::size_t>(i)] = '=';
  if (filled < w && step_ > 0) bar[static_cast<std::size_t>(filled)] = '>';
  std::string s = label();
  if (!s.empty()) s += ' ';
  return s + fmt::format("[{}] {}/{}  {:.0f} samples/s  ETA {}  loss {:.4f}", bar, step_, options_.total,
                         samples_per_second(), format_duration(eta()), running_loss());
}

void ProgressBar::update(std::int64_t samples, double loss) {
  if (finished_) fail<StateError>("ProgressBar::update: the epoch is already finished");
  if (step_ >= options_.total)
    fail<StateError>("ProgressBar::update: step {} is past the total of {}", step_ + 1, options_.total);
  if (samples < 0) fail<ValueError>("ProgressBar::update: samples must be >= 0, got {}", samples);
  ++step_;
  samples_ += samples;
  loss_sum_ += loss * static_cast<double>(samples > 0 ? samples : 1);
  if (tty_) {
    const double now = options_.clock();
    if (now - last_draw_ >= options_.redraw_seconds || step_ == options_.total) {
      *out_ << '\r' << bar_line() << "\x1b[K" << std::flush;  // ESC[K clears what a longer line left
      last_draw_ = now;
    }
  } else {
    print_plain();
  }
}

void ProgressBar::print_plain() {
  // line k (1..L) is due once step >= ceil(k * total / L): evenly spaced, the last at the end
  const std::int64_t lines = std::min<std::int64_t>(options_.lines_per_epoch, options_.total);
  if (lines == 0) return;
  const std::int64_t k = lines_printed_ + 1;
  const std::int64_t due = (k * options_.total + lines - 1) / lines;
  if (k <= lines && step_ >= due) {
    *out_ << status() << '\n' << std::flush;
    ++lines_printed_;
  }
}

void ProgressBar::finish(const std::string& extra) {
  if (finished_) return;
  finished_ = true;
  std::string s = label();
  if (!s.empty()) s += "  ";
  const double t = elapsed();  // "350ms" below a second, else "12.3s"
  const std::string took = t < 1.0 ? fmt::format("{:.0f}ms", t * 1000) : fmt::format("{:.1f}s", t);
  s += fmt::format("{}/{}  {:.0f} samples/s  {}  loss {:.4f}", step_, options_.total, samples_per_second(), took,
                   running_loss());
  if (!extra.empty()) s += "  " + extra;
  if (tty_) *out_ << '\r' << s << "\x1b[K\n" << std::flush;
  else *out_ << s << '\n' << std::flush;
}

}  // namespace tapegrad::train
