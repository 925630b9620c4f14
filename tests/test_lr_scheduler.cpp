// Learning-rate schedules (lr_scheduler.hpp, one_cycle_lr.hpp, reduce_lr_on_plateau.hpp): the lr
// sequences of torch.optim.lr_scheduler over 40 steps (tests/fixtures/gen_lr_scheduler.py),
// OneCycleLR's momentum, hand-worked values and errors.
#include <doctest/doctest.h>
#include <tapegrad/tapegrad.hpp>

#include <cmath>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "fixtures.hpp"

using namespace tapegrad;
using namespace tapegrad::optim;

namespace {

// two groups, lr 0.1 and 0.05, as make_opt in gen_lr_scheduler.py
struct Setup {
  Tensor a = zeros({2}, {.requires_grad = true}), b = zeros({3}, {.requires_grad = true});
  SGD sgd{{{{a}, {.lr = 0.1, .momentum = 0.9}}, {{b}, {.lr = 0.05, .momentum = 0.9}}}};
  Adam adam{{{{a}, {.lr = 0.1}}, {{b}, {.lr = 0.05}}}};
  RMSprop rmsprop{{{{a}, {.lr = 0.1}}, {{b}, {.lr = 0.05}}}};
  Adagrad adagrad{{{{a}, {.lr = 0.1}}, {{b}, {.lr = 0.05}}}};
  Optimizer& get(const std::string& kind) {
    if (kind == "adam") return adam;
    if (kind == "rmsprop") return rmsprop;
    if (kind == "adagrad") return adagrad;
    return sgd;
  }
};

Tensor as_row(const std::vector<double>& v) { return tensor(v, {.dtype = DType::f64}); }

std::vector<double> momenta(const Optimizer& opt) {
  std::vector<double> m;
  for (std::size_t g = 0; g < opt.num_param_groups(); ++g) m.push_back(opt.momentum(g).value_or(0.0));
  return m;
}

Tensor fixture_row(const Tensor& t, std::int64_t k) {
  const auto v = t.to_vector();
  const auto cols = static_cast<std::size_t>(t.size(1));
  return as_row(
      std::vector<double>(v.begin() + static_cast<std::ptrdiff_t>(k * t.size(1)),
                          v.begin() + static_cast<std::ptrdiff_t>(k * t.size(1)) + static_cast<std::ptrdiff_t>(cols)));
}

double g_worst = 0;

// get_last_lr() (and the momenta) after construction and after each step, against the fixture
void check_sequence(const std::string& name, Optimizer& opt, LRScheduler& sched, bool momentum = false) {
  const auto& fx = fixtures::load("lr_scheduler");
  const Tensor lrs = fx[name + ".lr"];
  const Tensor ms = momentum ? fx[name + ".momentum"] : Tensor();
  for (std::int64_t k = 0; k < lrs.size(0); ++k) {
    if (k > 0) {
      opt.step();
      sched.step();
    }
    const Tensor want = fixture_row(lrs, k);
    const auto got = sched.get_last_lr(), w = want.to_vector();
    for (std::size_t g = 0; g < got.size(); ++g)
      if (w[g] != 0) g_worst = std::max(g_worst, std::abs(got[g] - w[g]) / std::abs(w[g]));
    const std::string m = fixtures::mismatch(as_row(got), want);
    CHECK_MESSAGE(m.empty(), name << " lr after step " << k << ": " << m);
    CHECK(sched.last_epoch() == k);
    if (momentum) {
      const std::string mm = fixtures::mismatch(as_row(momenta(opt)), fixture_row(ms, k));
      CHECK_MESSAGE(mm.empty(), name << " momentum after step " << k << ": " << mm);
    }
  }
}

}  // namespace

TEST_CASE("StepLR, MultiStepLR, ExponentialLR, CosineAnnealingLR and LinearLR match torch over 40 steps") {
  using Make = std::function<std::unique_ptr<LRScheduler>(Optimizer&)>;
  const std::vector<std::pair<std::string, Make>> cases = {
      {"step", [](Optimizer& o) { return std::make_unique<StepLR>(o, 7, 0.5); }},
      {"step_default_gamma", [](Optimizer& o) { return std::make_unique<StepLR>(o, 3); }},
      {"multistep",
       [](Optimizer& o) {
         return std::make_unique<MultiStepLR>(o, std::vector<std::int64_t>{5, 12, 12, 30}, 0.3);
       }},
      {"multistep_unsorted",
       [](Optimizer& o) {
         return std::make_unique<MultiStepLR>(o, std::vector<std::int64_t>{20, 3});
       }},
      {"exponential", [](Optimizer& o) { return std::make_unique<ExponentialLR>(o, 0.9); }},
      {"cosine", [](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 10, 0.001); }},
      {"cosine_long", [](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 40); }},
      {"cosine_odd", [](Optimizer& o) { return std::make_unique<CosineAnnealingLR>(o, 7, 0.01); }},
      {"linear", [](Optimizer& o) { return std::make_unique<LinearLR>(o); }},
      {"linear_custom", [](Optimizer& o) { return std::make_unique<LinearLR>(o, 0.1, 0.8, 12); }},
      {"linear_decay", [](Optimizer& o) { return std::make_unique<LinearLR>(o, 1.0, 0.25, 30); }},
  };
  for (const auto& [name, make] : cases) {
    CAPTURE(name);
    Setup s;
    auto sched = make(s.sgd);
    check_sequence(name, s.sgd, *sched);
  }
}

TEST_CASE("OneCycleLR matches torch's lr and momentum (SGD momentum, Adam beta1, RMSprop) over 40 steps") {
  const std::vector<std::tuple<std::string, std::string, std::function<std::unique_ptr<OneCycleLR>(Optimizer&)>>>
      cases = {
          {"onecycle", "sgd",
           [](Optimizer& o) { return std::make_unique<OneCycleLR>(o, 1.0, OneCycleLROptions{.total_steps = 40}); }},
          {"onecycle_linear", "sgd",
           [](Optimizer& o) {
             return std::make_unique<OneCycleLR>(
                 o, std::vector<double>{1.0, 0.5},
                 OneCycleLROptions{.total_steps = 40, .anneal_strategy = AnnealStrategy::linear});
           }},
          {"onecycle_three_phase", "sgd",
           [](Optimizer& o) {
             return std::make_unique<OneCycleLR>(
                 o, 0.8, OneCycleLROptions{.total_steps = 40, .pct_start = 0.25, .three_phase = true});
           }},
          {"onecycle_epochs", "sgd",
           [](Optimizer& o) {
             return std::make_unique<OneCycleLR>(o, 0.5,
                                                 OneCycleLROptions{.epochs = 4,
                                                                   .steps_per_epoch = 10,
                                                                   .base_momentum = 0.8,
                                                                   .max_momentum = 0.9,
                                                                   .div_factor = 10.0,
                                                                   .final_div_factor = 100.0});
           }},
          {"onecycle_adam", "adam",
           [](Optimizer& o) { return std::make_unique<OneCycleLR>(o, 0.01, OneCycleLROptions{.total_steps = 40}); }},
          {"onecycle_rmsprop", "rmsprop",
           [](Optimizer& o) {
             return std::make_unique<OneCycleLR>(o, 0.01, OneCycleLROptions{.total_steps = 40, .pct_start = 0.5});
           }},
          {"onecycle_no_momentum", "adagrad",
           [](Optimizer& o) {
             return std::make_unique<OneCycleLR>(o, 0.3, OneCycleLROptions{.total_steps = 40, .cycle_momentum = false});
           }},
      };
  for (const auto& [name, kind, make] : cases) {
    CAPTURE(name);
    Setup s;
    Optimizer& opt = s.get(kind);
    auto sched = make(opt);
    check_sequence(name, opt, *sched, true);
    CHECK_THROWS_WITH_AS(sched->step(), doctest::Contains("tried to step 42 times"), ValueError);
  }
}

TEST_CASE("ReduceLROnPlateau matches torch in every mode, with patience, cooldown, min_lr and eps") {
  const auto& fx = fixtures::load("lr_scheduler");
  const auto metrics = fx["plateau.metrics"].to_vector();
  const std::vector<std::pair<std::string, ReduceLROnPlateauOptions>> cases = {
      {"plateau_default", {}},
      {"plateau_min_rel", {.factor = 0.5, .patience = 2, .cooldown = 1}},
      {"plateau_min_abs",
       {.factor = 0.5, .patience = 1, .threshold = 0.01, .threshold_mode = ThresholdMode::abs, .min_lr = {0.01, 0.02}}},
      {"plateau_max_rel", {.mode = PlateauMode::max, .factor = 0.3, .patience = 3}},
      {"plateau_max_abs",
       {.mode = PlateauMode::max,
        .factor = 0.7,
        .patience = 0,
        .threshold_mode = ThresholdMode::abs,
        .cooldown = 2,
        .min_lr = {0.02}}},
      {"plateau_eps", {.factor = 0.5, .patience = 0, .eps = 0.02}},
  };
  for (const auto& [name, options] : cases) {
    CAPTURE(name);
    Setup s;
    ReduceLROnPlateau sched(s.sgd, options);
    const Tensor lrs = fx[name + ".lr"];
    CHECK_CLOSE_T(as_row(sched.get_last_lr()), fixture_row(lrs, 0));
    for (std::size_t k = 0; k < metrics.size(); ++k) {
      s.sgd.step();
      sched.step(metrics[k]);
      const std::string m =
          fixtures::mismatch(as_row(sched.get_last_lr()), fixture_row(lrs, static_cast<std::int64_t>(k) + 1));
      CHECK_MESSAGE(m.empty(), name << " after step " << k + 1 << ": " << m);
    }
  }
  if (std::getenv("TAPEGRAD_REPORT")) std::printf("lr_scheduler: largest relative error vs torch %.3g\n", g_worst);
}

TEST_CASE("schedules worked by hand") {
  Setup s;
  SUBCASE("ExponentialLR is base_lr * gamma^epoch") {
    ExponentialLR sched(s.sgd, 0.5);
    sched.step();
    sched.step();
    CHECK(sched.get_last_lr() == std::vector<double>{0.025, 0.0125});
    CHECK(s.sgd.lr(0) == 0.025);
  }
  SUBCASE("CosineAnnealingLR reaches eta_min at T_max and base_lr at 2 T_max") {
    CosineAnnealingLR sched(s.sgd, 4, 0.02);
    for (int i = 0; i < 4; ++i) sched.step();
    CHECK(sched.get_last_lr()[0] == doctest::Approx(0.02).epsilon(1e-12));
    for (int i = 0; i < 4; ++i) sched.step();
    CHECK(sched.get_last_lr()[0] == doctest::Approx(0.1).epsilon(1e-12));
  }
  SUBCASE("LinearLR warms up from base_lr / 3 to base_lr in 5 steps") {
    LinearLR sched(s.sgd);
    CHECK(sched.get_last_lr()[0] == doctest::Approx(0.1 / 3).epsilon(1e-15));
    for (int i = 0; i < 5; ++i) sched.step();
    CHECK(sched.get_last_lr()[0] == doctest::Approx(0.1).epsilon(1e-15));
    sched.step();
    CHECK(sched.get_last_lr()[0] == doctest::Approx(0.1).epsilon(1e-15));
  }
  SUBCASE("a schedule multiplies an lr changed from outside, as PyTorch's chainable form") {
    StepLR sched(s.sgd, 2, 0.1);
    s.sgd.set_lr(0, 1.0);
    sched.step();
    sched.step();  // epoch 2: 1.0 * 0.1
    CHECK(sched.get_last_lr()[0] == doctest::Approx(0.1).epsilon(1e-15));
    CHECK(sched.base_lrs()[0] == 0.1);
  }
}

TEST_CASE("schedules reject invalid arguments") {
  Setup s;
  CHECK_THROWS_WITH_AS(StepLR(s.sgd, 0), doctest::Contains("StepLR: step_size"), ValueError);
  CHECK_THROWS_WITH_AS(CosineAnnealingLR(s.sgd, 0), doctest::Contains("CosineAnnealingLR: T_max"), ValueError);
  CHECK_THROWS_WITH_AS(LinearLR(s.sgd, 1.5), doctest::Contains("LinearLR: start_factor"), ValueError);
  CHECK_THROWS_WITH_AS(LinearLR(s.sgd, 0.0), doctest::Contains("LinearLR: start_factor"), ValueError);
  CHECK_THROWS_WITH_AS(LinearLR(s.sgd, 0.5, 1.5), doctest::Contains("LinearLR: end_factor"), ValueError);
  CHECK_THROWS_WITH_AS(OneCycleLR(s.sgd, 1.0, {}), doctest::Contains("total_steps OR (epochs AND steps_per_epoch)"),
                       ValueError);
  CHECK_THROWS_WITH_AS(OneCycleLR(s.sgd, 1.0, {.epochs = 3}), doctest::Contains("steps_per_epoch"), ValueError);
  CHECK_THROWS_WITH_AS(OneCycleLR(s.sgd, 1.0, {.total_steps = 10, .pct_start = 1.5}), doctest::Contains("pct_start"),
                       ValueError);
  CHECK_THROWS_WITH_AS(OneCycleLR(s.sgd, std::vector<double>{1.0}, {.total_steps = 10}),
                       doctest::Contains("expected 2 values for max_lr"), ValueError);
  CHECK_THROWS_WITH_AS(OneCycleLR(s.adagrad, 1.0, {.total_steps = 10}),
                       doctest::Contains("Adagrad) must support momentum"), ValueError);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(s.sgd, {.factor = 1.0}), doctest::Contains("factor should be < 1.0"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(s.sgd, {.min_lr = {0.1, 0.2, 0.3}}), doctest::Contains("expected 2 min_lrs"),
                       ValueError);
  CHECK_THROWS_WITH_AS(ReduceLROnPlateau(s.sgd, {.patience = -1}), doctest::Contains("patience"), ValueError);
}
