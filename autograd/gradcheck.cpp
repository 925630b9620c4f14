#include "gradcheck.hpp"

#include <cmath>
#include <ostream>

#include "backward.hpp"
#include "grad_mode.hpp"

namespace tapegrad {

std::string GradcheckReport::message() const {
  if (!problem.empty()) return "gradcheck could not run: " + problem;
  const std::string where = fmt::format("input {} element [{}], output element {}", input, fmt::join(index, ", "),
                                        output_element);
  if (ok)
    return fmt::format("gradcheck passed; worst {}: numerical {:.10g}, analytical {:.10g}, error {:.3g} (allowed {:.3g})",
                       where, numerical, analytical, error, allowed);
  return fmt::format("gradcheck failed at {}: numerical {:.10g}, analytical {:.10g}, error {:.3g} > allowed {:.3g}",
                     where, numerical, analytical, error, allowed);
}

std::ostream& operator<<(std::ostream& os, const GradcheckReport& r) { return os << r.message(); }

namespace {
std::vector<std::int64_t> unravel(std::int64_t flat, const Shape& shape) {
  std::vector<std::int64_t> idx(static_cast<std::size_t>(shape.size()));
  for (std::int64_t d = shape.size() - 1; d >= 0; --d) {
    idx[static_cast<std::size_t>(d)] = shape[d] ? flat % shape[d] : 0;
    if (shape[d]) flat /= shape[d];
  }
  return idx;
}
}  // namespace

GradcheckReport gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs_in, GradcheckOptions o) {
  GradcheckReport report;
  // float64 copies; those that require grad become fresh leaves
  std::vector<Tensor> inputs;
  std::vector<std::size_t> checked;
  for (std::size_t i = 0; i < inputs_in.size(); ++i) {
    const Tensor& t = inputs_in[i];
    if (t.defined() && t.requires_grad()) {
      Tensor c;
      {
        NoGradGuard ng;
        c = t.detach().to(DType::f64).clone();
      }
      c.requires_grad_(true);
      inputs.push_back(c);
      checked.push_back(i);
    } else {
      inputs.push_back(t);
    }
  }
  if (checked.empty()) {
    report.ok = false;
    report.problem = "no input requires grad";
    return report;
  }

  Tensor out;
  try {
    out = fn(inputs);
  } catch (const std::exception& e) {
    report.ok = false;
    report.problem = std::string("fn threw: ") + e.what();
    return report;
  }
  if (out.dtype() != DType::f64) {
    report.ok = false;
    report.problem = fmt::format("fn returned {} for float64 inputs", dtype_name(out.dtype()));
    return report;
  }
  const std::int64_t m = out.numel();
  std::vector<Tensor> leaves;
  for (auto i : checked) leaves.push_back(inputs[i]);

  // analytical Jacobian, one output element (one vector-Jacobian product) at a time:
  // jac[k][j * n_k + e] = d out[j] / d input_k[e]
  std::vector<std::vector<double>> analytic(checked.size());
  for (std::size_t k = 0; k < checked.size(); ++k)
    analytic[k].assign(static_cast<std::size_t>(m * leaves[k].numel()), 0.0);
  if (out.requires_grad()) {
    for (std::int64_t j = 0; j < m; ++j) {
      Tensor go = zeros_like(out);
      go.data<double>()[j] = 1.0;
      std::vector<Tensor> g;
      try {
        g = grad({out}, leaves, {go}, {.retain_graph = true, .allow_unused = true});
      } catch (const std::exception& e) {
        report.ok = false;
        report.problem = std::string("backward threw: ") + e.what();
        return report;
      }
      for (std::size_t k = 0; k < leaves.size(); ++k) {
        if (!g[k].defined()) continue;
        const double* p = g[k].data<double>();
        for (std::int64_t e = 0; e < leaves[k].numel(); ++e) analytic[k][static_cast<std::size_t>(j * leaves[k].numel() + e)] = p[e];
      }
    }
  }

  // numerical Jacobian, one input element at a time; the worst element decides. An element's
  // score is err / allowed (> 1 fails), so a passing report names the element closest to failing.
  double worst_score = -1;
  NoGradGuard no_grad;
  for (std::size_t k = 0; k < leaves.size(); ++k) {
    double* x = leaves[k].data<double>();
    const std::int64_t n = leaves[k].numel();
    for (std::int64_t e = 0; e < n; ++e) {
      const double saved = x[e];
      x[e] = saved + o.eps;
      const std::vector<double> plus = fn(inputs).to_vector();
      x[e] = saved - o.eps;
      const std::vector<double> minus = fn(inputs).to_vector();
      x[e] = saved;
      for (std::int64_t j = 0; j < m; ++j) {
        const double num = (plus[static_cast<std::size_t>(j)] - minus[static_cast<std::size_t>(j)]) / (2 * o.eps);
        const double ana = analytic[k][static_cast<std::size_t>(j * n + e)];
        const double err = std::abs(ana - num);
        const double allowed = o.atol + o.rtol * std::abs(num);
        const double score = std::isnan(err) ? INFINITY : err == 0 ? 0 : allowed == 0 ? INFINITY : err / allowed;
        if (score > worst_score) {
          worst_score = score;
          report.input = checked[k];
          report.index = unravel(e, leaves[k].shape());
          report.output_element = j;
          report.numerical = num;
          report.analytical = ana;
          report.error = err;
          report.allowed = allowed;
        }
      }
    }
  }
  report.ok = worst_score <= 1;
  return report;
}

}  // namespace tapegrad
