// Initial values in written order. A layer's constructor draws through draw_initial_values(),
// which notes the default generator's state before and after; Sequential's constructor uses
// those notes to redraw, in written order, layers the compiler constructed in another order.
#include <algorithm>
#include <atomic>

#include "sequential.hpp"

namespace tapegrad::nn {
namespace {
std::atomic<std::uint64_t> g_init_order{0};
}  // namespace

void Module::reset_parameters() {
  for (const auto& [name, child] : children_) child->reset_parameters();
}

void Module::draw_initial_values() {
  InitDraw d;
  d.order = g_init_order.fetch_add(1);
  d.before = default_generator().state();
  reset_parameters();
  d.after = default_generator().state();
  init_draw_ = std::make_shared<const InitDraw>(d);
}

void Sequential::draw_in_written_order(const std::vector<bool>& fresh) {
  // per fresh layer, its modules that drew, in its own registration order
  std::vector<std::vector<Module*>> drawers;
  std::vector<const InitDraw*> draws;
  for (std::size_t i = 0; i < layers_.size() && i < fresh.size(); ++i) {
    if (!fresh[i]) continue;
    std::vector<Module*> mine;
    for (Module* m : layers_[i]->modules())  // pre-order: registration order
      if (m->init_draw_) {
        mine.push_back(m);
        draws.push_back(m->init_draw_.get());
      }
    if (!mine.empty()) drawers.push_back(std::move(mine));
  }
  if (drawers.size() < 2) return;
  // already in written order?
  bool in_order = true;
  for (std::size_t i = 0; i + 1 < drawers.size(); ++i)
    in_order = in_order && drawers[i].back()->init_draw_->order < drawers[i + 1].front()->init_draw_->order;
  if (in_order) return;
  // the draws must be one unbroken stretch of the generator, with nothing drawn since: then
  // drawing them again in another order uses exactly the same numbers and ends in the same state
  std::sort(draws.begin(), draws.end(), [](const InitDraw* a, const InitDraw* b) { return a->order < b->order; });
  for (std::size_t i = 0; i + 1 < draws.size(); ++i)
    if (!(draws[i]->after == draws[i + 1]->before)) return;
  if (!(draws.back()->after == default_generator().state())) return;
  default_generator().set_state(draws.front()->before);
  for (const auto& layer : drawers)
    for (Module* m : layer) m->draw_initial_values();
}

}  // namespace tapegrad::nn
