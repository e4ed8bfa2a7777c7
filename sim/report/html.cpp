#include "sim/report/html.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <map>
#include <set>

#include "sim/core/source.h"
#include "sim/core/units.h"
#include "sim/report/assets.h"  // generated at build time from sim/report/assets/
#include "sim/report/console.h"
#include "sim/topology/graph.h"

namespace sim::report {

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string cell(std::string_view css_class, std::string_view html) {
  return fmt::format("\x01{}\x01{}", css_class, html);
}

std::string html_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  auto td = [](const std::string& tag, const std::string& c) {
    if (c.size() > 1 && c[0] == '\x01') {
      std::size_t end = c.find('\x01', 1);
      if (end != std::string::npos) {
        return fmt::format("<{} class=\"{}\">{}</{}>", tag, c.substr(1, end - 1), c.substr(end + 1), tag);
      }
    }
    return fmt::format("<{}>{}</{}>", tag, c, tag);
  };
  std::string out = "<table>\n<tr>";
  for (const auto& h : header) out += td("th", h);
  out += "</tr>\n";
  for (const auto& row : rows) {
    out += "<tr>";
    for (const auto& c : row) out += td("td", c);
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

// ---- the topology diagram ---------------------------------------------------

namespace {

constexpr int kNodeW = 140, kNodeH = 58, kColGap = 56, kRowGap = 26, kMargin = 16, kDip = 30;

// Request-class colours, as in report.js.
const char* class_color(std::size_t i) {
  static const char* kColors[] = {"#2f6fdb", "#e8590c", "#2b8a3e", "#ae3ec9", "#d6336c", "#0c8599",
                                  "#f08c00", "#5c940d", "#495057", "#7048e8", "#c92a2a", "#1864ab"};
  return kColors[i % (sizeof(kColors) / sizeof(kColors[0]))];
}

const char* kind_fill(topology::Kind k) {
  switch (k) {
    case topology::Kind::kCdn: return "#e7f0ff";
    case topology::Kind::kLoadBalancer: return "#eef7ee";
    case topology::Kind::kService: return "#fff4e6";
    case topology::Kind::kCache: return "#fff0f6";
    case topology::Kind::kDatabase: return "#f3f0ff";
    case topology::Kind::kQueue: return "#e6fcf5";
    case topology::Kind::kStorage: return "#f1f3f5";
  }
  return "#ffffff";
}

struct Node {
  std::string name, line2, line3, tooltip;
  const char* fill = "#ffffff";
  bool spof = false;
  int col = 0, row = 0;
  double x = 0, y = 0;
};

}  // namespace

std::string topology_svg(const topology::Topology& t, const scenario::Scenario* scen) {
  topology::GraphAnalysis ga = topology::analyze_graph(t);
  std::map<std::string, std::string> spof;
  for (const auto& s : ga.single_points_of_failure) spof[s.component] = s.reason;

  // Columns: the deepest position of each component on any request path (clients = 0).
  std::map<std::string, int> col;
  for (const auto& rc : t.requests) {
    for (std::size_t i = 0; i < rc.path.size(); ++i) {
      int& c = col[rc.path[i].component];
      c = std::max(c, static_cast<int>(i) + 1);
    }
  }
  int max_col = 0;
  for (const auto& [name, c] : col) max_col = std::max(max_col, c);
  std::vector<Node> nodes;
  std::map<std::string, std::size_t> index;
  Node clients;
  clients.name = "clients";
  std::vector<std::string> regions;
  for (const auto& [r, share] : t.clients.regions) regions.push_back(fmt::format("{} {}", r, core::format_ratio(share)));
  clients.line2 = fmt::format("{} one way", core::format_duration(t.clients.latency));
  clients.line3 = regions.empty() ? "" : fmt::format("{}", fmt::join(regions, ", "));
  clients.fill = "#f8f9fa";
  index["clients"] = 0;
  nodes.push_back(clients);
  for (const auto& c : t.components) {
    Node n;
    n.name = c.name;
    n.col = col.count(c.name) ? col[c.name] : max_col + 1;  // off every path: a column of its own
    n.fill = kind_fill(c.kind);
    int inst = c.instances();
    std::string kind = topology::kind_name(c.kind);
    std::replace(kind.begin(), kind.end(), '_', ' ');
    n.line2 = c.kind == topology::Kind::kCdn ? kind + " · edge" : fmt::format("{} ×{}", kind, inst);
    n.line3 = c.region;
    if (const auto* s = c.service()) {
      std::string cores = std::to_string(s->cores);
      if (scen) {
        for (const auto& d : scen->operations.deploys) {
          if (d.component == c.name && d.resize && d.resize->cores > 0) cores += fmt::format(" → {}", d.resize->cores);
        }
      }
      n.line3 += fmt::format(" · {} cores", cores);
    }
    if (const auto* db = c.database()) {
      n.line3 = fmt::format("1 primary, {} replica{}", db->replicas, db->replicas == 1 ? "" : "s");
    }
    auto it = spof.find(c.name);
    n.spof = it != spof.end();
    n.tooltip = c.description.empty() ? c.name : c.name + ": " + c.description;
    if (n.spof) n.tooltip += "\nsingle point of failure: " + it->second;
    index[c.name] = nodes.size();
    nodes.push_back(n);
  }
  // Rows: file order within a column; columns centred on the tallest one.
  std::map<int, int> rows_in_col;
  for (auto& n : nodes) n.row = rows_in_col[n.col]++;
  int tallest = 1;
  for (const auto& [c, k] : rows_in_col) tallest = std::max(tallest, k);
  double height_nodes = tallest * kNodeH + (tallest - 1) * kRowGap;
  for (auto& n : nodes) {
    int k = rows_in_col[n.col];
    double col_h = k * kNodeH + (k - 1) * kRowGap;
    n.x = kMargin + n.col * (kNodeW + kColGap);
    n.y = kMargin + 14 + (height_nodes - col_h) / 2 + n.row * (kNodeH + kRowGap);
  }
  int ncols = 0;
  for (const auto& n : nodes) ncols = std::max(ncols, n.col + 1);

  // Edges: one line per request class and hop, in the class's colour, side by side where classes share a hop.
  std::size_t nclasses = t.requests.size();
  bool any_dip = false;
  for (const auto& rc : t.requests) {
    std::size_t prev = 0;
    for (const auto& step : rc.path) {
      auto it = index.find(step.component);
      if (it == index.end()) continue;
      any_dip = any_dip || nodes[it->second].col - nodes[prev].col != 1;
      prev = it->second;
    }
  }
  double dip_depth = kDip + 5.0 * static_cast<double>(nclasses);
  double width = kMargin * 2 + ncols * kNodeW + (ncols - 1) * kColGap;
  double height = kMargin * 2 + 14 + height_nodes + (any_dip ? dip_depth : 0);

  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" viewBox=\"0 0 {:.0f} {:.0f}\" "
      "font-family=\"system-ui, sans-serif\" role=\"img\" aria-label=\"topology {}\">\n<defs>",
      width, height, width, height, html_escape(t.name));
  for (std::size_t i = 0; i < nclasses; ++i) {
    svg += fmt::format("<marker id=\"arrow{}\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"6\" "
                       "markerHeight=\"6\" orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{}\"/></marker>",
                       i, class_color(i));
  }
  svg += "</defs>\n";
  for (std::size_t ci = 0; ci < nclasses; ++ci) {
    const auto& rc = t.requests[ci];
    double off = (static_cast<double>(ci) - (static_cast<double>(nclasses) - 1) / 2.0) * 4.0;
    std::size_t prev = 0;
    for (const auto& step : rc.path) {
      auto it = index.find(step.component);
      if (it == index.end()) continue;
      const Node& a = nodes[prev];
      const Node& b = nodes[it->second];
      std::string path;
      if (b.col - a.col == 1) {
        double x1 = a.x + kNodeW, y1 = a.y + kNodeH / 2.0 + off, x2 = b.x - 1, y2 = b.y + kNodeH / 2.0 + off;
        double mx = (x1 + x2) / 2;
        path = fmt::format("M{:.1f},{:.1f} C{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}", x1, y1, mx, y1, mx, y2, x2, y2);
      } else {
        // Skips a column (or goes back): run below the nodes so that it crosses none of them.
        double by = kMargin + 14 + height_nodes + kDip / 2.0 + 5.0 * static_cast<double>(ci);
        double sx = a.x + kNodeW / 2.0 + off * 2, ex = b.x + kNodeW / 2.0 + off * 2;
        path = fmt::format("M{:.1f},{:.1f} C{:.1f},{:.1f} {:.1f},{:.1f} {:.1f},{:.1f}", sx, a.y + kNodeH, sx, by, ex,
                           by, ex, b.y + kNodeH + 1);
      }
      svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.6\" stroke-opacity=\"0.9\" "
                         "marker-end=\"url(#arrow{})\"><title>{}: {} -&gt; {}</title></path>\n",
                         path, class_color(ci), ci, html_escape(rc.name), html_escape(a.name), html_escape(step.text()));
      prev = it->second;
    }
  }
  for (const Node& n : nodes) {
    svg += fmt::format("<g><title>{}</title>", html_escape(n.tooltip.empty() ? n.name : n.tooltip));
    svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\" rx=\"6\" fill=\"{}\" stroke=\"{}\" "
                       "stroke-width=\"{}\"{}/>",
                       n.x, n.y, kNodeW, kNodeH, n.fill, n.spof ? "#c92a2a" : "#868e96", n.spof ? 2 : 1,
                       n.spof ? " stroke-dasharray=\"5 3\"" : "");
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"13\" font-weight=\"600\" fill=\"#1d2330\">{}</text>",
                       n.x + 8, n.y + 18, html_escape(n.name));
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"11\" fill=\"#495057\">{}</text>", n.x + 8, n.y + 34,
                       html_escape(n.line2));
    svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"10\" fill=\"#868e96\">{}</text>", n.x + 8, n.y + 49,
                       html_escape(n.line3));
    if (n.spof) {
      svg += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"9\" font-weight=\"700\" fill=\"#c92a2a\" "
                         "text-anchor=\"end\">SPOF</text>",
                         n.x + kNodeW - 6, n.y + 14);
    }
    svg += "</g>\n";
  }
  return svg + "</svg>\n";
}

std::string topology_paths_html(const topology::Topology& t) {
  topology::GraphAnalysis ga = topology::analyze_graph(t);
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : ga.paths) {
    const topology::RequestClass* rc = t.find_class(p.request_class);
    std::size_t ci = 0;
    while (ci < t.requests.size() && t.requests[ci].name != p.request_class) ++ci;
    rows.push_back({fmt::format("<span class=\"marker-key\" style=\"background:{}\"></span>{}", class_color(ci),
                                html_escape(p.request_class)),
                    cell("num", rc ? core::format_ratio(rc->share) : ""),
                    "<code>" + html_escape(p.text) + "</code>"});
  }
  std::string out = html_table({"request class", "share", "path"}, rows);
  for (const auto& s : ga.single_points_of_failure) {
    out += fmt::format("<p class=\"muted\">Single point of failure: <b>{}</b> ({})</p>\n", html_escape(s.component),
                       html_escape(s.reason));
  }
  return out;
}

// ---- the page ---------------------------------------------------------------

namespace {

// JSON inside <script>: '<' as \u003c so that no "</script>" or "<!--" can end the block early.
std::string script_json(const Json& j) {
  std::string text = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

// Records uncaught exceptions, resources that fail to load (capture phase) and
// console.error / console.warn calls on <html data-errors="...">, for
// scripts/check-report's --dump-dom.
constexpr const char* kErrorHook =
    "(function(){var r=document.documentElement;function rec(m){var p=r.getAttribute('data-errors');"
    "r.setAttribute('data-errors',(p?p+' | ':'')+String(m).replace(/\"/g,\"'\"));}"
    "window.addEventListener('error',function(e){rec(e.message||('cannot load '+((e.target&&(e.target.src||e.target.href))||"
    "'a resource')));},true);"
    "window.addEventListener('unhandledrejection',function(e){rec('unhandled rejection: '+e.reason);});"
    "['error','warn'].forEach(function(k){var f=console[k];console[k]=function(){"
    "rec('console.'+k+': '+Array.prototype.join.call(arguments,' '));return f.apply(console,arguments);};});})();";

}  // namespace

std::string html_page(const HtmlPage& page) {
  std::string out;
  out.reserve(std::char_traits<char>::length(assets::kUplotJs) + 64 * 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"infrasim " INFRASIM_VERSION "\">\n";
  out += fmt::format("<title>{}</title>\n", html_escape(page.title));
  out += fmt::format("<script>{}</script>\n", kErrorHook);
  out += "<style>\n/* uPlot " + std::string("(MIT, https://github.com/leeoniya/uPlot) */\n") + assets::kUplotCss + "\n</style>\n";
  out += "<style>\n" + std::string(assets::kReportCss) + "</style>\n</head>\n<body>\n";
  out += page.body;
  out += "<div id=\"charts\"></div>\n";
  out += page.after;
  out += "<footer>Generated by infrasim " INFRASIM_VERSION
         ". Self-contained: charts drawn with uPlot (MIT), inlined; no network needed.</footer>\n";
  out += "<script type=\"application/json\" id=\"infrasim-data\">" + script_json(page.data) + "</script>\n";
  out += "<script>\n" + std::string(assets::kUplotJs) + "\n</script>\n";
  out += "<script>\n" + std::string(assets::kReportJs) + "\n</script>\n";
  out += fmt::format(
      "<script>infrasim.render(\"{}\", JSON.parse(document.getElementById(\"infrasim-data\").textContent));</script>\n",
      page.kind);
  out += "</body>\n</html>\n";
  return out;
}

// ---- one run ----------------------------------------------------------------

namespace {

std::string card(std::string_view key, const std::string& value) {
  return fmt::format("<div class=\"card\"><div class=\"k\">{}</div><div class=\"v\">{}</div></div>", html_escape(key),
                     html_escape(value));
}

std::string duration(double seconds) { return core::format_duration(seconds); }
std::string duration_or(const std::optional<double>& v, const char* none) { return v ? duration(*v) : none; }
std::string number_text(double x) { return Json(x).dump(); }  // as report.json writes it

std::string reasons_text(const ReasonRows& rows) {
  std::string out;
  for (const auto& [reason, n] : rows) out += fmt::format("{}{} {}", out.empty() ? "" : ", ", reason, n);
  return out;
}

}  // namespace

std::string run_html(const RunReport& rep, const std::string& diagram) {
  const ScenarioInfo& sc = rep.scenario;
  const Totals& sum = rep.summary;
  bool has_ex = !rep.expectations.empty() || !rep.resilience.empty();
  std::string b;
  b += fmt::format("<h1>{} <span class=\"badge {}\">{}</span></h1>\n", html_escape(sc.name),
                   !has_ex ? "none" : rep.ok() ? "pass" : "fail",
                   !has_ex ? "no expectations" : html_escape(outcome_word(rep.outcome)));
  if (rep.expected_failure) {
    b += fmt::format("<p class=\"declared\"><b>Declared to fail</b> ({}): {}. Outcome: <b>{}</b>{}.</p>\n",
                     html_escape(core::join(rep.expected_failure->fails)), html_escape(rep.expected_failure->reason),
                     html_escape(outcome_word(rep.outcome)),
                     rep.outcome_detail.empty() ? "" : " — " + html_escape(rep.outcome_detail));
  }
  if (!sc.description.empty()) b += fmt::format("<p class=\"sub\">{}</p>\n", html_escape(sc.description));
  b += fmt::format(
      "<p class=\"sub\">Topology <b>{}</b> (<code>{}</code>), scenario <code>{}</code>, seed {}, {} simulated, "
      "warmup {}, metric window {}.</p>\n",
      html_escape(sc.topology), html_escape(sc.topology_file), html_escape(sc.file), sc.seed,
      html_escape(duration(sc.duration)), html_escape(duration(sc.warmup)), html_escape(duration(sc.window)));
  b += "<div class=\"cards\">";
  b += card("requests", std::to_string(sum.generated));
  b += card("throughput", core::format_rate(sum.throughput));
  b += card("error rate", core::format_ratio(sum.error_rate));
  b += card("latency p50", duration(sum.latency.p50));
  b += card("latency p95", duration(sum.latency.p95));
  b += card("latency p99", duration(sum.latency.p99));
  b += card("latency p99.9", duration(sum.latency.p999));
  b += card("conservation", sum.conservation.ok ? "ok" : "VIOLATED");
  b += "</div>\n";

  b += "<h2>Expectations</h2>\n";
  if (has_ex) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : rep.expectations) {
      std::string verdict = e.pass ? "PASS" : "FAIL";
      std::string why = e.pass ? e.note : e.reason + (e.note.empty() || e.reason.empty() ? "" : "; ") + e.note;
      rows.push_back({html_escape(e.id()), html_escape(e.expected), html_escape(e.actual),
                      cell(e.pass ? "pass" : "fail", html_escape(verdict)), html_escape(why),
                      cell("num", html_escape(std::to_string(e.line)))});
    }
    for (const auto& r : rep.resilience) {
      std::string v = r.verdict();
      rows.push_back({html_escape(r.id()), html_escape(r.expected), html_escape(r.detail),
                      cell(v == "breached" ? "fail" : v == "met" ? "pass" : "none", html_escape(v)),
                      html_escape(r.met ? "" : r.why), ""});
    }
    b += html_table({"check", "expected", "actual", "verdict", "why", "line"}, rows);
  } else {
    b += "<p class=\"muted\">The scenario states no expectations.</p>\n";
  }
  if (!diagram.empty()) b += "<h2>Topology</h2>\n<div class=\"diagram\">\n" + diagram + "</div>\n";

  // Tables after the charts.
  std::string a;
  if (!rep.classes.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : rep.classes) {
      std::string fails = reasons_text(c.failures);
      rows.push_back({html_escape(c.name + (c.write ? " (writes)" : "")), cell("num", std::to_string(c.generated)),
                      cell("num", std::to_string(c.completed)), cell("num", std::to_string(c.failed)),
                      cell("num", core::format_ratio(c.error_rate)),
                      cell("num", c.availability ? core::format_ratio(*c.availability) : "-"),
                      cell("num", c.unrecovered ? "not recovered" : duration_or(c.rto, "-")),
                      cell("num", duration(c.latency.p50)), cell("num", duration(c.latency.p95)),
                      cell("num", duration(c.latency.p99)), html_escape(fails.empty() ? "none" : fails)});
    }
    a += "<h2>Request classes</h2>\n<p class=\"muted\">Error rate after warmup; availability: share of windows at "
         "or above the recovery threshold; RTO: the worst fault's, on the class's own success ratio.</p>\n" +
         html_table({"class", "generated", "completed", "failed", "error rate", "availability", "RTO", "p50", "p95",
                     "p99", "failures"},
                    rows);
  }
  if (!rep.components.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& c : rep.components) {
      std::string notes;
      if (c.kind == "cache") notes += "hit ratio " + core::format_ratio(c.hit_ratio);
      if (c.kind == "database") {
        notes += fmt::format("replication lag p99 {}, max {}", duration(c.lag_p99), duration(c.lag_max));
        if (c.connections_refused > 0) notes += fmt::format("; {} connections refused", c.connections_refused);
      }
      if (c.queue_full > 0) notes += fmt::format("{}{} requests turned away (queue_full)", notes.empty() ? "" : "; ", c.queue_full);
      if (c.retries > 0 || c.ejections > 0) {
        notes += fmt::format("{}{} attempts retried, {} backends set aside by passive checks", notes.empty() ? "" : "; ",
                             c.retries, c.ejections);
      }
      if (c.restarts) notes += (notes.empty() ? "" : "; ") + c.restarts->text();
      rows.push_back({html_escape(c.name), html_escape(c.kind), cell("num", std::to_string(c.instances)),
                      cell("num", core::format_ratio(c.utilization)), cell("num", std::to_string(c.served)),
                      cell("num", duration(c.wait_mean)), html_escape(notes)});
    }
    a += "<h2>Tiers</h2>\n" + html_table({"component", "kind", "instances", "utilization", "served", "mean wait", "notes"}, rows);
  }
  if (!rep.clients.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& g : rep.clients) {
      rows.push_back({html_escape(g.name), cell("num", std::to_string(g.clients)), cell("num", std::to_string(g.generated)),
                      cell("num", std::to_string(g.completed)), cell("num", std::to_string(g.failed)),
                      cell("num", std::to_string(g.rate_limited)),
                      cell("num", fmt::format("{} / {}", g.top_client_generated, g.top_client_rate_limited))});
    }
    a += "<h2>Clients</h2>\n" + html_table({"group", "clients", "generated", "completed", "failed", "rate limited",
                                             "most active client: generated / rate limited"},
                                            rows);
  }
  if (rep.cost) {
    const model::CostEstimate& c = *rep.cost;
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : c.lines) {
      rows.push_back({html_escape(l.component.empty() ? "-" : l.component), html_escape(l.item), html_escape(l.detail),
                      cell("num", html_escape(core::format_number(l.quantity, 6) + " " + l.unit)),
                      cell("num", core::format_number(l.unit_price, 6)), cell("num", fmt::format("{:.2f}", l.per_month))});
    }
    rows.push_back({"<b>total</b>", "", "", "", "", cell("num", fmt::format("<b>{:.2f}</b>", c.per_month))});
    a += fmt::format("<h2>Cost per month: {:.2f} {}</h2>\n", c.per_month, html_escape(c.currency)) +
         fmt::format("<p class=\"muted\">This run's usage scaled to a month of {} hours, priced with {} ({}; prices "
                     "of {}: {}).</p>\n",
                     core::format_number(c.hours_per_month), html_escape(c.pricing_file), html_escape(c.pricing),
                     html_escape(c.date), html_escape(c.source)) +
         html_table({"component", "item", "detail", "quantity per month", "unit price (" + html_escape(c.currency) + ")",
                     "per month (" + html_escape(c.currency) + ")"},
                    rows);
  }
  if (!rep.recovery.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : rep.recovery) {
      std::string per_class;
      for (const auto& c : r.classes) {
        per_class += fmt::format("{}{} {}", per_class.empty() ? "" : ", ", c.request_class, duration_or(c.rto, "not recovered"));
      }
      rows.push_back({html_escape(r.fault), cell("num", duration(r.time)), html_escape(r.disruption),
                      cell("num", duration_or(r.rto, "not recovered")),
                      cell("num", duration_or(r.predicted_rto, "until it ends")), html_escape(per_class),
                      cell("num", duration(r.rpo)), cell("num", duration_or(r.predicted_rpo, "none")),
                      cell("num", std::to_string(r.writes_lost)),
                      html_escape("predicted: " + r.prediction) + "<br>" + html_escape("measured: " + r.why)});
    }
    a += "<h2>Recovery</h2>\n<p class=\"muted\">Measured: from the fault to the first window after which the success "
         "ratio stays at or above the recovery threshold for the stabilization period (per request class: on the "
         "class's own success ratio). Predicted: from the configuration alone; the events above explain a "
         "difference.</p>\n" +
         html_table({"fault", "at", "class", "RTO measured", "RTO predicted", "RTO per request class", "RPO measured",
                     "RPO predicted", "writes lost", "why"},
                    rows);
  }
  if (!rep.resilience.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& r : rep.resilience) {
      std::string v = r.verdict();
      rows.push_back({html_escape(r.disruption), html_escape(r.expected), html_escape(r.detail),
                      cell(v == "breached" ? "fail" : v == "met" ? "pass" : "none", html_escape(v)),
                      html_escape(r.met ? "" : r.why)});
    }
    a += "<h2>Resilience assessment</h2>\n" +
         html_table({"disruption", "targets", "worst measured", "verdict", "why"}, rows);
  }
  if (!rep.autoscaling.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& x : rep.autoscaling) {
      rows.push_back({html_escape(x.component), cell("num", fmt::format("{}..{}", x.min, x.max)),
                      cell("num", std::to_string(x.peak_replicas)), cell("num", std::to_string(x.scale_events)),
                      cell("num", std::to_string(x.flaps)),
                      cell("num", x.unreached ? html_escape("target never reached") : duration_or(x.time_to_scale, "-")),
                      cell("num", duration(x.saturated_seconds)), cell("num", number_text(x.instance_hours))});
    }
    a += "<h2>Autoscaling</h2>\n" + html_table({"service", "range", "peak", "scale events", "flaps", "time to scale",
                                                 "at max with SLO breached", "instance-hours"},
                                                rows);
  }
  if (!rep.data_losses.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : rep.data_losses) {
      rows.push_back({html_escape(l.fault), cell("num", duration(l.time)), cell("num", std::to_string(l.writes_lost)),
                      cell("num", duration(l.rpo)), html_escape(l.explanation)});
    }
    a += "<h2>Data loss</h2>\n" + html_table({"fault", "at", "writes lost", "RPO", "why"}, rows);
  }

  const Provenance& p = rep.provenance;
  if (!p.version.empty()) {
    std::vector<std::vector<std::string>> rows;
    rows.push_back({"infrasim", html_escape(p.version)});
    rows.push_back({"command", "<code>" + html_escape(p.command) + "</code>"});
    rows.push_back({"seed", html_escape(fmt::format("{} ({})", p.seed, p.seed_source))});
    if (!p.topology_override.empty()) rows.push_back({"topology", "<code>" + html_escape(p.topology_override) + "</code>"});
    for (const auto& o : p.overrides) rows.push_back({"override", "<code>" + html_escape(o) + "</code>"});
    for (const auto& f : p.extra_faults) rows.push_back({"added fault", html_escape(f)});
    for (const auto& f : p.inputs) {
      rows.push_back({html_escape(f.role), fmt::format("<code>{}</code> {} bytes, sha256 <code>{}</code>", html_escape(f.path),
                                                       f.bytes, html_escape(f.sha256.empty() ? "unreadable" : f.sha256))});
    }
    a += "<h2>Provenance</h2>\n" + html_table({"what", "value"}, rows);
  }

  HtmlPage page;
  page.title = fmt::format("infrasim: {}", sc.name);
  page.kind = "run";
  page.body = b;
  page.after = a;
  page.data = to_json(rep);
  return html_page(page);
}

}  // namespace sim::report
