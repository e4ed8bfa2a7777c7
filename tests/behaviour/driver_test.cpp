// Behaviour tests as data (DuckDB's .test files; tests/bad/ for errors): every
// folder tests/behaviour/cases/NAME/ is one test, Behaviour.NAME, made of
//
//   topology.yaml, scenario.yaml    what runs (a scenario names its topology, as usual)
//   case.yaml                       the runs and the checks:
//
//     description: primary crash at 60 s; failover by health checks   # what it shows
//     slow: false                     # true: skipped unless INFRASIM_SLOW=1
//     runs:                           # optional; default one run "main" of scenario.yaml
//       rr: {scenario: scenario.yaml}
//       lc: {scenario: scenario.yaml, set: [components.lb.algorithm=least_conn], args: [--max-events, "5000"],
//            env: {NAME: value}}
//     expect:                         # one check per item (tests/behaviour/expression.h), or {check: ..., why: ...}
//       - exit == 0
//       - time(detect) in [73, 78]    # the hand computation in a comment above it
//
// Each run is `infrasim run` in a child process (one SimGrid simulation per
// process); every check is evaluated, and each failure names the case file and
// line, the two sides and the reason given. Expected values are computed by
// hand or from closed forms, never copied from what the engine printed; where
// a value is only bounded, the comment says why.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <yaml-cpp/yaml.h>

#include "tests/behaviour/expression.h"
#include "tests/test_util.h"

namespace sim::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kCases = "tests/behaviour/cases";

struct RunSpec {
  std::string name, scenario;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
};

class BehaviourCase : public ::testing::Test {
 public:
  explicit BehaviourCase(std::string dir) : dir_(std::move(dir)) {}

  void TestBody() override {
    std::string file = dir_ + "/case.yaml";
    YAML::Node root;
    try {
      root = YAML::LoadFile(repo_root() + "/" + file);
    } catch (const YAML::Exception& e) {
      FAIL() << file << ": " << e.what();
    }
    if (root["slow"] && root["slow"].as<bool>() && !std::getenv("INFRASIM_SLOW")) {
      GTEST_SKIP() << file << " is marked slow: set INFRASIM_SLOW=1 to run it";
    }
    std::vector<RunSpec> specs;
    if (root["runs"]) {
      for (auto it = root["runs"].begin(); it != root["runs"].end(); ++it) {
        RunSpec s;
        s.name = it->first.as<std::string>();
        const YAML::Node r = it->second;  // a copy: it-> is a temporary proxy (ASan: stack-use-after-scope)
        s.scenario = r["scenario"] ? r["scenario"].as<std::string>() : "scenario.yaml";
        if (r["set"]) {
          for (const auto& v : r["set"]) {
            s.args.push_back("--set");
            s.args.push_back(v.as<std::string>());
          }
        }
        if (r["args"]) {
          for (const auto& v : r["args"]) s.args.push_back(v.as<std::string>());
        }
        if (r["env"]) {
          for (auto e = r["env"].begin(); e != r["env"].end(); ++e) s.env[e->first.as<std::string>()] = e->second.as<std::string>();
        }
        specs.push_back(s);
      }
    } else {
      specs.push_back({"main", "scenario.yaml", {}, {}});
    }
    ASSERT_FALSE(specs.empty()) << file << ": no runs";
    ASSERT_TRUE(root["expect"] && root["expect"].IsSequence() && root["expect"].size() > 0)
        << file << ": no checks; expected expect: [checks] (a case that cannot fail is no test)";

    CaseRuns runs;
    runs.first = specs.front().name;
    std::string tmp = temp_dir("behaviour");
    for (const RunSpec& s : specs) {
      std::vector<std::string> args = {"run", dir_ + "/" + s.scenario, "--out", tmp + "/" + s.name, "-q"};
      args.insert(args.end(), s.args.begin(), s.args.end());
      for (const auto& [k, v] : s.env) setenv(k.c_str(), v.c_str(), 1);
      RunOutput out = run_infrasim(args);
      for (const auto& [k, v] : s.env) unsetenv(k.c_str());
      CaseRun& r = runs.runs[s.name];
      r.exit_code = out.exit_code;
      r.signal = out.signal;
      r.out = out.out;
      r.err = out.err;
      std::string json = read_file(tmp + "/" + s.name + "/report.json");
      if (!json.empty()) r.report = nlohmann::json::parse(json);
    }
    bool failed = false;
    for (const auto& item : root["expect"]) {
      int line = item.Mark().line + 1;
      if (!(item.IsScalar() || (item.IsMap() && item["check"] && item["check"].IsScalar()))) {
        ADD_FAILURE() << file << ":" << line << ": a check is a line of text or {check: ..., why: ...}; quote a "
                      << "check that holds ': ' (YAML reads it as a mapping)";
        continue;
      }
      std::string check = item.IsMap() ? item["check"].as<std::string>() : item.as<std::string>();
      std::string why = item.IsMap() && item["why"] ? item["why"].as<std::string>() : "";
      CheckResult r = evaluate_check(check, runs);
      EXPECT_TRUE(r.ok) << file << ":" << line << ": check failed: " << check << "\n  " << r.detail
                        << (why.empty() ? "" : "\n  why: " + why);
      failed = failed || !r.ok;
    }
    if (failed) {
      // What each run did, so that a failure can be understood from the test log alone.
      for (const auto& [name, r] : runs.runs) {
        std::string err = r.err.size() > 2000 ? "..." + r.err.substr(r.err.size() - 2000) : r.err;
        std::cerr << "run " << name << ": exit " << r.exit_code << ", signal " << r.signal
                  << (r.report.is_null() ? ", no report" : "") << "\n" << err;
      }
    }
    fs::remove_all(tmp);
  }

 private:
  std::string dir_;
};

std::vector<std::string> case_dirs() {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(fs::path(repo_root()) / kCases, ec)) {
    if (fs::exists(e.path() / "case.yaml")) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// One test per folder, registered at static-initialisation time (DuckDB's RegisterSqllogictests).
[[maybe_unused]] const bool kRegistered = [] {
  for (const std::string& name : case_dirs()) {
    std::string test = name;
    for (char& c : test) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    std::string dir = std::string(kCases) + "/" + name;
    ::testing::RegisterTest("Behaviour", test.c_str(), nullptr, dir.c_str(), __FILE__, __LINE__,
                            [dir]() -> ::testing::Test* { return new BehaviourCase(dir); });
  }
  return true;
}();

// ---- the check language itself ----------------------------------------------------------------------------

CaseRuns sample_runs() {
  CaseRuns runs;
  runs.first = "a";
  CaseRun a;
  a.exit_code = 0;
  a.err = "note: something happened";
  a.report = nlohmann::json::parse(R"({
    "scenario": {"window": 10},
    "summary": {"latency": {"p99": 0.25}, "completed": 100},
    "components": [{"name": "app", "instance_stats": [{"served": 40}, {"served": 41}], "series": {"ready": [1, 2, 3]}}],
    "windows": {"start": [0, 10, 20], "failed": [5, 0, 2], "merged_windows": 1},
    "timeline": [{"time": 74.5, "kind": "detect", "target": "db-0"}, {"time": 104.5, "kind": "promote", "target": "db-1"}],
    "recovery": [{"rto": null}],
    "expectations": [{"metric": "rto", "verdict": "FAIL"}]})");
  CaseRun b = a;
  b.report["summary"]["latency"]["p99"] = 1.0;
  runs.runs["a"] = a;
  runs.runs["b"] = b;
  return runs;
}

TEST(BehaviourChecks, EvaluateAsWritten) {
  CaseRuns r = sample_runs();
  for (const char* ok : {"exit == 0", "time(detect) in [73, 78]", "time(promote) - time(detect) == 30",
                         "/summary/latency/p99 in (0.2, 0.25]", "count(detect, db-0) == 1", "count(restore) == 0",
                         "max(/components/app/instance_stats/*/served) - min(/components/app/instance_stats/*/served) <= 1",
                         "a:/summary/latency/p99 * 3 < b:/summary/latency/p99", "at(/components/app/series/ready, 15) == 2",
                         "window_sum(failed, 10) == 2", "/recovery/0/rto == null", "/expectations/rto/verdict == \"FAIL\"",
                         "stderr has \"something\"", "/summary/completed / 4 == 25", "abs(-2) == 2"}) {
    CheckResult c = evaluate_check(ok, r);
    EXPECT_TRUE(c.ok) << ok << ": " << c.detail;
  }
}

TEST(BehaviourChecks, FailuresSayWhy) {
  CaseRuns r = sample_runs();
  CheckResult out = evaluate_check("time(detect) in [70, 74]", r);
  EXPECT_FALSE(out.ok);
  EXPECT_EQ(out.detail, "74.5 in [70, 74]");
  EXPECT_EQ(evaluate_check("time(restore) < 1", r).detail, "run 'a' has 0 'restore' event(s); expected event #0");
  EXPECT_EQ(evaluate_check("/summary/nope == 1", r).detail, "/summary/nope: no field 'nope'");
  EXPECT_EQ(evaluate_check("tme(detect) == 1", r).detail, "unknown function 'tme'");
  EXPECT_EQ(evaluate_check("c:exit == 0", r).detail, "no run named 'c'");
  EXPECT_EQ(evaluate_check("exit 0", r).detail, "expected a comparison (==, !=, <, <=, >, >=, in, has)");
  EXPECT_FALSE(evaluate_check("/components/app/instance_stats/*/served == 40", r).ok);  // two values, not one
}

}  // namespace
}  // namespace sim::testing
