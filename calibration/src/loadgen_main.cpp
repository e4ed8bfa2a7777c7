// infrasim-calib-loadgen: an open-loop HTTP/1.1 load generator (as wrk2, which
// Debian does not package; Debian's wrk is closed-loop).
//
//   schedule (Poisson or fixed, per source address) ──> one new connection per request
//   ──> target (nginx, HAProxy or a backend) ──> one CSV row per request
//
// Every request has an intended send time fixed before the run; latency is
// measured from it, so a slow server cannot slow the arrivals (no coordinated
// omission). Each request opens its own TCP connection from its source address
// (--sources binds 127.0.0.2, 127.0.0.3, ... so a proxy sees distinct clients),
// sends "GET PATH HTTP/1.1" with "Connection: close" and reads the answer.
// Bounded: at most --max-requests requests, sent during --duration, each given
// up after --timeout; the process ends by itself.
//
// usage: infrasim-calib-loadgen --target 127.0.0.1:8080 --rate 100 --duration 20s
//          [--arrivals poisson|fixed] [--sources 127.0.0.2=40,127.0.0.3=5] [--path /work]
//          [--timeout 10s] [--max-requests N] [--seed N] [--t0 MONOTONIC_SECONDS] [--out FILE.csv]
// --sources replaces --rate: ADDR=RATE per source. --t0 is a CLOCK_MONOTONIC time at which
// the schedule starts (default: now), so a driver can align faults with it.
// Output CSV: id,source,sched,sent,done,outcome,status,backend (times in s after t0; outcome is
// ok (2xx), http (other status), refused, reset, closed, timeout or error:ERRNO).
// The last stdout line is a JSON summary.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "calibration/src/http.h"
#include "calibration/src/schedule.h"
#include "calibration/src/service_time.h"

namespace {

struct Options {
  std::string target_addr = "127.0.0.1";
  int target_port = 0;
  std::string path = "/work";
  double rate = 0;
  std::vector<calib::Source> sources;
  calib::Arrivals arrivals = calib::Arrivals::kPoisson;
  double duration = 10;
  double timeout = 10;
  std::uint64_t max_requests = 1000000;
  std::uint64_t seed = 1;
  double t0 = -1;
  std::string out;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "infrasim-calib-loadgen: %s\n"
               "usage: infrasim-calib-loadgen --target ADDR:PORT (--rate R | --sources ADDR=R,...) "
               "--duration D [--arrivals poisson|fixed] [--path P] [--timeout D] [--max-requests N] "
               "[--seed N] [--t0 MONO] [--out FILE]\n",
               why.c_str());
  std::exit(2);
}

double parse_positive(const std::string& what, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !std::isfinite(d) || d < 0) usage("invalid " + what + " '" + v + "'");
  return d;
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value after " + a);
      return argv[++i];
    };
    if (a == "--target") {
      std::string v = value();
      auto colon = v.rfind(':');
      if (colon == std::string::npos) usage("invalid --target '" + v + "'; expected ADDR:PORT");
      o.target_addr = v.substr(0, colon);
      o.target_port = std::atoi(v.substr(colon + 1).c_str());
      if (o.target_port <= 0 || o.target_port > 65535) usage("invalid port in --target '" + v + "'");
    } else if (a == "--path") {
      o.path = value();
    } else if (a == "--rate") {
      o.rate = parse_positive("--rate", value());
    } else if (a == "--sources") {
      std::string v = value();
      std::size_t start = 0;
      while (start < v.size()) {
        std::size_t comma = v.find(',', start);
        std::string item = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        auto eq = item.find('=');
        if (eq == std::string::npos) usage("invalid --sources item '" + item + "'; expected ADDR=RATE");
        o.sources.push_back({item.substr(0, eq), parse_positive("rate", item.substr(eq + 1))});
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
    } else if (a == "--arrivals") {
      std::string v = value();
      if (v == "poisson") {
        o.arrivals = calib::Arrivals::kPoisson;
      } else if (v == "fixed") {
        o.arrivals = calib::Arrivals::kFixed;
      } else {
        usage("invalid --arrivals '" + v + "'; expected poisson or fixed");
      }
    } else if (a == "--duration" || a == "--timeout") {
      std::string v = value();
      auto d = calib::parse_duration(v);
      if (!d) usage("invalid " + a + " '" + v + "'; expected a duration like 20s");
      (a == "--duration" ? o.duration : o.timeout) = *d;
    } else if (a == "--max-requests") {
      o.max_requests = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--seed") {
      o.seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--t0") {
      o.t0 = parse_positive("--t0", value());
    } else if (a == "--out") {
      o.out = value();
    } else {
      usage("unknown option '" + a + "'");
    }
  }
  if (o.target_port == 0) usage("--target is required");
  if (o.sources.empty()) {
    if (o.rate <= 0) usage("--rate or --sources is required");
    o.sources.push_back({"", o.rate});
  }
  if (o.duration > 3600 || o.max_requests == 0 || o.max_requests > 10000000) {
    usage("bounds: --duration <= 1h and 1 <= --max-requests <= 10000000");
  }
  return o;
}

double mono() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

enum class Phase { kConnecting, kReading };

struct Request {
  std::size_t id = 0;
  int source = 0;
  double sched = 0, sent = 0, done = -1;
  int fd = -1;
  Phase phase = Phase::kConnecting;
  std::string in;
  std::string outcome;
  int status = 0;
  std::string backend;
};

class Generator {
 public:
  Generator(Options o, std::vector<calib::Arrival> schedule) : opt_(std::move(o)), schedule_(std::move(schedule)) {
    requests_.resize(schedule_.size());
    request_text_ = "GET " + opt_.path + " HTTP/1.1\r\nHost: calibration\r\nUser-Agent: infrasim-calib-loadgen\r\n" +
                    "Connection: close\r\n\r\n";
    target_.sin_family = AF_INET;
    target_.sin_port = htons(static_cast<std::uint16_t>(opt_.target_port));
    if (inet_pton(AF_INET, opt_.target_addr.c_str(), &target_.sin_addr) != 1) usage("invalid target address");
    for (const auto& s : opt_.sources) {
      sockaddr_in a{};
      a.sin_family = AF_INET;
      if (!s.address.empty() && inet_pton(AF_INET, s.address.c_str(), &a.sin_addr) != 1) {
        usage("invalid source address '" + s.address + "'");
      }
      source_addrs_.push_back(a);
    }
  }

  void run() {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    t0_ = opt_.t0 > 0 ? opt_.t0 : mono();
    std::size_t next = 0;
    std::vector<epoll_event> events(512);
    while (next < schedule_.size() || !active_.empty()) {
      double now = mono() - t0_;
      while (next < schedule_.size() && schedule_[next].time <= now) {
        launch(next++, now);
        now = mono() - t0_;
      }
      expire(now);
      double wake = 1.0;
      if (next < schedule_.size()) wake = std::min(wake, schedule_[next].time - now);
      if (!deadlines_.empty()) wake = std::min(wake, deadlines_.begin()->first - now);
      wake = std::max(wake, 0.0);
      timespec ts{static_cast<time_t>(wake), static_cast<long>((wake - std::floor(wake)) * 1e9)};
      int n = epoll_pwait2(ep_, events.data(), static_cast<int>(events.size()), &ts, nullptr);
      if (n < 0 && errno == EINTR) continue;
      for (int k = 0; k < n; ++k) on_event(events[k].data.u64, events[k].events);
    }
  }

  void write_csv(std::FILE* f) const {
    std::fprintf(f, "id,source,sched,sent,done,outcome,status,backend\n");
    for (const auto& r : requests_) {
      const std::string& src = opt_.sources[static_cast<std::size_t>(r.source)].address;
      std::fprintf(f, "%zu,%s,%.6f,%.6f,%.6f,%s,%d,%s\n", r.id, src.empty() ? "-" : src.c_str(), r.sched, r.sent,
                   r.done, r.outcome.c_str(), r.status, r.backend.empty() ? "-" : r.backend.c_str());
    }
  }

  void print_summary() const {
    std::map<std::string, std::size_t> outcomes;
    std::vector<double> late;
    for (const auto& r : requests_) {
      ++outcomes[r.outcome == "http" ? "http_" + std::to_string(r.status) : r.outcome];
      late.push_back(r.sent - r.sched);
    }
    std::sort(late.begin(), late.end());
    double late_p99 = late.empty() ? 0 : late[std::min(late.size() - 1, late.size() * 99 / 100)];
    std::printf("{\"requests\": %zu, \"late_p99\": %.6f, \"outcomes\": {", requests_.size(), late_p99);
    bool first = true;
    for (const auto& [k, v] : outcomes) {
      std::printf("%s\"%s\": %zu", first ? "" : ", ", k.c_str(), v);
      first = false;
    }
    std::printf("}}\n");
  }

 private:
  void launch(std::size_t i, double now) {
    Request& r = requests_[i];
    r.id = i;
    r.source = schedule_[i].source;
    r.sched = schedule_[i].time;
    r.sent = now;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return finish(r, "error:" + std::to_string(errno), now);
    const sockaddr_in& src = source_addrs_[static_cast<std::size_t>(r.source)];
    if (src.sin_addr.s_addr != 0) {
      int one = 1;
      setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      if (bind(fd, reinterpret_cast<const sockaddr*>(&src), sizeof src) != 0) {
        int e = errno;
        close(fd);
        return finish(r, "error:" + std::to_string(e), now);
      }
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    r.fd = fd;
    int rc = connect(fd, reinterpret_cast<const sockaddr*>(&target_), sizeof target_);
    if (rc != 0 && errno != EINPROGRESS) {
      int e = errno;
      return finish(r, e == ECONNREFUSED ? "refused" : "error:" + std::to_string(e), now);
    }
    epoll_event ev{};
    ev.events = EPOLLOUT;
    ev.data.u64 = i;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
    r.phase = Phase::kConnecting;
    active_.insert(i);
    deadlines_.insert({r.sched + opt_.timeout, i});
  }

  void on_event(std::size_t i, std::uint32_t what) {
    Request& r = requests_[i];
    if (r.fd < 0) return;
    double now = mono() - t0_;
    if (r.phase == Phase::kConnecting) {
      int err = 0;
      socklen_t len = sizeof err;
      getsockopt(r.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) return finish(r, err == ECONNREFUSED ? "refused" : err == ECONNRESET ? "reset" : "error:" + std::to_string(err), now);
      if (!(what & EPOLLOUT)) return;
      ssize_t n = send(r.fd, request_text_.data(), request_text_.size(), MSG_NOSIGNAL);
      if (n != static_cast<ssize_t>(request_text_.size())) {
        return finish(r, errno == ECONNRESET || errno == EPIPE ? "reset" : "error:" + std::to_string(errno), now);
      }
      r.phase = Phase::kReading;
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = i;
      epoll_ctl(ep_, EPOLL_CTL_MOD, r.fd, &ev);
      return;
    }
    char buf[8192];
    while (true) {
      ssize_t n = recv(r.fd, buf, sizeof buf, 0);
      if (n > 0) {
        r.in.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      bool bad = false;
      auto head = calib::parse_response(r.in, &bad);
      if (n == 0 && head &&
          (!head->has_content_length || r.in.size() >= head->head_length + head->content_length)) {
        return complete(r, *head, now);  // the whole answer, or a body that ends at the close
      }
      if (n == 0) return finish(r, "closed", now);
      return finish(r, errno == ECONNRESET ? "reset" : "error:" + std::to_string(errno), now);
    }
    bool bad = false;
    auto head = calib::parse_response(r.in, &bad);
    if (bad) return finish(r, "error:bad-response", now);
    if (head && head->has_content_length && r.in.size() >= head->head_length + head->content_length) {
      complete(r, *head, now);
    }
  }

  void complete(Request& r, const calib::ResponseHead& head, double now) {
    r.status = head.status;
    r.backend = head.backend;
    finish(r, head.status >= 200 && head.status < 300 ? "ok" : "http", now);
  }

  void finish(Request& r, const std::string& outcome, double now) {
    r.outcome = outcome;
    r.done = now;
    if (r.fd >= 0) {
      epoll_ctl(ep_, EPOLL_CTL_DEL, r.fd, nullptr);
      close(r.fd);
      r.fd = -1;
    }
    r.in.clear();
    r.in.shrink_to_fit();
    active_.erase(r.id);
    deadlines_.erase({r.sched + opt_.timeout, r.id});
  }

  void expire(double now) {
    while (!deadlines_.empty() && deadlines_.begin()->first <= now) {
      std::size_t i = deadlines_.begin()->second;
      finish(requests_[i], "timeout", now);
    }
  }

  Options opt_;
  std::vector<calib::Arrival> schedule_;
  std::vector<Request> requests_;
  std::string request_text_;
  sockaddr_in target_{};
  std::vector<sockaddr_in> source_addrs_;
  int ep_ = -1;
  double t0_ = 0;
  std::set<std::size_t> active_;
  std::set<std::pair<double, std::size_t>> deadlines_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  // A frozen backend keeps up to rate x timeout connections open: raise the descriptor limit.
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  auto schedule = calib::make_schedule(o.sources, o.arrivals, o.duration, o.max_requests, o.seed);
  Generator g(o, std::move(schedule));
  g.run();
  if (!o.out.empty()) {
    std::FILE* f = std::fopen(o.out.c_str(), "w");
    if (!f) {
      std::fprintf(stderr, "infrasim-calib-loadgen: cannot write %s: %s\n", o.out.c_str(), std::strerror(errno));
      return 1;
    }
    g.write_csv(f);
    std::fclose(f);
  }
  g.print_summary();
  return 0;
}
