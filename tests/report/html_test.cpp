// HTML reports, JUnit XML and the Monte Carlo statistics.
//
//   clients -> cdn -> lb -> app x3 -> cache -> db (primary + 2 replicas)   (topologies/nextleveltraders.yaml)
//
// Pure functions are tested in-process; the end-to-end tests run the CLI in a
// child (one simulation per process) on 2-minute runs and open the HTML in
// headless Chromium through scripts/check-report (skipped without chromium).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sim/report/html.h"
#include "sim/report/junit.h"
#include "sim/report/montecarlo.h"
#include "sim/scenario/loader.h"
#include "tests/test_util.h"

namespace sim::report {
namespace {

namespace fs = std::filesystem;

// A tiny XML well-formedness check: balanced tags, quoted attributes, known entities.
bool well_formed_xml(const std::string& x, std::string* why) {
  std::vector<std::string> stack;
  std::size_t i = 0;
  if (x.rfind("<?xml", 0) == 0) i = x.find("?>") + 2;
  while (i < x.size()) {
    if (x[i] == '<') {
      std::size_t end = x.find('>', i);
      if (end == std::string::npos) return *why = "unclosed tag", false;
      std::string tag = x.substr(i + 1, end - i - 1);
      bool closing = !tag.empty() && tag[0] == '/', self = !tag.empty() && tag.back() == '/';
      std::string name = tag.substr(closing ? 1 : 0, tag.find_first_of(" /", closing ? 1 : 0) - (closing ? 1 : 0));
      std::size_t quotes = static_cast<std::size_t>(std::count(tag.begin(), tag.end(), '"'));
      if (quotes % 2 != 0 || tag.find('<') != std::string::npos) return *why = "bad tag <" + tag + ">", false;
      if (closing) {
        if (stack.empty() || stack.back() != name) return *why = "mismatched </" + name + ">", false;
        stack.pop_back();
      } else if (!self) {
        stack.push_back(name);
      }
      i = end + 1;
    } else if (x[i] == '&') {
      std::size_t end = x.find(';', i);
      std::string ent = x.substr(i, end - i + 1);
      if (ent != "&amp;" && ent != "&lt;" && ent != "&gt;" && ent != "&quot;" && ent != "&apos;" && ent.rfind("&#", 0) != 0) {
        return *why = "bad entity " + ent, false;
      }
      i = end + 1;
    } else {
      ++i;
    }
  }
  if (!stack.empty()) return *why = "unclosed <" + stack.back() + ">", false;
  return true;
}

bool have_chromium() { return std::system("command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1") == 0; }

TEST(Html, EscapesText) { EXPECT_EQ(html_escape("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"); }

TEST(Html, TopologyDiagramHasEveryComponentAndMarksTheSpof) {
  core::Diagnostics diags;
  auto loaded = scenario::load_scenario(testing::repo_root() + "/scenarios/steady-state.yaml", diags);
  ASSERT_TRUE(loaded) << diags.format();
  std::string svg = topology_svg(loaded->topology);
  for (const char* name : {"clients", "cdn", "lb", "app", "cache", "db"}) {
    EXPECT_NE(svg.find(fmt::format(">{}</text>", name)), std::string::npos) << name;
  }
  EXPECT_NE(svg.find("SPOF"), std::string::npos);  // lb has one instance
  EXPECT_EQ(svg, topology_svg(loaded->topology));  // deterministic
}

TEST(Html, PageIsSelfContainedAndToleratesMissingFields) {
  RunReport report = *parse_run_report({{"scenario", {{"name", "x</script><b>"}}}, {"summary", Json::object()}});
  std::string html = run_html(report, "");
  EXPECT_EQ(html.find("<script src"), std::string::npos);
  EXPECT_EQ(html.find("http://"), html.find("http://www.w3.org"));  // no fetched resource
  EXPECT_NE(html.find("var uPlot"), std::string::npos);               // the library is inlined
  EXPECT_EQ(html.find("x</script><b>"), std::string::npos);           // the data cannot close its <script>
  EXPECT_NE(html.find("x\\u003c/script>\\u003cb>"), std::string::npos);
}

TEST(Junit, FailingExpectationIsNamedAndCarriesExpectedAndActual) {
  Json report = {{"scenario", {{"name", "outage"}, {"seed", 7}}},
                 {"expectations",
                  {{{"metric", "rto"}, {"expected", "<= 15m"}, {"actual", "22m"}, {"verdict", "FAIL"}, {"line", 9},
                    {"reason", "crash db.primary: never recovered"}},
                   {{"metric", "error_rate"}, {"expected", "<= 1%"}, {"actual", "0.5%"}, {"verdict", "PASS"}}}},
                 {"summary", {{"conservation", {{"ok", true}}}}}};
  RunReport rep = *parse_run_report(report);
  std::string xml = junit_xml({suite_of("scenarios/outage.yaml", rep, 2.5), suite_without_report("broken", "b.yaml", "exit status 3")});
  std::string why;
  EXPECT_TRUE(well_formed_xml(xml, &why)) << why << "\n" << xml;
  // The test is named after the check; the target and the result are in the message.
  EXPECT_NE(xml.find("<testcase name=\"rto\" classname=\"infrasim.outage\" time=\"0.000\">"), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"expected rto &lt;= 15m, actual 22m\" type=\"expectation\">"
                     "scenarios/outage.yaml:9: expected rto &lt;= 15m, actual 22m&#10;why: crash db.primary: never recovered"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("tests=\"4\" failures=\"1\" errors=\"1\" time=\"2.500\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("time=\"2.500\""), std::string::npos) << xml;
  EXPECT_EQ(xml.find(" file=\""), std::string::npos) << "the Jenkins schema has no file attribute: " << xml;
  EXPECT_NE(ci_summary_markdown({suite_of("o.yaml", rep)}).find("rto <= 15m (actual 22m)"), std::string::npos);
}

TEST(MonteCarlo, StudentTQuantileMatchesTables) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706, 1e-3);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.776, 1e-3);
  EXPECT_NEAR(student_t_quantile(0.975, 30), 2.042, 1e-3);
  Interval iv = confidence_interval({1, 2, 3, 4, 5});
  EXPECT_DOUBLE_EQ(iv.mean, 3);
  EXPECT_NEAR(iv.half_width, 2.776 * std::sqrt(2.5) / std::sqrt(5.0), 1e-3);
}

TEST(MonteCarlo, ExpectationsAreJudgedOnTheirBound) {
  scenario::Scenario s;
  s.name = "mc";
  auto expect = [](scenario::Expectation::Bound b) {
    scenario::Expectation e;
    e.metric = "latency_p99";
    e.op = scenario::Expectation::Op::kLe;
    e.value = 0.5;
    e.bound = b;
    return e;
  };
  s.expectations = {expect(scenario::Expectation::Bound::kValue), expect(scenario::Expectation::Bound::kMean),
                    expect(scenario::Expectation::Bound::kUpper), expect(scenario::Expectation::Bound::kLower)};
  // p99 of four runs: 0.3, 0.4, 0.5, 0.6 -> mean 0.45, interval about [0.24, 0.66]; one run misses 500ms.
  std::vector<McRun> runs;
  for (double v : {0.3, 0.4, 0.5, 0.6}) {
    Json ex = Json::array();
    for (int k = 0; k < 4; ++k) {
      ex.push_back({{"metric", "latency_p99"}, {"expected", "<= 500ms"}, {"actual_value", v}, {"verdict", v <= 0.5 ? "PASS" : "FAIL"}});
    }
    runs.push_back({1, "runs/x", 0,
                    parse_run_report({{"scenario", Json::object()},
                                      {"expectations", ex},
                                      {"summary", {{"conservation", {{"ok", true}}}}}})});
  }
  Json mc = montecarlo_json(s, runs);
  EXPECT_EQ(mc["expectations"][0]["verdict"], "FAIL");  // value: 3 of 4 runs
  EXPECT_EQ(mc["expectations"][1]["verdict"], "PASS");  // mean 0.45
  EXPECT_EQ(mc["expectations"][2]["verdict"], "FAIL");  // upper bound 0.66
  EXPECT_EQ(mc["expectations"][3]["verdict"], "PASS");  // lower bound 0.24
  EXPECT_NEAR(mc["expectations"][2]["actual_value"].get<double>(), 0.45 + 3.182 * std::sqrt(0.05 / 3) / 2, 1e-3);
}

TEST(HtmlReport, SteadyStateRendersInChromiumWithoutConsoleErrors) {
  std::string dir = testing::temp_dir("html");
  auto r = testing::run_infrasim({"run", "scenarios/steady-state.yaml", "--set", "scenario.duration=2m", "--out", dir, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::string html = testing::read_file(dir + "/report.html");
  ASSERT_FALSE(html.empty());
  EXPECT_LT(html.size(), 400u * 1024) << "reports must stay small";
  EXPECT_NE(html.find("latency_p99"), std::string::npos);
  if (!have_chromium()) GTEST_SKIP() << "chromium is not installed: cannot open the report in a browser";
  std::string cmd = fmt::format("cd '{}' && scripts/check-report '{}/report.html' '{}/report.png' >'{}/check.log' 2>&1",
                                testing::repo_root(), dir, dir, dir);
  int rc = std::system(cmd.c_str());
  EXPECT_EQ(rc, 0) << testing::read_file(dir + "/check.log");
  EXPECT_TRUE(fs::exists(dir + "/report.png"));
  fs::remove_all(dir);
}

// A PNG's width and height from its IHDR chunk; {0, 0} when the bytes are not a PNG.
std::pair<unsigned, unsigned> png_size(const std::string& b) {
  if (b.size() < 24 || b.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 || b.compare(12, 4, "IHDR") != 0) return {0, 0};
  auto be32 = [&](std::size_t at) {
    return static_cast<unsigned>(static_cast<unsigned char>(b[at])) << 24 |
           static_cast<unsigned>(static_cast<unsigned char>(b[at + 1])) << 16 |
           static_cast<unsigned>(static_cast<unsigned char>(b[at + 2])) << 8 | static_cast<unsigned>(static_cast<unsigned char>(b[at + 3]));
  };
  return {be32(16), be32(20)};
}

// Committed reports (regenerated by scripts/regen-reports, so they carry the current report.js) open in
// Chromium without errors, and their screenshots are real pages: a PNG of the page's width, taller than
// one screen, and far more bytes than a blank page of that size (a white 1280 × 2000 PNG is about 10 KB).
// Each page takes two Chromium passes of at most 120 s (scripts/check-report); typically 2-5 s each.
TEST(HtmlReport, CommittedReportsRenderWithChartsAndScreenshots) {
  if (!have_chromium()) GTEST_SKIP() << "chromium is not installed: cannot open the committed reports in a browser";
  struct Page {
    const char* file;
    std::vector<std::string> in_dom;  // drawn by report.js, so only present when the charts rendered
  };
  const std::vector<Page> pages = {
      {"reports/restore-from-backup/report.html", {"Around fault 1: restore db", "Latency (fault 1)", "<canvas"}},
      {"reports/capacity-seed-002/capacity.html", {"Servers per tier", "recommended", "<canvas"}},
  };
  for (const Page& p : pages) {
    std::string html = testing::repo_root() + "/" + p.file;
    ASSERT_TRUE(fs::exists(html)) << p.file << " is committed";
    std::string dir = testing::temp_dir("shot");
    std::string cmd = fmt::format("cd '{}' && scripts/check-report '{}' '{}/shot.png' >'{}/check.log' 2>&1",
                                  testing::repo_root(), html, dir, dir);
    EXPECT_EQ(std::system(cmd.c_str()), 0) << p.file << "\n" << testing::read_file(dir + "/check.log");
    std::string png = testing::read_file(dir + "/shot.png");
    auto [w, h] = png_size(png);
    EXPECT_EQ(w, 1280u) << p.file;
    EXPECT_GT(h, 1500u) << p.file;
    EXPECT_GT(png.size(), 60u * 1024) << p.file << ": the screenshot is nearly blank";
    // The charts' own DOM: headless Chromium prints the page after report.js ran.
    std::string dump = fmt::format("timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run "
                                   "--user-data-dir='{}/profile' --virtual-time-budget=10000 --dump-dom 'file://{}' "
                                   ">'{}/dom.html' 2>/dev/null",
                                   dir, html, dir);
    if (std::system("command -v chromium >/dev/null 2>&1") == 0) {
      EXPECT_EQ(std::system(dump.c_str()), 0) << p.file;
      std::string dom = testing::read_file(dir + "/dom.html");
      for (const auto& s : p.in_dom) EXPECT_NE(dom.find(s), std::string::npos) << p.file << " lacks " << s;
    }
    fs::remove_all(dir);
  }
}

// Undefined metrics are gaps, not 0. clients -> lb -> app x2; the only load balancer is down from 2m to 3m
// (window 10 s): no request finishes in the windows 2:10 .. 2:50 (the first one finishes the 3 in flight) —
// latency is undefined there — and the lb has no ready instance (its utilization is undefined, the app's
// is a defined 0). Every request fails then, so the error rate is 100 %, defined.
TEST(HtmlReport, UndefinedMetricsAreGaps) {
  if (!have_chromium()) GTEST_SKIP() << "chromium is not installed: cannot draw the charts";
  std::string dir = testing::temp_dir("gaps");
  testing::write_file(dir + "/t.yaml", "name: g\ncomponents:\n  lb: {kind: load_balancer}\n"
                                       "  app: {kind: service, replicas: 2, cores: 2, service_time: 5ms}\n"
                                       "requests:\n  r: {share: 100%, path: [lb, app]}\n");
  testing::write_file(dir + "/s.yaml", "name: gaps\ntopology: t.yaml\nduration: 5m\nwarmup: 30s\nwindow: 10s\nseed: 3\n"
                                       "load: {constant: 50/s}\nfaults:\n  - {at: 2m, crash: lb, for: 1m}\n");
  auto r = testing::run_infrasim({"run", dir + "/s.yaml", "--out", dir + "/out", "-q"});
  ASSERT_LE(r.exit_code, 1) << r.out << r.err;
  auto report = nlohmann::json::parse(testing::read_file(dir + "/out/report.json"));
  int empty = 0;
  for (const auto& c : report["windows"]["completed"]) empty += c.get<long long>() == 0 ? 1 : 0;
  ASSERT_GE(empty, 5) << "the crash should leave windows where nothing finished";
  std::string dump = fmt::format("timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run "
                                 "--user-data-dir='{}/profile' --virtual-time-budget=10000 --dump-dom 'file://{}/out/report.html' "
                                 ">'{}/dom.html' 2>/dev/null",
                                 dir, dir, dir);
  ASSERT_EQ(std::system(dump.c_str()), 0);
  std::string dom = testing::read_file(dir + "/dom.html");
  auto gaps_of = [&](const std::string& title) {
    std::size_t at = dom.find("data-title=\"" + title + "\"");
    if (at == std::string::npos) return std::string("(no chart)");
    std::size_t tag = dom.rfind('<', at), end = dom.find('>', at);
    std::string t = dom.substr(tag, end - tag);
    std::size_t g = t.find("data-gaps=\"");
    return g == std::string::npos ? std::string("(no gaps attribute)") : t.substr(g + 11, t.find('"', g + 11) - g - 11);
  };
  std::string n = std::to_string(empty);
  EXPECT_EQ(gaps_of("Latency"), n + "," + n);            // p50, p99
  EXPECT_EQ(gaps_of("Error rate"), "0");                  // every request failed: 100 %, defined
  std::string util = gaps_of("Utilization by tier");      // lb, app, cache, db: the lb has gaps
  // Ready is sampled at each window's end: the lb is not ready at the ends of the 6 windows 2:00 .. 2:50.
  EXPECT_EQ(util, "6,0") << util;
  fs::remove_all(dir);
}

TEST(HtmlReport, CheckReportFailsOnAJavaScriptError) {
  if (!have_chromium()) GTEST_SKIP() << "chromium is not installed";
  std::string dir = testing::temp_dir("html-bad");
  testing::write_file(dir + "/bad.html", "<html><body><script>console.error('boom');</script>"
                                         "<script>undefinedFunction();</script></body></html>");
  std::string cmd = fmt::format("cd '{}' && scripts/check-report '{}/bad.html' >'{}/check.log' 2>&1", testing::repo_root(),
                                dir, dir);
  int rc = std::system(cmd.c_str());
  EXPECT_NE(rc, 0);
  EXPECT_NE(testing::read_file(dir + "/check.log").find("undefinedFunction"), std::string::npos)
      << testing::read_file(dir + "/check.log");
  fs::remove_all(dir);
}

TEST(JunitCli, FailingScenarioWritesWellFormedJunitNamingTheExpectation) {
  std::string dir = testing::temp_dir("junit");
  // steady-state with a target it cannot meet.
  auto r = testing::run_infrasim({"run", "scenarios/steady-state.yaml", "--set", "scenario.duration=2m", "--set",
                                  "scenario.expect.latency_p50=1ms", "--out", dir + "/run", "--junit", dir + "/junit.xml",
                                  "--summary", dir + "/summary.md", "-q"});
  ASSERT_EQ(r.exit_code, 1) << r.out << r.err;
  std::string xml = testing::read_file(dir + "/junit.xml");
  std::string why;
  EXPECT_TRUE(well_formed_xml(xml, &why)) << why << "\n" << xml;
  EXPECT_NE(xml.find("<testcase name=\"latency_p50\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("<failure message=\"expected latency_p50 &lt;= 1ms, actual "), std::string::npos) << xml;
  if (std::system("command -v python3 >/dev/null 2>&1") == 0) {
    std::string cmd = fmt::format("python3 -c 'import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])' '{}'",
                                  dir + "/junit.xml");
    EXPECT_EQ(std::system(cmd.c_str()), 0);
  }
  EXPECT_NE(testing::read_file(dir + "/summary.md").find("FAIL"), std::string::npos);
  // stdout ends with the tally.
  EXPECT_NE(r.out.find("infrasim run: 1 scenario: 0 passed, 1 failed, 0 errors; exit 1 ("), std::string::npos) << r.out;
  fs::remove_all(dir);
}

TEST(MonteCarloCli, RunsWriteIntervalsAndRejectOneRun) {
  std::string dir = testing::temp_dir("mc");
  auto bad = testing::run_infrasim({"run", "scenarios/steady-state.yaml", "--runs", "1", "--out", dir + "/bad"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir + "/bad"));
  auto r = testing::run_infrasim({"run", "scenarios/steady-state.yaml", "--runs", "3", "--set", "scenario.duration=2m",
                                  "--out", dir, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json mc = Json::parse(testing::read_file(dir + "/montecarlo.json"));
  EXPECT_EQ(mc["runs"].size(), 3u);
  EXPECT_EQ(mc["metrics"][0]["name"], "throughput");
  EXPECT_LE(mc["metrics"][0]["ci_low"].get<double>(), mc["metrics"][0]["mean"].get<double>());
  EXPECT_TRUE(fs::exists(dir + "/montecarlo.html"));
  EXPECT_NE(r.out.find("95% interval"), std::string::npos) << r.out;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sim::report
