#include "sim/report/openmetrics.h"

#include <array>
#include <cmath>
#include <ctime>
#include <fmt/format.h>
#include <functional>
#include <memory>
#include <tuple>

#include "sim/core/calendar.h"
#include "sim/core/units.h"

namespace sim::report {
namespace {

// Label values escape \, " and newline (OpenMetrics ABNF).
std::string esc(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// Shortest exact-enough text for a value: integers as integers, others with 9 significant digits.
std::string num(double v) {
  if (!std::isfinite(v)) return v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN";
  if (std::fabs(v) < 1e15 && v == std::floor(v)) return fmt::format("{:.0f}", v);
  return fmt::format("{:.9g}", v);
}

class Writer {
 public:
  Writer(const model::RunResult& r, double start) : r_(r), start_(start) {}

  // REQUIRES: `name` ends with "_" + unit when a unit is given (OpenMetrics).
  void family(const std::string& name, const char* type, const char* help, const char* unit = nullptr) {
    out_ += fmt::format("# TYPE {} {}\n", name, type);
    if (unit) out_ += fmt::format("# UNIT {} {}\n", name, unit);
    out_ += fmt::format("# HELP {} {}\n", name, help);
  }

  // One series: a sample per window, at the window's end.
  void series(const std::string& sample, const std::string& labels,
              const std::function<std::optional<double>(std::size_t)>& value) {
    for (std::size_t i = 0; i < r_.windows.size(); ++i) {
      auto v = value(i);
      if (!v) continue;
      double end = std::min(r_.windows[i].start + r_.window, r_.duration);
      out_ += fmt::format("{}{{{}}} {} {}\n", sample, labels, num(*v), num(std::round((start_ + end) * 1000) / 1000));
    }
  }

  // A histogram (OpenMetrics: each MetricPoint is all of its samples at one timestamp): per window,
  // the cumulative buckets, +Inf, _count and _sum. Counts are cumulative over the run, as a client
  // library's histogram exports them.
  void histogram(const std::string& name, const std::string& labels) {
    std::array<double, model::kLatencyBucketBounds.size()> le{};
    double count = 0, sum = 0;
    for (std::size_t i = 0; i < r_.windows.size(); ++i) {
      const model::WindowStats& win = r_.windows[i];
      for (std::size_t b = 0; b < le.size(); ++b) le[b] += static_cast<double>(win.latency_at_most[b]);
      count += static_cast<double>(win.latency.count);
      sum += win.latency_sum;
      double end = std::min(win.start + r_.window, r_.duration);
      std::string ts = num(std::round((start_ + end) * 1000) / 1000);
      for (std::size_t b = 0; b < le.size(); ++b) {
        out_ += fmt::format("{}_bucket{{{},le=\"{}\"}} {} {}\n", name, labels, num(model::kLatencyBucketBounds[b]),
                            num(le[b]), ts);
      }
      out_ += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {} {}\n", name, labels, num(count), ts);
      out_ += fmt::format("{}_count{{{}}} {} {}\n", name, labels, num(count), ts);
      out_ += fmt::format("{}_sum{{{}}} {} {}\n", name, labels, num(sum), ts);
    }
  }

  std::string done() { return out_ + "# EOF\n"; }

 private:
  const model::RunResult& r_;
  double start_;
  std::string out_;
};

}  // namespace

std::string openmetrics_text(const model::RunResult& r, double start_unix) {
  Writer w(r, start_unix);
  std::string scen = fmt::format("scenario=\"{}\"", esc(r.scenario));
  auto cumulative = [&](auto field) {
    auto sums = std::make_shared<std::vector<double>>();
    double s = 0;
    for (const auto& win : r.windows) {
      s += static_cast<double>(field(win));
      sums->push_back(s);
    }
    return [sums](std::size_t i) -> std::optional<double> { return (*sums)[i]; };
  };
  w.family("infrasim_requests", "counter", "Requests generated (arrivals), cumulative.");
  w.series("infrasim_requests_total", scen, cumulative([](const model::WindowStats& x) { return x.arrivals; }));
  w.family("infrasim_requests_completed", "counter", "Requests completed successfully, cumulative.");
  w.series("infrasim_requests_completed_total", scen,
           cumulative([](const model::WindowStats& x) { return x.completed; }));
  w.family("infrasim_requests_failed", "counter", "Requests failed, cumulative, by failure reason.");
  for (int k = 0; k < model::kReasonCount; ++k) {
    auto idx = static_cast<std::size_t>(k);
    w.series("infrasim_requests_failed_total",
             fmt::format("{},reason=\"{}\"", scen, model::reason_name(static_cast<model::FailReason>(k))),
             cumulative([idx](const model::WindowStats& x) { return x.failures[idx]; }));
  }
  // Per request class (WindowStats::by_class, in the order of RunResult::classes).
  if (!r.classes.empty()) {
    using Field = std::uint64_t model::ClassCounts::*;
    static const std::tuple<const char*, const char*, Field> kClassFamilies[] = {
        {"infrasim_class_requests", "Requests of the class generated, cumulative.", &model::ClassCounts::arrivals},
        {"infrasim_class_requests_completed", "Requests of the class completed, cumulative.",
         &model::ClassCounts::completed},
        {"infrasim_class_requests_failed", "Requests of the class failed, cumulative.", &model::ClassCounts::failed}};
    for (const auto& [family, help, field] : kClassFamilies) {
      w.family(family, "counter", help);
      for (std::size_t k = 0; k < r.classes.size(); ++k) {
        w.series(std::string(family) + "_total", fmt::format("{},class=\"{}\"", scen, esc(r.classes[k].name)),
                 cumulative([k, f = field](const model::WindowStats& x) {
                   return k < x.by_class.size() ? x.by_class[k].*f : std::uint64_t{0};
                 }));
      }
    }
  }
  w.family("infrasim_request_latency_seconds", "gauge",
           "Latency of the requests completed in the window, by quantile (1 = the maximum).", "seconds");
  static const std::pair<const char*, double model::LatencyStats::*> kQuantiles[] = {
      {"0.5", &model::LatencyStats::p50},   {"0.9", &model::LatencyStats::p90}, {"0.99", &model::LatencyStats::p99},
      {"0.999", &model::LatencyStats::p999}, {"1", &model::LatencyStats::max}};
  for (const auto& [q, field] : kQuantiles) {
    w.series("infrasim_request_latency_seconds", fmt::format("{},quantile=\"{}\"", scen, q),
             [&, f = field](std::size_t i) -> std::optional<double> {
               if (r.windows[i].latency.count == 0) return std::nullopt;  // no completion: no latency
               return r.windows[i].latency.*f;
             });
  }
  w.family("infrasim_request_duration_seconds", "histogram",
           "Latency of the completed requests, cumulative, in Prometheus's default buckets.", "seconds");
  w.histogram("infrasim_request_duration_seconds", scen);
  w.family("infrasim_request_latency_mean_seconds", "gauge", "Mean latency of the window's completions.", "seconds");
  w.series("infrasim_request_latency_mean_seconds", scen, [&](std::size_t i) -> std::optional<double> {
    if (r.windows[i].latency.count == 0) return std::nullopt;
    return r.windows[i].latency.mean;
  });

  auto per_component = [&](const std::string& name, const char* type, const char* help, const char* unit,
                           const std::function<bool(const model::ComponentStats&)>& applies,
                           const std::function<double(const model::ComponentPoint&)>& value,
                           const std::string& extra_label = "") {
    bool any = false;
    for (const auto& c : r.components) any = any || applies(c);
    if (!any) return;
    w.family(name, type, help, unit);
    for (const auto& c : r.components) {
      if (!applies(c)) continue;
      std::string labels = fmt::format("{},component=\"{}\",kind=\"{}\"{}", scen, esc(c.name), esc(c.kind), extra_label);
      w.series(name, labels, [&](std::size_t i) -> std::optional<double> {
        if (i >= c.series.size()) return std::nullopt;
        return value(c.series[i]);
      });
    }
  };
  auto hosts = [](const model::ComponentStats& c) { return c.kind != "cdn"; };
  // No UNIT: OpenMetrics requires the unit to be the name's suffix (promtool refuses the file otherwise).
  per_component("infrasim_component_utilization", "gauge", "CPU busy fraction of the component's instances that were up.",
                nullptr, hosts, [](const model::ComponentPoint& p) { return p.utilization; });
  per_component("infrasim_component_queue_length", "gauge", "Requests waiting, time-averaged, summed over instances.",
                nullptr, hosts, [](const model::ComponentPoint& p) { return p.queue_mean; });
  per_component("infrasim_component_in_service", "gauge", "Requests in service, time-averaged, summed over instances.",
                nullptr, hosts, [](const model::ComponentPoint& p) { return p.in_service; });
  {  // A counter: requests turned away by a full queue (queue_limit), cumulative.
    bool any = false;
    for (const auto& c : r.components) any = any || hosts(c);
    if (any) {
      w.family("infrasim_component_queue_full", "counter", "Requests turned away by a full queue, cumulative.");
      for (const auto& c : r.components) {
        if (!hosts(c)) continue;
        auto sums = std::make_shared<std::vector<double>>();
        double sum = 0;
        for (const auto& p : c.series) sums->push_back(sum += static_cast<double>(p.queue_full));
        w.series("infrasim_component_queue_full_total",
                 fmt::format("{},component=\"{}\",kind=\"{}\"", scen, esc(c.name), esc(c.kind)),
                 [sums](std::size_t i) -> std::optional<double> {
                   if (i >= sums->size()) return std::nullopt;
                   return (*sums)[i];
                 });
      }
    }
  }
  per_component("infrasim_component_queue_wait_seconds", "gauge", "Mean wait in queue of the jobs that left it.",
                "seconds", hosts, [](const model::ComponentPoint& p) { return p.wait_mean; });
  // Two label sets in one family: ready, then desired.
  {
    bool any = false;
    for (const auto& c : r.components) any = any || hosts(c);
    if (any) {
      w.family("infrasim_component_replicas", "gauge", "Instances ready at the window's end, and wanted.");
      for (const char* state : {"ready", "desired"}) {
        for (const auto& c : r.components) {
          if (!hosts(c)) continue;
          bool ready = std::string(state) == "ready";
          w.series("infrasim_component_replicas",
                   fmt::format("{},component=\"{}\",kind=\"{}\",state=\"{}\"", scen, esc(c.name), esc(c.kind), state),
                   [&c, ready](std::size_t i) -> std::optional<double> {
                     if (i >= c.series.size()) return std::nullopt;
                     return ready ? c.series[i].ready : c.series[i].desired;
                   });
        }
      }
    }
  }
  per_component("infrasim_cache_hit_ratio", "gauge", "Cache hit ratio in the window.", "ratio",
                [](const model::ComponentStats& c) { return c.kind == "cache"; },
                [](const model::ComponentPoint& p) { return p.extra; });
  per_component("infrasim_database_replication_lag_seconds", "gauge", "Largest replication lag in the window.", "seconds",
                [](const model::ComponentStats& c) { return c.kind == "database"; },
                [](const model::ComponentPoint& p) { return p.extra; });
  per_component("infrasim_queue_depth", "gauge", "Messages waiting in the queue.", nullptr,
                [](const model::ComponentStats& c) { return c.kind == "queue"; },
                [](const model::ComponentPoint& p) { return p.extra; });
  return w.done();
}

std::optional<double> parse_start_time(const std::string& text) {
  if (text.empty() || text.size() > 40) return std::nullopt;
  if (auto v = core::parse_number(text)) {
    if (*v < 0 || *v > 4e9) return std::nullopt;
    return *v;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  char tail[8] = {0};
  int n = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%7s", &y, &mo, &d, &h, &mi, &s, tail);
  bool date_only = false;
  if (n < 6) {
    if (std::sscanf(text.c_str(), "%4d-%2d-%2d%7s", &y, &mo, &d, tail) != 3) return std::nullopt;
    date_only = true;
  } else if (n == 7 && std::string(tail) != "Z") {
    return std::nullopt;
  }
  if (date_only && text.size() != 10) return std::nullopt;
  if (y < 1970 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  const double days = static_cast<double>(core::days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)));
  return days * 86400 + h * 3600 + mi * 60 + s;
}

}  // namespace sim::report
