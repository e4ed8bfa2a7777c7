#include "sim/prometheus/server.h"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <netinet/in.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace sim::prometheus {
namespace {

namespace fs = std::filesystem;

std::string find_tool(const char* name) {
  for (const char* dir : {"/usr/bin", "/usr/local/bin", "/bin"}) {
    fs::path p = fs::path(dir) / name;
    if (access(p.c_str(), X_OK) == 0) return p.string();
  }
  return "";
}

// Runs argv with stdout+stderr to `log`; waits at most `timeout` s (then SIGKILL). Exit status, or -1.
int run_tool(const std::vector<std::string>& argv, const std::string& log, double timeout) {
  std::vector<char*> args;  // made before fork: only async-signal-safe calls in the child
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execv(args[0], args.data());
    _exit(127);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout);
  int status = 0;
  while (true) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A tool's output as one line of a message: newlines become spaces, trailing space cut.
std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  while (!text.empty() && text.back() == ' ') text.pop_back();
  return text;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A port nobody listens on now (the kernel's choice for port 0).
int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  int port = 0;
  socklen_t len = sizeof a;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

// One HTTP/1.0 GET to 127.0.0.1:port; the status code and body, with 30 s timeouts.
std::optional<std::pair<int, std::string>> http_get(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return std::nullopt;
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    return std::nullopt;
  }
  std::string req = fmt::format("GET {} HTTP/1.0\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", path, port);
  for (std::size_t sent = 0; sent < req.size();) {
    ssize_t n = send(fd, req.data() + sent, req.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) {
      close(fd);
      return std::nullopt;
    }
    sent += static_cast<std::size_t>(n);
  }
  std::string resp;
  char buf[65536];
  while (true) {
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    resp.append(buf, static_cast<std::size_t>(n));
    if (resp.size() > (512u << 20)) break;
  }
  close(fd);
  auto sp = resp.find(' ');
  auto body = resp.find("\r\n\r\n");
  if (sp == std::string::npos || body == std::string::npos) return std::nullopt;
  return std::make_pair(std::atoi(resp.c_str() + sp + 1), resp.substr(body + 4));
}

double to_double(const nlohmann::json& v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    if (s == "NaN") return std::nan("");
    if (s == "+Inf") return INFINITY;
    if (s == "-Inf") return -INFINITY;
    return std::strtod(s.c_str(), nullptr);
  }
  return v.get<double>();
}

}  // namespace

std::string promtool_path() { return find_tool("promtool"); }
std::string prometheus_path() { return find_tool("prometheus"); }

std::string url_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string check_rules(const std::string& rules_file) {
  std::string tool = promtool_path();
  if (tool.empty()) return "promtool is not installed (Debian package prometheus)";
  std::string log = fs::temp_directory_path() / fmt::format("infrasim-promtool-{}.log", getpid());
  int rc = run_tool({tool, "check", "rules", rules_file}, log, 60);
  std::string out = read_all(log);
  fs::remove(log);
  if (rc == 0) return "";
  return out.empty() ? fmt::format("promtool check rules exited with {}", rc) : out;
}

std::unique_ptr<Server> Server::start(const std::string& openmetrics_file, const std::string& dir, std::string* error,
                                      double ready_timeout) {
  std::string promtool = promtool_path(), prom = prometheus_path();
  if (promtool.empty() || prom.empty()) {
    *error = "promtool and prometheus are not installed (Debian package prometheus; scripts/setup installs it)";
    return nullptr;
  }
  std::error_code ec;
  fs::create_directories(fs::path(dir) / "data", ec);
  std::string data = (fs::path(dir) / "data").string();
  std::string log = (fs::path(dir) / "promtool.log").string();
  int rc = run_tool({promtool, "tsdb", "create-blocks-from", "openmetrics", openmetrics_file, data}, log, 120);
  if (rc != 0) {
    *error = fmt::format("promtool tsdb create-blocks-from openmetrics failed (exit {}): {}", rc,
                         one_line(read_all(log)));
    return nullptr;
  }
  std::string config = (fs::path(dir) / "prometheus.yml").string();
  std::ofstream(config) << "# infrasim: no scrape targets; the TSDB holds a simulated run\nglobal: {}\n";
  for (int attempt = 0; attempt < 3; ++attempt) {
    int port = free_port();
    if (port == 0) continue;
    std::string plog = (fs::path(dir) / "prometheus.log").string();
    // Everything the child needs is made before fork (only async-signal-safe calls after it).
    const std::string listen = fmt::format("--web.listen-address=127.0.0.1:{}", port);
    const std::string cfg = "--config.file=" + config;
    const std::string storage = "--storage.tsdb.path=" + data;
    pid_t pid = fork();
    if (pid < 0) break;
    if (pid == 0) {
      int fd = open(plog.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      // The blocks are in the past: a long retention keeps them (2.42 takes no lock file by default).
      execl(prom.c_str(), prom.c_str(), cfg.c_str(), storage.c_str(), "--storage.tsdb.retention.time=100y",
            listen.c_str(), "--log.level=warn", static_cast<char*>(nullptr));
      _exit(127);
    }
    std::unique_ptr<Server> s(new Server());
    s->pid_ = pid;
    s->port_ = port;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(ready_timeout);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {  // exited: the port was taken, or a bad TSDB
        s->pid_ = -1;
        *error = fmt::format("prometheus exited at start: {}", one_line(read_all(plog)));
        break;
      }
      auto r = http_get(port, "/-/ready");
      if (r && r->first == 200) return s;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (s->pid_ > 0) {
      *error = fmt::format("prometheus was not ready within {} s: {}", ready_timeout, one_line(read_all(plog)));
    }
  }
  return nullptr;
}

Server::~Server() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 500; ++i) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

std::optional<nlohmann::json> Server::get(const std::string& path_and_query, std::string* error) const {
  auto r = http_get(port_, path_and_query);
  if (!r) {
    *error = "no answer from prometheus";
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(r->second, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *error = fmt::format("prometheus answered HTTP {} with a body that is not JSON", r->first);
    return std::nullopt;
  }
  if (j.value("status", "") != "success") {
    *error = fmt::format("prometheus: {} ({})", j.value("error", "unknown error"), j.value("errorType", ""));
    return std::nullopt;
  }
  return j;
}

std::optional<std::vector<std::pair<nlohmann::json, double>>> Server::query(const std::string& promql, double time,
                                                                           std::string* error) const {
  auto j = get(fmt::format("/api/v1/query?query={}&time={:.3f}", url_encode(promql), time), error);
  if (!j) return std::nullopt;
  std::vector<std::pair<nlohmann::json, double>> out;
  const auto& data = (*j)["data"];
  if (data.value("resultType", "") == "scalar") {
    out.emplace_back(nlohmann::json::object(), to_double(data["result"][1]));
    return out;
  }
  for (const auto& s : data["result"]) out.emplace_back(s["metric"], to_double(s["value"][1]));
  return out;
}

std::optional<std::vector<Server::Series>> Server::query_range(const std::string& promql, double start, double end,
                                                               double step, std::string* error) const {
  auto j = get(fmt::format("/api/v1/query_range?query={}&start={:.3f}&end={:.3f}&step={:.3f}", url_encode(promql), start,
                           end, step),
               error);
  if (!j) return std::nullopt;
  std::vector<Series> out;
  for (const auto& s : (*j)["data"]["result"]) {
    Series series;
    series.labels = s["metric"];
    for (const auto& v : s["values"]) series.points.emplace_back(v[0].get<double>(), to_double(v[1]));
    out.push_back(std::move(series));
  }
  return out;
}

}  // namespace sim::prometheus
