// `infrasim autoscale STATE.yaml` and its state-file loader.
//
//   tests/autoscale/*.yaml --> infrasim autoscale (child process) --> stdout
//                                                                    must hold every "# expect: " line
//
// A new state file under tests/autoscale/ is a new case: its "# expect: " comment
// lines (hand-computed in the file's header comment) must each appear in stdout.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "sim/scenario/autoscale_state.h"
#include "sim/scenario/loader.h"
#include "tests/test_util.h"

namespace sim::scenario {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> expect_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  const std::string tag = "# expect: ";
  while (std::getline(in, line)) {
    if (line.rfind(tag, 0) == 0) out.push_back(line.substr(tag.size()));
  }
  return out;
}

TEST(AutoscaleCommand, ExampleStatesPrintTheirExpectedDecision) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(fs::path(testing::repo_root()) / "tests/autoscale")) {
    if (e.path().extension() == ".yaml") files.push_back("tests/autoscale/" + e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 3u);
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    std::vector<std::string> expects = expect_lines(testing::read_file(testing::repo_root() + "/" + f));
    ASSERT_FALSE(expects.empty()) << "a state file needs at least one '# expect: ' line";
    testing::RunOutput r = testing::run_infrasim({"autoscale", f});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out.rfind(f + ": ", 0), 0u) << r.out;  // the summary line names the file
    for (const std::string& e : expects) {
      EXPECT_NE(r.out.find(e), std::string::npos) << "expected in stdout: " << e << "\nstdout:\n" << r.out;
    }
  }
}

TEST(AutoscaleCommand, BadStateExitsTwoWithLocatedErrors) {
  std::string dir = testing::temp_dir("autoscale");
  std::string path = dir + "/bad.yaml";
  testing::write_file(path,
                      "hpa: {min: 2, max: 6, metrics: [{cpu: 30%}]}\n"
                      "now: 10m\n"
                      "replicas: 3\n"
                      "pods:\n"
                      "  - {cpu: 30%, redy: true}\n");
  testing::RunOutput r = testing::run_infrasim({"autoscale", path});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(path + ":5:16: error: unknown key 'redy' in pod; did you mean 'ready'?"), std::string::npos)
      << r.err;
  testing::RunOutput missing = testing::run_infrasim({"autoscale", dir + "/nope.yaml"});
  EXPECT_EQ(missing.exit_code, 2);
  fs::remove_all(dir);
}

std::string errors(const std::string& text) {
  core::Diagnostics diags;
  auto s = parse_autoscale_state("s.yaml", text, diags);
  EXPECT_FALSE(s);
  return diags.format_short();
}

TEST(AutoscaleState, ReportsEveryProblemLocated) {
  EXPECT_EQ(errors("hpa: {min: 2, max: 6, metrics: [{cpu: 30.5%}]}\n"
                   "now: 10m\n"
                   "replicas: 3\n"
                   "pods: [{cpu: fast}]\n"
                   "recommendations: [{at: 11m, replicas: 4}]\n"
                   "scale_events: [{at: 1m, change: 0}]\n"),
            "s.yaml:1:39: error: utilization target '30.5%' is not a whole percentage; expected one like 70% "
            "(Kubernetes takes whole percents)\n"
            "s.yaml:4:14: error: invalid utilization 'fast'; expected a utilization like 70% or 0.7 (0% to 10000%)\n"
            "s.yaml:5:24: error: recommendation at 11m is after now (10m); expected a time at or before now\n"
            "s.yaml:6:33: error: change is 0; expected replicas added (like +2) or removed (like -1)\n");
  EXPECT_EQ(errors("hpa: {min: 2, max: 6, metrics: [{rps: 20/s}]}\nreplicas: 3\npods: []\n"),
            "s.yaml:1:1: error: missing key 'now' in autoscale state; expected the time of the sync, like now: 10m\n");
}

TEST(AutoscaleState, DefaultsAndCounts) {
  core::Diagnostics diags;
  auto s = parse_autoscale_state("s.yaml",
                                 "hpa: {min: 1, max: 4, metrics: [{cpu: 70%}], behavior: }\n"
                                 "now: 2m\n"
                                 "replicas: 3\n"
                                 "pods:\n"
                                 "  - {count: 2, cpu: 150%}\n"
                                 "  - {phase: pending, ready: false, started: 1m}\n",
                                 diags);
  ASSERT_TRUE(s) << diags.format();
  EXPECT_TRUE(s->hpa.behavior_given);  // an empty behavior: means the API defaults
  EXPECT_FALSE(s->has_recommendations);
  ASSERT_EQ(s->pods.size(), 2u);
  EXPECT_EQ(s->pods[0].count, 2);
  EXPECT_DOUBLE_EQ(s->pods[0].cpu, 1.5);
  EXPECT_FALSE(s->pods[0].ready_changed);
  EXPECT_EQ(s->pods[1].phase, AutoscalePod::Phase::kPending);
}

TEST(AutoscaleState, ScenarioLoaderReadsTheSameHpaBlock) {
  // read_hpa is shared: a scenario's autoscaling.<service>.hpa block gets the same checks
  // and the same behavior_given flag.
  const std::string scenario =
      "topology: ../topologies/nextleveltraders.yaml\n"
      "duration: 10m\n"
      "load: {constant: 100/s}\n"
      "autoscaling:\n"
      "  app: {hpa: {min: 3, max: 10, metrics: [{cpu: 70%}], behavior: {scale_down: {stabilization: 1m}}}}\n";
  core::Diagnostics diags;
  auto loaded = parse_scenario(testing::repo_root() + "/scenarios/inline.yaml", scenario, diags);
  ASSERT_TRUE(loaded) << diags.format();
  ASSERT_EQ(loaded->scenario.autoscaling.size(), 1u);
  const HpaSpec* hpa = loaded->scenario.autoscaling[0].hpa();
  ASSERT_NE(hpa, nullptr);
  EXPECT_TRUE(hpa->behavior_given);
  EXPECT_DOUBLE_EQ(*hpa->scale_down.stabilization, 60);

  core::Diagnostics bad;
  std::string text = scenario;
  text.replace(text.find("70%"), 3, "70.5%");
  EXPECT_FALSE(parse_scenario(testing::repo_root() + "/scenarios/inline.yaml", text, bad));
  EXPECT_NE(bad.format_short().find("utilization target '70.5%' is not a whole percentage"), std::string::npos)
      << bad.format_short();
}

}  // namespace
}  // namespace sim::scenario
