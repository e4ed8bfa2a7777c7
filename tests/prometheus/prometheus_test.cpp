// The run's OpenMetrics in Debian's real Prometheus, and alerting rules on simulated incidents.
//
//   infrasim run --openmetrics m.om ──> promtool tsdb create-blocks-from openmetrics ──> prometheus
//        │ report.json                                   (127.0.0.1, free port, by PID) │
//        └──────────── the same totals and peaks ◄── HTTP API query / query_range ───────┘
//
// Skips with a message when the prometheus package is not installed (scripts/setup installs it).
// Bounded: each server start waits at most 60 s; the three tests take about a minute together.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "sim/model/run_result.h"

#include "sim/prometheus/alerts.h"
#include "sim/prometheus/server.h"
#include "tests/test_util.h"

namespace sim {
namespace {

namespace fs = std::filesystem;
constexpr double kStart = 1704067200;  // --start default: 2024-01-01T00:00:00Z

bool have_prometheus() { return !prometheus::promtool_path().empty() && !prometheus::prometheus_path().empty(); }

double single(const prometheus::Server& s, const std::string& q, double t) {
  std::string err;
  auto r = s.query(q, t, &err);
  EXPECT_TRUE(r) << q << ": " << err;
  if (!r || r->empty()) {
    ADD_FAILURE() << q << ": empty result";
    return -1;
  }
  return r->front().second;
}

// `for:` as Prometheus's rule manager applies it (rules/alerting.go), on hand-made query_range results:
// evaluations every 10 s from t = 10 s to t = 120 s.
prometheus::Server::Series series(const char* labels_json, std::vector<double> times) {
  prometheus::Server::Series s;
  s.labels = nlohmann::json::parse(labels_json);
  for (double t : times) s.points.emplace_back(kStart + t, 1.0);
  return s;
}

TEST(AlertFor, PendingFiringResolvedPerLabelSet) {
  const double last = kStart + 120, step = 10;
  // Present 30..70 s with for: 30s -> pending 30, fires 60, resolved at 80 (first evaluation without it).
  auto f = prometheus::apply_for({series(R"({"__name__":"x","job":"a"})", {30, 40, 50, 60, 70})}, 30, kStart, last, step);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].labels, "{job=\"a\"}");
  EXPECT_EQ(f[0].pending_at, 30);
  EXPECT_EQ(f[0].fired_at, 60);
  ASSERT_TRUE(f[0].resolved_at);
  EXPECT_EQ(*f[0].resolved_at, 80);
  // Present for less than for: pending only, dropped (never fired).
  EXPECT_TRUE(prometheus::apply_for({series("{}", {30, 40, 50})}, 30, kStart, last, step).empty());
  // for: 0 fires at the first evaluation; a gap resolves it, and the return is a new alert.
  f = prometheus::apply_for({series("{}", {20, 30, 60, 70})}, 0, kStart, last, step);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].fired_at, 20);
  EXPECT_EQ(*f[0].resolved_at, 40);
  EXPECT_EQ(f[1].fired_at, 60);
  EXPECT_EQ(*f[1].resolved_at, 80);
  // for: 25s with a 10 s step fires at the first evaluation at least 25 s after pending (30 s).
  f = prometheus::apply_for({series("{}", {10, 20, 30, 40, 50})}, 25, kStart, last, step);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].fired_at, 40);
  // Present at the last evaluation: still firing at the end.
  f = prometheus::apply_for({series("{}", {100, 110, 120})}, 10, kStart, last, step);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].fired_at, 110);
  EXPECT_FALSE(f[0].resolved_at);
  // Two label sets are two alerts, ordered by firing time.
  f = prometheus::apply_for({series(R"({"c":"b"})", {50, 60}), series(R"({"c":"a"})", {70, 80})}, 0, kStart, last, step);
  ASSERT_EQ(f.size(), 2u);
  EXPECT_EQ(f[0].labels, "{c=\"b\"}");
  EXPECT_EQ(f[1].labels, "{c=\"a\"}");
}

// Without Prometheus: the option's errors come before anything runs, the text is deterministic, and
// every `# UNIT` is its family name's suffix (promtool refuses the whole file otherwise).
TEST(OpenMetrics, CheckedBeforeRunningDeterministicAndWellFormed) {
  std::string dir = testing::temp_dir("om");
  auto bad = testing::run_infrasim({"run", "scenarios/steady-state.yaml", "--openmetrics", dir + "/m.om", "--start",
                                    "yesterday", "--out", dir + "/r"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--start yesterday: invalid time"), std::string::npos) << bad.err;
  auto two = testing::run_infrasim({"run", "scenarios/steady-state.yaml", "scenarios/rate-limit.yaml", "--openmetrics",
                                    dir + "/m.om", "--out", dir + "/r"});
  EXPECT_EQ(two.exit_code, 2);
  EXPECT_NE(two.err.find("expected one scenario without --runs"), std::string::npos) << two.err;
  EXPECT_FALSE(fs::exists(dir + "/r"));
  std::string texts[2];
  for (int i = 0; i < 2; ++i) {
    auto r = testing::run_infrasim({"run", "scenarios/db-primary-failover.yaml", "-q", "--set", "scenario.duration=6m",
                                    "--out", dir + "/run" + std::to_string(i), "--openmetrics",
                                    dir + "/m" + std::to_string(i) + ".om", "--start", "2024-03-01"});
    ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
    texts[i] = testing::read_file(dir + "/m" + std::to_string(i) + ".om");
  }
  EXPECT_EQ(texts[0], texts[1]);
  std::smatch m;
  std::string rest = texts[0];
  int units = 0;
  while (std::regex_search(rest, m, std::regex(R"(# UNIT (\S+) (\S+)\n)"))) {
    const std::string name = m[1].str(), unit = m[2].str();
    EXPECT_TRUE(name.size() > unit.size() && name.ends_with(unit) && name[name.size() - unit.size() - 1] == '_')
        << name << " has unit " << unit;
    ++units;
    rest = m.suffix();
  }
  EXPECT_GE(units, 4);
  // The latency histogram: per window, cumulative buckets that never decrease with le, +Inf = _count.
  EXPECT_NE(texts[0].find("# TYPE infrasim_request_duration_seconds histogram\n"), std::string::npos);
  std::smatch h;
  ASSERT_TRUE(std::regex_search(texts[0], h, std::regex(R"re(((?:infrasim_request_duration_seconds_bucket\{[^\n]*\n){12}))re"
                                                          R"re(infrasim_request_duration_seconds_count\{[^}]*\} (\d+) )re")));
  std::string block = h[1].str();
  double previous = -1, inf = -1;
  const std::regex bucket(R"re(le="([^"]+)"\} (\d+) )re");
  for (std::sregex_iterator it(block.begin(), block.end(), bucket), e; it != e; ++it) {
    double v = std::stod((*it)[2].str());
    EXPECT_GE(v, previous) << (*it)[0].str();
    previous = v;
    if ((*it)[1].str() == "+Inf") inf = v;
  }
  EXPECT_EQ(inf, std::stod(h[2].str()));
  // 2024-03-01T00:00:00Z is 1709251200: the first window (5 s) ends at 1709251205.
  EXPECT_NE(texts[0].find("infrasim_requests_total{scenario=\"db-primary-failover\"} "), std::string::npos);
  EXPECT_NE(texts[0].find(" 1709251205\n"), std::string::npos);
  EXPECT_TRUE(texts[0].ends_with("# EOF\n"));
  fs::remove_all(dir);
}

TEST(Prometheus, OpenMetricsImportAnswersWhatTheReportSays) {
  if (!have_prometheus()) GTEST_SKIP() << "prometheus/promtool not installed (Debian package prometheus)";
  std::string dir = testing::temp_dir("prom");
  // Seed 000 under a ramp with its own HPA: replicas move, so "peak replicas" says something.
  auto r = testing::run_infrasim({"run", "scenarios/autoscaling/ramp-hpa.yaml", "--out", dir + "/report", "--openmetrics",
                                  dir + "/m.om", "-q", "--set", "scenario.duration=20m"});
  ASSERT_TRUE(r.exit_code == 0 || r.exit_code == 1) << r.err;
  auto report = nlohmann::json::parse(testing::read_file(dir + "/report/report.json"));
  std::string om = testing::read_file(dir + "/m.om");
  ASSERT_TRUE(om.ends_with("# EOF\n"));
  std::string err;
  auto server = prometheus::Server::start(dir + "/m.om", dir + "/tsdb", &err);
  ASSERT_TRUE(server) << err;
  double end = kStart + report["scenario"]["duration"].get<double>();
  EXPECT_EQ(single(*server, "infrasim_requests_total", end), report["summary"]["generated"].get<double>());
  double failed = single(*server, "sum(infrasim_requests_failed_total)", end);
  EXPECT_EQ(failed, report["summary"]["failed"].get<double>());
  for (const auto& c : report["classes"]) {  // per request class (WindowStats::by_class)
    std::string name = c["name"].get<std::string>();
    EXPECT_EQ(single(*server, "infrasim_class_requests_total{class=\"" + name + "\"}", end), c["generated"].get<double>())
        << name;
    EXPECT_EQ(single(*server, "infrasim_class_requests_failed_total{class=\"" + name + "\"}", end),
              c["failed"].get<double>())
        << name;
  }
  // The histogram counts every completion: its _count is the completed counter, +Inf too, and its
  // buckets grow with le.
  double completed = single(*server, "infrasim_requests_completed_total", end);
  EXPECT_EQ(single(*server, "infrasim_request_duration_seconds_count", end), completed);
  EXPECT_EQ(single(*server, "infrasim_request_duration_seconds_bucket{le=\"+Inf\"}", end), completed);
  EXPECT_LE(single(*server, "infrasim_request_duration_seconds_bucket{le=\"0.1\"}", end),
            single(*server, "infrasim_request_duration_seconds_bucket{le=\"0.25\"}", end));
  // Its p99 over the measured part of the run agrees with report.json's (the log histogram's) p99
  // within the bucket that holds it: histogram_quantile interpolates inside Prometheus's buckets.
  double warm = report["scenario"]["warmup"].get<double>();
  std::string range = std::to_string(static_cast<int>(end - kStart - warm)) + "s";
  double hq = single(*server, "histogram_quantile(0.99, increase(infrasim_request_duration_seconds_bucket[" + range + "]))",
                     end);
  double p99 = report["summary"]["latency"]["p99"].get<double>();
  const auto& bounds = model::kLatencyBucketBounds;
  auto upper = std::upper_bound(bounds.begin(), bounds.end(), p99 * (1 - 0.01));
  double lo = upper == bounds.begin() ? 0 : *(upper - 1), hi = upper == bounds.end() ? 1e9 : *upper;
  EXPECT_GE(hq, lo * 0.99) << "p99 " << p99;
  EXPECT_LE(hq, hi * 1.01) << "p99 " << p99;
  int peak = 0;
  for (const auto& a : report["autoscaling"]) {
    if (a["component"] == "app") peak = a["peak_replicas"].get<int>();
  }
  EXPECT_GT(peak, 3) << "the ramp should scale the app out";
  EXPECT_EQ(single(*server, "max_over_time(infrasim_component_replicas{component=\"app\",state=\"desired\"}[1h])", end),
            peak);
  // Every panel query of the shipped Grafana dashboard returns data from this TSDB.
  auto dash = nlohmann::json::parse(testing::read_file(testing::repo_root() + "/dashboards/infrasim.json"));
  int queries = 0;
  for (const auto& panel : dash["panels"]) {
    for (const auto& target : panel["targets"]) {
      std::string q = std::regex_replace(target["expr"].get<std::string>(), std::regex(R"(\$scenario)"),
                                         report["scenario"]["name"].get<std::string>());
      auto res = server->query_range(q, kStart + 60, end, 30, &err);
      ASSERT_TRUE(res) << panel["title"] << ": " << q << ": " << err;
      EXPECT_FALSE(res->empty()) << panel["title"] << ": " << q << " returned no series";
      ++queries;
    }
  }
  EXPECT_GE(queries, 14);
  server.reset();
  fs::remove_all(dir);
}

// The issue's test: an error-ratio rule with for: 1m fires 1 to 2 minutes after seed 000's primary
// crash (writes fail until promotion and DNS) and never in steady state.
TEST(Prometheus, ErrorRatioAlertFiresOneToTwoMinutesAfterThePrimaryCrash) {
  if (!have_prometheus()) GTEST_SKIP() << "prometheus/promtool not installed (Debian package prometheus)";
  std::string dir = testing::temp_dir("alert");
  auto r = testing::run_infrasim({"run", "scenarios/db-primary-failover.yaml", "--out", dir, "-q", "--set",
                                  "scenario.duration=10m", "--set", "scenario.alerts=../tests/prometheus/error-ratio.yml",
                                  "--set", "scenario.expect.alert={name: ErrorRatio, fires_within: 2m}"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("expected alert ErrorRatio fires within 2m of each fault, and at no other time"),
            std::string::npos)
      << r.out;
  auto j = nlohmann::json::parse(testing::read_file(dir + "/report.json"))["alerts"];
  EXPECT_EQ(j["error"], "") << j.dump(2);
  ASSERT_EQ(j["rules"].size(), 1u);
  const auto& firings = j["rules"][0]["firings"];
  ASSERT_EQ(firings.size(), 1u) << j.dump(2);
  double ttd = firings[0]["time_to_detect"].get<double>();
  EXPECT_GE(ttd, 60) << j.dump(2);
  EXPECT_LE(ttd, 120) << j.dump(2);
  EXPECT_DOUBLE_EQ(firings[0]["fired_at"].get<double>() - firings[0]["pending_at"].get<double>(), 60);
  EXPECT_FALSE(firings[0]["resolved_at"].is_null()) << "the failover ends the errors";

  std::string steady = testing::temp_dir("alert-steady");
  auto s = testing::run_infrasim({"run", "scenarios/steady-state.yaml", "--out", steady, "-q", "--set",
                                  "scenario.alerts=../tests/prometheus/error-ratio.yml", "--set",
                                  "scenario.expect.alert={name: ErrorRatio, fires: false}"});
  EXPECT_EQ(s.exit_code, 0) << s.out << s.err;
  auto js = nlohmann::json::parse(testing::read_file(steady + "/report.json"))["alerts"];
  EXPECT_EQ(js["error"], "") << js.dump(2);
  EXPECT_TRUE(js["rules"][0]["firings"].empty()) << js.dump(2);
  fs::remove_all(dir);
  fs::remove_all(steady);
}

TEST(Prometheus, Seed002RulesPassPromtoolAndAMisnamedAlertIsBadInput) {
  if (!have_prometheus()) GTEST_SKIP() << "prometheus/promtool not installed (Debian package prometheus)";
  EXPECT_EQ(prometheus::check_rules(testing::repo_root() + "/topologies/nextleveltraders-scaling/alerts.yml"), "");
  std::string dir = testing::temp_dir("alert-bad");
  testing::write_file(dir + "/s.yaml", "topology: " + testing::repo_root() +
                                           "/topologies/nextleveltraders-scaling.yaml\nduration: 1m\nload: 10/s\n"
                                           "alerts: " + testing::repo_root() +
                                           "/topologies/nextleveltraders-scaling/alerts.yml\n"
                                           "expect:\n  alert: {name: HighErorRate, fires: false}\n");
  auto v = testing::run_infrasim({"validate", dir + "/s.yaml"});
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_NE(v.err.find("s.yaml:6:17: error: unknown alert 'HighErorRate'; did you mean 'HighErrorRate'?"),
            std::string::npos)
      << v.err;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sim
