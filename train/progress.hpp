#pragma once
// ProgressBar: what a training loop prints while an epoch runs.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>

namespace tapegrad::train {

/// Options of a ProgressBar. Everything has a default except `total`:
/// `train::ProgressBar bar({.total = loader.size(), .epoch = e, .epochs = n});`.
struct ProgressOptions {
  std::int64_t total = 0;           ///< steps in the epoch (>= 1)
  std::int64_t epoch = 0;           ///< 1-based epoch shown as "epoch 3/10"; 0 leaves the label out
  std::int64_t epochs = 0;          ///< number of epochs (0: shown as "epoch 3")
  std::ostream* out = nullptr;      ///< where to print; nullptr means std::cout
  std::optional<bool> is_tty{};     ///< redraw a bar with '\r'? unset: isatty(stdout) when
                                    ///< out is std::cout, else false
  int lines_per_epoch = 4;          ///< without a TTY: lines per epoch (evenly spaced steps);
                                    ///< 0 prints only finish()'s summary
  double redraw_seconds = 0.1;      ///< on a TTY: at most one redraw per this many seconds
  int width = 30;                   ///< characters inside the bar's brackets
  std::function<double()> clock{};  ///< seconds from any origin; unset: std::chrono::steady_clock
};

/// A progress display for one epoch: step/total, samples per second, the estimated time left
/// (ETA) and the running loss (the mean of the losses reported so far in this epoch, weighted
/// by each step's number of samples, so at the end it is the epoch's mean loss).
///
/// On a terminal it redraws one line with '\r':
///   `epoch 3/10 [=========>            ] 50/200  1234 samples/s  ETA 0:12  loss 0.4321`
/// Elsewhere (CI logs, pipes, files) it prints plain lines at lines_per_epoch evenly spaced
/// steps, the last at the final step:
///   `epoch 3/10  step 50/200  1234 samples/s  ETA 0:12  loss 0.4321`
/// finish() ends the epoch with a summary line (elapsed time, "350ms" or "12.3s", instead of the ETA, plus any
/// extra text such as a test accuracy):
///   `epoch 3/10  200/200  1234 samples/s  12.3s  loss 0.4321  test acc 0.9512`
class ProgressBar {
 public:
  /// Starts the epoch's clock. Throws ValueError for total < 1, lines_per_epoch < 0 or
  /// width < 1.
  explicit ProgressBar(ProgressOptions options);
  /// Records one finished step of `samples` samples with its mean loss, and prints if due.
  /// Throws StateError past the last step, ValueError for samples < 0.
  void update(std::int64_t samples, double loss);
  /// Prints the summary line (on a TTY, it replaces the bar) followed by a newline. Called
  /// at most once; the destructor calls it if you did not.
  void finish(const std::string& extra = "");
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  std::int64_t step() const { return step_; }
  std::int64_t samples() const { return samples_; }
  /// Mean loss over the samples so far (NaN before the first step).
  double running_loss() const;
  /// Seconds since the bar was made.
  double elapsed() const;
  /// Samples per second so far (0 before any time has passed).
  double samples_per_second() const;
  /// Estimated seconds until the last step, from the mean time per step so far.
  double eta() const;
  /// The status as it would be printed now (the plain form, without '\r').
  std::string status() const;

 private:
  std::string label() const;
  std::string bar_line() const;
  void print_plain();
  ProgressOptions options_;
  std::ostream* out_;
  bool tty_;
  double start_ = 0, last_draw_ = -1e300;
  std::int64_t step_ = 0, samples_ = 0;
  double loss_sum_ = 0;
  int lines_printed_ = 0;
  bool finished_ = false;
};

/// True when stdout is a terminal (isatty(fileno(stdout))).
bool stdout_is_tty();
/// "0:07", "12:34" or "1:02:03": seconds as [h:]mm:ss (minutes without a leading zero below an hour).
std::string format_duration(double seconds);

}  // namespace tapegrad::train
