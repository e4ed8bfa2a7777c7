#include "sim/prometheus/alerts.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>

#include "sim/core/units.h"

namespace sim::prometheus {
namespace {

std::string labels_text(const nlohmann::json& labels) {
  std::string out = "{";
  bool first = true;
  for (auto it = labels.begin(); it != labels.end(); ++it) {  // nlohmann keeps keys sorted
    if (it.key() == "__name__") continue;
    out += fmt::format("{}{}=\"{}\"", first ? "" : ",", it.key(), it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
    first = false;
  }
  return out + "}";
}

// The incident a firing detects: the first whose window (extended by `grace`) holds the firing time.
const Incident* incident_of(double fired, const std::vector<Incident>& incs, double grace) {
  for (const auto& i : incs) {
    if (fired >= i.start && fired <= i.end + grace) return &i;
  }
  return nullptr;
}

std::string fmt_time(double t) { return core::format_duration(std::round(t * 1000) / 1000); }

}  // namespace

std::vector<Firing> apply_for(const std::vector<Server::Series>& result, double hold, double start_unix,
                              double first_step, double last_step, double step) {
  std::vector<Firing> out;
  for (const auto& s : result) {
    std::string labels = labels_text(s.labels);
    std::optional<Firing> cur;
    double prev = -1;
    auto close = [&](double at) {
      if (cur && cur->fired_at) {  // a pending alert that disappears is dropped, as in Prometheus
        cur->resolved_at = at;
        out.push_back(*cur);
      }
      cur.reset();
    };
    for (const auto& [ts, value] : s.points) {
      (void)value;
      double t = ts - start_unix;
      // A gap in the result (steps with no value) resolves the alert at the first missing step.
      if (cur && t - prev > step * 1.5) close(prev + step);
      if (!cur) {
        cur = Firing{labels, t, std::nullopt, std::nullopt};
      }
      if (!cur->fired_at && t - cur->active_at >= hold - 1e-9) cur->fired_at = t;
      prev = t;
    }
    if (cur) {
      if (prev + step <= last_step - start_unix + 1e-9) {
        close(prev + step);
      } else if (cur->fired_at) {
        out.push_back(*cur);  // still firing at the end
      }
    }
  }
  (void)first_step;
  std::sort(out.begin(), out.end(), [](const Firing& a, const Firing& b) {
    return std::tie(*a.fired_at, a.labels) < std::tie(*b.fired_at, b.labels);
  });
  return out;
}

std::optional<std::vector<AlertOutcome>> evaluate_alerts(const Server& server, const scenario::Scenario& s,
                                                         const model::RunResult& r, double start_unix,
                                                         std::string* error) {
  std::vector<AlertOutcome> out;
  // Evaluate at every window's end, as a rule manager with evaluation_interval = the window would.
  double step = r.window;
  double first = start_unix + std::min(r.window, r.duration);
  double last = start_unix + r.duration;
  for (const auto& rule : s.alert_rule_list) {
    auto res = server.query_range(rule.expr, first, last, step, error);
    if (!res) {
      *error = fmt::format("{}:{}: alert {}: {}", rule.pos.file, rule.pos.line, rule.name, *error);
      return std::nullopt;
    }
    out.push_back({rule, apply_for(*res, rule.hold, start_unix, first, last, step)});
  }
  return out;
}

std::vector<Incident> incidents(const model::RunResult& r) {
  std::vector<Incident> out;
  std::map<std::string, std::size_t> open;
  for (const auto& e : r.timeline) {
    if (e.kind == "fault") {
      std::string key = e.fault.empty() ? e.target : e.fault;
      open[key] = out.size();
      out.push_back({key, e.time, r.duration});
    } else if (e.kind == "recover") {
      std::string key = e.fault.empty() ? e.target : e.fault;
      auto it = open.find(key);
      if (it != open.end()) {
        out[it->second].end = e.time;
        open.erase(it);
      }
    }
  }
  return out;
}

std::vector<AlertVerdict> judge_alerts(const scenario::Scenario& s, const std::vector<AlertOutcome>& outcomes,
                                       const std::vector<Incident>& incs) {
  std::vector<AlertVerdict> out;
  for (const auto& e : s.alert_expectations) {
    const AlertOutcome* o = nullptr;
    for (const auto& x : outcomes) {
      if (x.rule.name == e.name) o = &x;
    }
    AlertVerdict v;
    if (!o) {
      v.text = fmt::format("expected {}, actual: no such rule evaluated: FAIL", e.text);
      out.push_back(v);
      continue;
    }
    if (e.never) {
      v.pass = o->firings.empty();
      v.text = fmt::format("expected {}, actual {}: {}", e.text,
                           o->firings.empty() ? std::string("never fired")
                                              : fmt::format("fired at {}", fmt_time(*o->firings.front().fired_at)),
                           v.pass ? "PASS" : "FAIL");
      out.push_back(v);
      continue;
    }
    double within = *e.fires_within;
    std::vector<std::string> parts;
    bool pass = !incs.empty();
    double worst = 0;
    for (const auto& i : incs) {
      std::optional<double> ttd;
      for (const auto& f : o->firings) {
        if (*f.fired_at >= i.start && *f.fired_at <= i.end + within) {
          ttd = *f.fired_at - i.start;
          break;
        }
      }
      if (!ttd || *ttd > within + 1e-9) pass = false;
      if (ttd) worst = std::max(worst, *ttd);
      if (!ttd) parts.push_back(fmt::format("missed {}", i.fault));
    }
    for (const auto& f : o->firings) {
      if (!incident_of(*f.fired_at, incs, within)) {
        pass = false;
        parts.push_back(fmt::format("fired at {} with no fault", fmt_time(*f.fired_at)));
      }
    }
    std::string actual = incs.empty() ? std::string("no fault in the scenario") : fmt::format("{}", fmt_time(worst));
    if (!parts.empty()) actual += fmt::format(" ({})", fmt::join(parts, "; "));
    v.pass = pass;
    v.text = fmt::format("expected {}, actual {}: {}", e.text, actual, pass ? "PASS" : "FAIL");
    out.push_back(v);
  }
  return out;
}

nlohmann::json alerts_json(const std::vector<AlertOutcome>& outcomes, const std::vector<Incident>& incs,
                           const std::vector<AlertVerdict>& verdicts) {
  nlohmann::json j;
  j["evaluated_by"] = "prometheus query_range at the metric window's step; for: applied per label set";
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& o : outcomes) {
    nlohmann::json rj;
    rj["alert"] = o.rule.name;
    rj["expr"] = o.rule.expr;
    rj["for"] = o.rule.hold;
    rj["file"] = fmt::format("{}:{}", o.rule.pos.file, o.rule.pos.line);
    nlohmann::json fs = nlohmann::json::array();
    for (const auto& f : o.firings) {
      nlohmann::json fj;
      fj["labels"] = f.labels;
      fj["pending_at"] = f.active_at;
      fj["fired_at"] = *f.fired_at;
      fj["resolved_at"] = f.resolved_at ? nlohmann::json(*f.resolved_at) : nlohmann::json();
      const Incident* i = incident_of(*f.fired_at, incs, std::max(o.rule.hold, 60.0) + 300);
      fj["fault"] = i ? nlohmann::json(i->fault) : nlohmann::json();
      fj["time_to_detect"] = i ? nlohmann::json(*f.fired_at - i->start) : nlohmann::json();
      fs.push_back(fj);
    }
    rj["firings"] = fs;
    nlohmann::json per_fault = nlohmann::json::array();
    for (const auto& i : incs) {
      nlohmann::json pf;
      pf["fault"] = i.fault;
      pf["at"] = i.start;
      pf["time_to_detect"] = nlohmann::json();
      for (const auto& f : o.firings) {
        if (incident_of(*f.fired_at, incs, std::max(o.rule.hold, 60.0) + 300) == &i) {
          pf["time_to_detect"] = *f.fired_at - i.start;
          break;
        }
      }
      per_fault.push_back(pf);
    }
    rj["faults"] = per_fault;
    rules.push_back(rj);
  }
  j["rules"] = rules;
  nlohmann::json vs = nlohmann::json::array();
  for (const auto& v : verdicts) vs.push_back({{"text", v.text}, {"pass", v.pass}});
  j["expectations"] = vs;
  return j;
}

std::string alerts_console(const std::vector<AlertOutcome>& outcomes, const std::vector<Incident>& incs) {
  std::string out;
  for (const auto& o : outcomes) {
    if (o.firings.empty()) {
      out += fmt::format("  alert {} (for {}): never fired\n", o.rule.name, fmt_time(o.rule.hold));
      continue;
    }
    for (const auto& f : o.firings) {
      const Incident* i = incident_of(*f.fired_at, incs, std::max(o.rule.hold, 60.0) + 300);
      out += fmt::format("  alert {} (for {}) {}: pending {}, fired {}, {}; {}\n", o.rule.name, fmt_time(o.rule.hold),
                         f.labels, fmt_time(f.active_at), fmt_time(*f.fired_at),
                         f.resolved_at ? "resolved " + fmt_time(*f.resolved_at) : std::string("still firing at the end"),
                         i ? fmt::format("{} at {}, detected after {}", i->fault, fmt_time(i->start),
                                         fmt_time(*f.fired_at - i->start))
                           : std::string("no fault"));
    }
  }
  return out;
}

}  // namespace sim::prometheus

#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "sim/report/openmetrics.h"

namespace sim::prometheus {

std::string run_alerts(const scenario::Scenario& s, const model::RunResult& r, const std::string& dir,
                       double start_unix, bool* pass) {
  namespace fs = std::filesystem;
  *pass = true;
  std::string om = (fs::path(dir) / "metrics.om").string();
  std::ofstream(om, std::ios::binary | std::ios::trunc) << report::openmetrics_text(r, start_unix);
  std::string out = fmt::format("  alerts: {} rule(s) from {}, evaluated by Prometheus at every {}\n",
                                s.alert_rule_list.size(), s.alert_rules, core::format_duration(r.window));
  std::string check = check_rules(s.alert_rules);
  std::string error;
  std::unique_ptr<Server> server;
  std::string work = (fs::temp_directory_path() / fmt::format("infrasim-prometheus-{}", getpid())).string();
  if (check.empty()) server = Server::start(om, work, &error);
  auto fail_all = [&](const std::string& why) {
    out += fmt::format("  alerts not evaluated: {}\n", why);
    for (const auto& e : s.alert_expectations) out += fmt::format("  expected {}, actual not evaluated: FAIL\n", e.text);
    if (!s.alert_expectations.empty()) *pass = false;
  };
  if (!check.empty()) {
    std::string one_line = check;
    std::replace(one_line.begin(), one_line.end(), '\n', ' ');
    fail_all("promtool check rules: " + one_line);
  } else if (!server) {
    fail_all(error);
  } else {
    auto outcomes = evaluate_alerts(*server, s, r, start_unix, &error);
    server.reset();
    if (!outcomes) {
      fail_all(error);
    } else {
      auto incs = incidents(r);
      auto verdicts = judge_alerts(s, *outcomes, incs);
      out += alerts_console(*outcomes, incs);
      for (const auto& v : verdicts) {
        out += "  " + v.text + "\n";
        *pass = *pass && v.pass;
      }
      std::ofstream(fs::path(dir) / "alerts.json", std::ios::binary | std::ios::trunc)
          << alerts_json(*outcomes, incs, verdicts).dump(2) << "\n";
      out += fmt::format("  alerts: {}/alerts.json, {}/metrics.om\n", dir, dir);
    }
  }
  std::error_code ec;
  fs::remove_all(work, ec);
  return out;
}

}  // namespace sim::prometheus
