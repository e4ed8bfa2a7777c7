// JUnit for strict consumers: every kind of suite infrasim writes validates
// against the Jenkins/Ant JUnit schema (tests/report/jenkins-junit.xsd) with
// xmllint, the schema itself rejects what strict consumers reject, test names
// do not change with a check's target, and the README's CI command on the
// committed scenarios exits 0 with a valid file and a tally on stdout.
//
//   scenarios/*.yaml: seed 000 (nextleveltraders), 001 (cryptopulse), 002, 003 (AWS), 004 (compose);
//   three of them fail on purpose and declare it (expected_failure).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>

#include "sim/report/junit.h"
#include "tests/test_util.h"

namespace sim::report {
namespace {

namespace fs = std::filesystem;

bool have_xmllint() { return std::system("command -v xmllint >/dev/null 2>&1") == 0; }

std::string schema() { return testing::repo_root() + "/tests/report/jenkins-junit.xsd"; }

// xmllint's verdict on `xml` against the schema: "" when valid, else its messages.
std::string validate(const std::string& xml, const std::string& dir) {
  std::string file = dir + "/junit.xml";
  testing::write_file(file, xml);
  std::string cmd = fmt::format("xmllint --noout --schema '{}' '{}' >'{}/lint.log' 2>&1", schema(), file, dir);
  int rc = std::system(cmd.c_str());
  return rc == 0 ? "" : testing::read_file(dir + "/lint.log") + "\n" + xml;
}

// A report with a failed expectation, a passed one, a breached and an unexercised resilience target.
RunReport sample(const std::string& name, const std::string& rto_target) {
  Json j = {{"scenario", {{"name", name}, {"seed", 5}, {"topology", "shop"}}},
            {"provenance",
             {{"version", "0.1.0"},
              {"command", "infrasim run scenarios/x.yaml --set scenario.duration=1h"},
              {"seed", 5},
              {"seed_source", "scenario"},
              {"overrides", {"scenario.duration=1h"}},
              {"inputs", {{{"role", "scenario"}, {"path", "scenarios/x.yaml"}, {"sha256", "ab12"}, {"bytes", 10}}}}}},
            {"expectations",
             {{{"metric", "rto"}, {"expected", "<= " + rto_target}, {"actual", "22m"}, {"verdict", "FAIL"}, {"line", 9},
               {"reason", "crash app: app saturated <& \"quoted\">"}},
              {{"metric", "rpo"}, {"expected", "<= 5m"}, {"actual", "13h"}, {"verdict", "FAIL"}, {"line", 10}},
              {{"metric", "error_rate"}, {"class", "write"}, {"expected", "<= 1%"}, {"actual", "0%"}, {"verdict", "PASS"}}}},
            {"resilience",
             {{{"disruption", "data"}, {"verdict", "breached"}, {"expected", "RPO <= 5m"}, {"detail", "1 fault"}, {"why", "w"}},
              {{"disruption", "zone"}, {"verdict", "not exercised"}, {"expected", "RTO <= 15m"},
               {"detail", "not exercised: no zone fault in the scenario"}}}},
            {"passed", false},
            {"outcome", "fail"},
            {"summary", {{"conservation", {{"ok", true}}}}}};
  return *parse_run_report(j);
}

TEST(JunitSchema, EveryKindOfSuiteValidates) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint is not installed (scripts/setup installs libxml2-utils)";
  std::string dir = testing::temp_dir("junit-schema");
  RunReport failed = sample("failed", "15m");
  RunReport declared = sample("declared", "15m");
  declared.expected_failure = ExpectedFailureRow{"daily backups", {"rto", "rpo", "resilience.data"}};
  declared.outcome = "expected failure";
  RunReport unexpected = sample("unexpected", "15m");
  unexpected.expected_failure = ExpectedFailureRow{"daily backups", {"rto", "rpo", "resilience.data", "error_rate:write"}};
  unexpected.outcome = "failed otherwise";
  std::string xml = junit_xml({suite_of("scenarios/a.yaml", failed, 1.25), suite_of("scenarios/b.yaml", declared, 0.5),
                               suite_of("scenarios/c.yaml", unexpected, 0.5),
                               suite_without_report("broken", "scenarios/d.yaml", "killed by signal 9", 3)});
  EXPECT_EQ(validate(xml, dir), "");
  // A declared failure is skipped, with the reason; a declared check that passed is a failure.
  EXPECT_NE(xml.find("<skipped>expected failure: daily backups. expected rpo &lt;= 5m, actual 13h</skipped>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<failure message=\"declared to fail (daily backups), but passed: expected error_rate &lt;= 1%, "
                     "actual 0%\" type=\"unexpected pass\">"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped>not exercised: no zone fault in the scenario (RTO &lt;= 15m)</skipped>"),
            std::string::npos)
      << xml;
  // Provenance is in the properties.
  EXPECT_NE(xml.find("<property name=\"command\" value=\"infrasim run scenarios/x.yaml --set scenario.duration=1h\"/>"),
            std::string::npos);
  EXPECT_NE(xml.find("<property name=\"input.scenario\" value=\"scenarios/x.yaml sha256:ab12\"/>"), std::string::npos);
  // 3 reports x 6 cases (rto, rpo, error_rate:write, resilience.data, resilience.zone, conservation) + the
  // broken run = 19; failures: rto, rpo, resilience.data of a; error_rate:write of c (declared, passed) = 4.
  EXPECT_NE(xml.find("<testsuites name=\"infrasim\" tests=\"19\" failures=\"4\" errors=\"1\" time=\"5.250\">"),
            std::string::npos)
      << xml;
  fs::remove_all(dir);
}

TEST(JunitSchema, TheSchemaRejectsWhatStrictConsumersReject) {
  if (!have_xmllint()) GTEST_SKIP() << "xmllint is not installed (scripts/setup installs libxml2-utils)";
  std::string dir = testing::temp_dir("junit-strict");
  std::string ok = "<?xml version=\"1.0\"?>\n<testsuites><testsuite name=\"s\" tests=\"1\"><testcase name=\"c\" "
                   "time=\"0.000\"/></testsuite></testsuites>\n";
  EXPECT_EQ(validate(ok, dir), "");
  std::string with_file = ok;
  with_file.replace(with_file.find("time="), 0, "file=\"x.yaml\" line=\"3\" ");
  EXPECT_NE(validate(with_file, dir), "");
  std::string skipped_message = ok;
  skipped_message.replace(skipped_message.find("/></testsuite>"), 2, "><skipped message=\"x\"/></testcase>");
  EXPECT_NE(validate(skipped_message, dir), "");
  fs::remove_all(dir);
}

TEST(Junit, TestNamesDoNotChangeWithTheTarget) {
  std::string a = junit_xml({suite_of("x.yaml", sample("s", "15m"))});
  std::string b = junit_xml({suite_of("x.yaml", sample("s", "20m"))});
  EXPECT_NE(a, b);  // the message changed
  auto names = [](const std::string& xml) {
    std::vector<std::string> out;
    for (std::size_t at = xml.find("<testcase name=\""); at != std::string::npos; at = xml.find("<testcase name=\"", at + 1)) {
      std::size_t from = at + 16;
      out.push_back(xml.substr(from, xml.find('"', from) - from));
    }
    return out;
  };
  EXPECT_EQ(names(a), names(b));
  EXPECT_EQ(names(a), (std::vector<std::string>{"rto", "rpo", "error_rate:write", "resilience.data", "resilience.zone",
                                                "conservation"}));
}

TEST(CiCommand, TheReadmeCommandExitsZeroOnTheCommittedScenarios) {
  // `infrasim run scenarios/*.yaml --junit out.xml`, as the README's CI section writes it (with --out
  // into a temporary folder): the scenarios that fail on purpose declare it, so the command exits 0.
  std::string dir = testing::temp_dir("ci-command");
  std::vector<std::string> args = {"run"};
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(testing::repo_root() + "/scenarios")) {
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back("scenarios/" + e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  args.insert(args.end(), files.begin(), files.end());
  for (const char* a : {"--junit", "JUNIT", "--out", "OUT", "-q"}) args.emplace_back(a);
  args[args.size() - 4] = dir + "/out.xml";
  args[args.size() - 2] = dir + "/out";
  auto r = testing::run_infrasim(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(fmt::format("infrasim run: {} scenarios: ", files.size())), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" failed as declared, 0 failed, 0 errors; exit 0 ("), std::string::npos) << r.out;
  std::string xml = testing::read_file(dir + "/out.xml");
  EXPECT_NE(xml.find("<skipped>expected failure: "), std::string::npos);
  if (have_xmllint()) {
    EXPECT_EQ(validate(xml, dir), "");
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sim::report
