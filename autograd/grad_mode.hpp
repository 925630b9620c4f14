#pragma once
// Whether ops record themselves on the tape. Thread-local, like torch.is_grad_enabled().

namespace tapegrad {

/// Global (per-thread) switch for recording.
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

/// RAII: turns recording off for its scope, like `with torch.no_grad():`.
class NoGradGuard {
 public:
  NoGradGuard() : prev_(GradMode::is_enabled()) { GradMode::set_enabled(false); }
  ~NoGradGuard() { GradMode::set_enabled(prev_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool prev_;
};

/// RAII: turns recording on for its scope, like `with torch.enable_grad():`.
class EnableGradGuard {
 public:
  EnableGradGuard() : prev_(GradMode::is_enabled()) { GradMode::set_enabled(true); }
  ~EnableGradGuard() { GradMode::set_enabled(prev_); }
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool prev_;
};

}  // namespace tapegrad
