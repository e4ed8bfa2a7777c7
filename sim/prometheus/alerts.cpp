#include "sim/prometheus/alerts.h"

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <unistd.h>

#include "sim/report/openmetrics.h"

namespace sim::prometheus {
namespace {

std::string labels_text(const nlohmann::json& labels) {
  std::string out = "{";
  bool first = true;
  for (auto it = labels.begin(); it != labels.end(); ++it) {  // nlohmann keeps keys sorted
    if (it.key() == "__name__") continue;
    out += fmt::format("{}{}=\"{}\"", first ? "" : ",", it.key(),
                       it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
    first = false;
  }
  return out + "}";
}

}  // namespace

std::vector<check::AlertFiring> apply_for(const std::vector<Server::Series>& result, double hold, double start_unix,
                                          double last_step, double step) {
  std::vector<check::AlertFiring> out;
  for (const auto& s : result) {
    const std::string labels = labels_text(s.labels);
    // The current alert of this label set (relative times); plain values, as GCC 12 warns on optionals here.
    bool active = false, fired = false;
    double active_at = 0, fired_at = 0, prev = 0;
    auto close = [&](double at) {  // the label set left the result at `at`
      if (fired) out.push_back({labels, active_at, fired_at, at});  // a pending alert is dropped
      active = fired = false;
    };
    for (const auto& point : s.points) {
      const double t = point.first - start_unix;
      // A gap (evaluations without the label set) resolved it at the first evaluation missing.
      if (active && t - prev > step * 1.5) close(prev + step);
      if (!active) {
        active = true;
        active_at = t;
      }
      if (!fired && t - active_at >= hold - 1e-9) {
        fired = true;
        fired_at = t;
      }
      prev = t;
    }
    if (!active) continue;
    if (prev + step <= last_step - start_unix + 1e-9) {
      close(prev + step);  // gone before the last evaluation
    } else if (fired) {
      out.push_back({labels, active_at, fired_at, std::nullopt});  // still firing at the end
    }
  }
  std::sort(out.begin(), out.end(), [](const check::AlertFiring& a, const check::AlertFiring& b) {
    return std::tie(a.fired_at, a.labels) < std::tie(b.fired_at, b.labels);
  });
  return out;
}

check::AlertEvaluation evaluate_alerts(const scenario::Scenario& s, const model::RunResult& r, double start_unix) {
  namespace fs = std::filesystem;
  check::AlertEvaluation out;
  out.rules_file = s.alert_rules;
  out.step = r.window;
  if (std::string why = check_rules(s.alert_rules); !why.empty()) {
    std::replace(why.begin(), why.end(), '\n', ' ');
    while (!why.empty() && why.back() == ' ') why.pop_back();
    out.error = "promtool check rules: " + why;
    return out;
  }
  std::error_code ec;
  const fs::path work = fs::temp_directory_path() / fmt::format("infrasim-alerts-{}", getpid());
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  const std::string om = (work / "run.om").string();
  {
    std::ofstream f(om, std::ios::binary | std::ios::trunc);
    f << report::openmetrics_text(r, start_unix);
    if (!f) out.error = "cannot write " + om;
  }
  if (out.error.empty()) {
    std::string error;
    if (auto server = Server::start(om, work.string(), &error)) {
      // An evaluation at every window's end.
      const double first = start_unix + std::min(r.window, r.duration);
      const double last = start_unix + r.duration;
      for (const auto& rule : s.alert_rule_list) {
        auto res = server->query_range(rule.expr, first, last, r.window, &error);
        if (!res) {
          out.error = fmt::format("{}:{}: alert {}: {}", rule.pos.file, rule.pos.line, rule.name, error);
          out.rules.clear();
          break;
        }
        out.rules.push_back({rule, apply_for(*res, rule.hold, start_unix, last, r.window)});
      }
    } else {
      out.error = error;
    }
  }
  fs::remove_all(work, ec);
  return out;
}

}  // namespace sim::prometheus
