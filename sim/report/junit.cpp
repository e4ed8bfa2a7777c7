#include "sim/report/junit.h"

#include <fmt/format.h>

namespace sim::report {

std::string xml_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;
      case '\t': out += "&#9;"; break;
      case '\r': break;
      default:
        if (u >= 0x20) out += c;  // other control characters are not allowed in XML 1.0
    }
  }
  return out;
}

namespace {

const Json& sub(const Json& j, const char* key) {
  static const Json kNull;
  if (!j.is_object()) return kNull;
  auto it = j.find(key);
  return it == j.end() ? kNull : *it;
}

std::string str(const Json& j, const char* key) {
  if (!j.is_object()) return "";
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

struct Case {
  std::string name, classname, file, failure, detail;
  int line = 0;
};

std::vector<Case> cases_of(const SuiteInput& s, std::string* error) {
  std::vector<Case> out;
  if (s.report.is_null()) {
    *error = s.error.empty() ? "the run wrote no report" : s.error;
    return out;
  }
  std::string scenario = str(sub(s.report, "scenario"), "name");
  if (scenario.empty()) scenario = s.name;
  const Json& ex = sub(s.report, "expectations");
  if (ex.is_array()) {
    for (const auto& e : ex) {
      Case c;
      std::string metric = str(e, "metric");
      c.name = fmt::format("{} {}", metric, str(e, "expected"));
      c.classname = "infrasim." + scenario;
      c.file = s.file;
      c.line = sub(e, "line").is_number_integer() ? sub(e, "line").get<int>() : 0;
      if (str(e, "verdict") != "PASS") {
        c.failure = fmt::format("expected {} {}, actual {}", metric, str(e, "expected"), str(e, "actual"));
        c.detail = c.failure;
        if (!str(e, "note").empty()) c.detail += "\n" + str(e, "note");
      }
      out.push_back(c);
    }
  }
  Case cons;
  cons.name = "request conservation (generated = completed + failed + in flight)";
  cons.classname = "infrasim." + scenario;
  cons.file = s.file;
  const Json& ok = sub(sub(s.report, "summary"), "conservation");
  if (sub(ok, "ok").is_boolean() && !sub(ok, "ok").get<bool>()) {
    cons.failure = fmt::format("request conservation violated: generated {}, completed + failed + in flight {}",
                               str(ok, "generated"), str(ok, "completed_failed_in_flight"));
    cons.detail = cons.failure;
  }
  out.push_back(cons);
  return out;
}

}  // namespace

std::string junit_xml(const std::vector<SuiteInput>& suites) {
  std::string body;
  std::size_t tests = 0, failures = 0, errors = 0;
  for (const auto& s : suites) {
    std::string error;
    std::vector<Case> cases = cases_of(s, &error);
    std::string name = s.report.is_null() ? s.name : str(sub(s.report, "scenario"), "name");
    if (name.empty()) name = s.name;
    std::size_t f = 0;
    for (const auto& c : cases) f += c.failure.empty() ? 0 : 1;
    std::size_t n = cases.empty() ? 1 : cases.size();
    std::size_t e = error.empty() ? 0 : 1;
    tests += n;
    failures += f;
    errors += e;
    body += fmt::format("  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"0\" file=\"{}\">\n",
                        xml_escape(name), n, f, e, xml_escape(s.file));
    if (!s.report.is_null()) {
      const Json& sc = sub(s.report, "scenario");
      body += "    <properties>\n";
      for (const char* key : {"topology", "topology_file", "seed", "runs", "duration"}) {
        if (!sub(sc, key).is_null()) {
          body += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", key, xml_escape(str(sc, key)));
        }
      }
      body += "    </properties>\n";
    }
    if (!error.empty()) {
      body += fmt::format("    <testcase name=\"run\" classname=\"infrasim.{}\" file=\"{}\">\n", xml_escape(name),
                          xml_escape(s.file));
      body += fmt::format("      <error message=\"{}\" type=\"run\">{}</error>\n    </testcase>\n", xml_escape(error),
                          xml_escape(error));
    }
    for (const auto& c : cases) {
      std::string attrs = fmt::format("name=\"{}\" classname=\"{}\" file=\"{}\"", xml_escape(c.name),
                                      xml_escape(c.classname), xml_escape(c.file));
      if (c.line > 0) attrs += fmt::format(" line=\"{}\"", c.line);
      if (c.failure.empty()) {
        body += fmt::format("    <testcase {}/>\n", attrs);
      } else {
        body += fmt::format("    <testcase {}>\n      <failure message=\"{}\" type=\"expectation\">{}</failure>\n"
                            "    </testcase>\n",
                            attrs, xml_escape(c.failure), xml_escape(c.detail));
      }
    }
    body += "  </testsuite>\n";
  }
  return fmt::format("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                     "<testsuites name=\"infrasim\" tests=\"{}\" failures=\"{}\" errors=\"{}\">\n{}</testsuites>\n",
                     tests, failures, errors, body);
}

std::string ci_summary_markdown(const std::vector<SuiteInput>& suites) {
  std::size_t failed = 0;
  std::string rows, details;
  for (const auto& s : suites) {
    std::string name = s.report.is_null() ? s.name : str(sub(s.report, "scenario"), "name");
    if (name.empty()) name = s.name;
    if (s.report.is_null()) {
      ++failed;
      rows += fmt::format("| `{}` | :x: error | | {} |\n", name, s.error.empty() ? "no report" : s.error);
      continue;
    }
    std::size_t n = 0, pass = 0;
    std::string failing;
    const Json& ex = sub(s.report, "expectations");
    if (ex.is_array()) {
      for (const auto& e : ex) {
        ++n;
        if (str(e, "verdict") == "PASS") {
          ++pass;
        } else {
          if (!failing.empty()) failing += "<br>";
          failing += fmt::format("{} {} (actual {})", str(e, "metric"), str(e, "expected"), str(e, "actual"));
        }
      }
    }
    bool ok = pass == n && !(sub(s.report, "passed").is_boolean() && !sub(s.report, "passed").get<bool>());
    failed += ok ? 0 : 1;
    const Json& sc = sub(s.report, "scenario");
    std::string what = str(sc, "topology");
    if (!sub(sc, "runs").is_null()) what += fmt::format(", {} runs", str(sc, "runs"));
    rows += fmt::format("| `{}` ({}) | {} | {}/{} | {} |\n", name, what, ok ? ":white_check_mark: pass" : ":x: **FAIL**",
                        pass, n, failing);
  }
  std::string md = fmt::format("## infrasim: {} scenario{}, {}\n\n", suites.size(), suites.size() == 1 ? "" : "s",
                               failed == 0 ? "all passed" : fmt::format("{} failed", failed));
  md += "| scenario | result | expectations met | failed expectations |\n|---|---|---|---|\n" + rows;
  return md + details;
}

}  // namespace sim::report
