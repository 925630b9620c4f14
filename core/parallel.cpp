// A fixed pool of worker threads. A call publishes its task by bumping a generation counter;
// each worker spins on that counter for a while after its last task (so back-to-back calls, as
// in a training step, find it running on its own core) and then sleeps on a condition
// variable.
//
// Where the kernel reports no shared cache between CPUs (as on this project's VMs), Linux wakes
// a thread on the waker's CPU rather than on an idle one, and a worker then shares the caller's
// core until the load balancer moves it, tens of milliseconds later: two threads ran slower than
// one. So a worker that finds itself on the caller's CPU moves itself off it before it starts.
#include "parallel.hpp"

#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace tapegrad::detail {
namespace {

// How long an idle worker spins before it sleeps.
constexpr auto kSpin = std::chrono::milliseconds(1);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#else
  std::this_thread::yield();
#endif
}

// Moves the calling thread to another CPU of its affinity mask than `cpu`, then allows all of
// the mask again (which does not move it back).
void move_off(int cpu) {
  cpu_set_t all, others;
  if (sched_getaffinity(0, sizeof(all), &all) != 0 || CPU_COUNT(&all) < 2) return;
  others = all;
  CPU_CLR(cpu, &others);
  if (sched_setaffinity(0, sizeof(others), &others) == 0) sched_setaffinity(0, sizeof(all), &all);
}

class Pool {
 public:
  ~Pool() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
  }

  // Runs n tasks; the caller holds busy_.
  void run(int n, void (*task)(void*, int), void* ctx) {
    while (static_cast<int>(workers_.size()) < n - 1) {
      const int id = static_cast<int>(workers_.size()) + 1;
      workers_.emplace_back([this, id] { work(id); });
    }
    parked_.store(false, std::memory_order_relaxed);
    task_ = task;
    ctx_ = ctx;
    tasks_ = n;
    caller_cpu_ = sched_getcpu();
    pending_.store(n - 1, std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lock(mu_);
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    task(ctx, 0);
    while (pending_.load(std::memory_order_acquire) != 0) cpu_relax();
  }

  std::mutex busy_;                  // one run at a time
  std::atomic<bool> parked_{false};  // spinning workers: sleep now

 private:
  // Worker `id` runs task id of every generation that has one.
  void work(int id) {
    unsigned long seen = 0;
    for (;;) {
      wait_for_generation(seen);
      if (stop_) return;
      seen = generation_.load(std::memory_order_acquire);
      if (id < tasks_) {
        if (caller_cpu_ >= 0 && sched_getcpu() == caller_cpu_) move_off(caller_cpu_);
        task_(ctx_, id);
        pending_.fetch_sub(1, std::memory_order_release);
      }
    }
  }

  // Returns once the generation differs from `seen` or the pool stops.
  void wait_for_generation(unsigned long seen) {
    const auto deadline = std::chrono::steady_clock::now() + kSpin;
    for (int i = 1;; ++i) {
      if (generation_.load(std::memory_order_acquire) != seen) return;
      if (parked_.load(std::memory_order_relaxed)) break;
      cpu_relax();
      if (i % 256 == 0 && std::chrono::steady_clock::now() > deadline) break;
    }
    std::unique_lock<std::mutex> lock(mu_);
    wake_.wait(lock, [&] { return stop_ || generation_.load(std::memory_order_acquire) != seen; });
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<std::thread> workers_;
  std::atomic<unsigned long> generation_{0};
  std::atomic<int> pending_{0};
  // written by the caller before generation_ is bumped
  void (*task_)(void*, int) = nullptr;
  void* ctx_ = nullptr;
  int tasks_ = 0;
  int caller_cpu_ = -1;            // the CPU the caller was on when it published the task
  std::atomic<bool> stop_{false};  // set under mu_
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void park_workers() { pool().parked_.store(true, std::memory_order_relaxed); }

void parallel_tasks(int n, void (*task)(void*, int), void* ctx) {
  if (n <= 1) {
    if (n == 1) task(ctx, 0);
    return;
  }
  Pool& p = pool();
  std::unique_lock<std::mutex> busy(p.busy_, std::try_to_lock);
  if (!busy.owns_lock()) {
    for (int i = 0; i < n; ++i) task(ctx, i);
    return;
  }
  p.run(n, task, ctx);
}

}  // namespace tapegrad::detail
