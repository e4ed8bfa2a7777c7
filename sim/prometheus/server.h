#pragma once
// Debian's real Prometheus over a simulated run: the run's OpenMetrics text
// (report/openmetrics.h) becomes a TSDB with `promtool tsdb
// create-blocks-from openmetrics`, `prometheus` serves it on 127.0.0.1 (a free
// port), and PromQL is answered by Prometheus itself through its HTTP API —
// infrasim has no PromQL evaluator of its own. The server is started and
// stopped by PID (SIGTERM, then SIGKILL after 10 s); every wait is bounded.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sim::prometheus {

/// Where promtool and prometheus are ("" when not installed).
std::string promtool_path();
std::string prometheus_path();

/// A running Prometheus over one TSDB directory; stopped when destroyed.
class Server {
 public:
  /// Builds the TSDB from `openmetrics_file` into `dir`/data, then starts
  /// Prometheus on it. nullptr with *error set when a step fails (a tool
  /// missing, promtool rejecting the file, no readiness within `ready_timeout` s).
  static std::unique_ptr<Server> start(const std::string& openmetrics_file, const std::string& dir, std::string* error,
                                       double ready_timeout = 60);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int port() const { return port_; }
  int pid() const { return pid_; }

  /// GET `path_and_query` ("/api/v1/query?query=..."): the parsed JSON body,
  /// nullopt with *error on a transport error or a status that is not "success".
  std::optional<nlohmann::json> get(const std::string& path_and_query, std::string* error) const;

  /// An instant query at `time` (seconds since the epoch): [(labels, value)].
  std::optional<std::vector<std::pair<nlohmann::json, double>>> query(const std::string& promql, double time,
                                                                      std::string* error) const;

  /// A range query: per series, its labels and (timestamp, value) points.
  struct Series {
    nlohmann::json labels;
    std::vector<std::pair<double, double>> points;
  };
  std::optional<std::vector<Series>> query_range(const std::string& promql, double start, double end, double step,
                                                 std::string* error) const;

 private:
  Server() = default;
  int pid_ = -1;
  int port_ = 0;
};

/// `promtool check rules FILE`: "" when the rules file is valid, else promtool's message.
std::string check_rules(const std::string& rules_file);

/// Percent-encodes a query parameter.
std::string url_encode(const std::string& s);

}  // namespace sim::prometheus
