// infrasim-calib-backend: the calibration's backend server.
//
//   client/proxy ──TCP──> [epoll I/O thread] ──FIFO queue──> [W worker threads: busy work]
//                              │  /healthz answered here, never queued
//
// One I/O thread accepts connections and reads request heads; a request for any
// path but /healthz joins one FIFO queue served by W worker threads, each of which
// burns the request's CPU demand (drawn from --service) and writes the answer with
// an X-Backend header naming this instance. That is infrasim's service station: an
// FCFS queue in front of `workers`, the demand executed on the instance's cores.
// Health checks are answered by the I/O thread at once, as infrasim's checks never
// queue behind requests.
//
// usage: infrasim-calib-backend --listen 127.0.0.1:8081 --name b0 --workers 8
//            --service exponential:4ms [--seed N] [--backlog 511]
// Port 0 picks a free port. Prints "ready NAME ADDR:PORT" once listening; on SIGTERM or SIGINT prints
// "stats NAME served=N health=M cpu=SECONDS" and exits 0.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "calibration/src/busy.h"
#include "calibration/src/http.h"
#include "calibration/src/service_time.h"

namespace {

struct Options {
  std::string address = "127.0.0.1";
  int port = -1;  // 0: any free port (printed in the ready line)
  std::string name = "backend";
  int workers = 8;
  std::string service = "exponential:4ms";
  std::uint64_t seed = 1;
  int backlog = 511;  // nginx's listen default on Linux
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "infrasim-calib-backend: %s\n"
               "usage: infrasim-calib-backend --listen ADDR:PORT [--name NAME] [--workers N] "
               "[--service SPEC] [--seed N] [--backlog N]\n",
               why.c_str());
  std::exit(2);
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("missing value after " + a);
      return argv[++i];
    };
    if (a == "--listen") {
      std::string v = value();
      auto colon = v.rfind(':');
      if (colon == std::string::npos) usage("invalid --listen '" + v + "'; expected ADDR:PORT");
      o.address = v.substr(0, colon);
      o.port = std::atoi(v.substr(colon + 1).c_str());
      if (o.port < 0 || o.port > 65535 || v.substr(colon + 1).empty()) {
        usage("invalid port in --listen '" + v + "'");
      }
    } else if (a == "--name") {
      o.name = value();
    } else if (a == "--workers") {
      o.workers = std::atoi(value().c_str());
      if (o.workers < 1 || o.workers > 1024) usage("--workers must be in 1..1024");
    } else if (a == "--service") {
      o.service = value();
    } else if (a == "--seed") {
      o.seed = std::strtoull(value().c_str(), nullptr, 10);
    } else if (a == "--backlog") {
      o.backlog = std::atoi(value().c_str());
      if (o.backlog < 1) usage("--backlog must be >= 1");
    } else {
      usage("unknown option '" + a + "'");
    }
  }
  if (o.port < 0) usage("--listen is required");
  return o;
}

// Writes all of `data` to a non-blocking socket, waiting for room up to 5 s in total.
bool write_all(int fd, const std::string& data) {
  std::size_t off = 0;
  int waited_ms = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n > 0) {
      off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && waited_ms < 5000) {
      pollfd p{fd, POLLOUT, 0};
      poll(&p, 1, 100);
      waited_ms += 100;
      continue;
    }
    return false;
  }
  return true;
}

struct Job {
  int fd;
  bool keep_alive;
};

struct Done {
  int fd;
  bool close;
};

class Server {
 public:
  explicit Server(Options o, calib::ServiceTime st) : opt_(std::move(o)), service_(st) {}

  int run() {
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGTERM);
    sigaddset(&mask, SIGINT);
    pthread_sigmask(SIG_BLOCK, &mask, nullptr);  // inherited by the workers
    int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);

    int lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);  // a restart while old sockets linger
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(opt_.port));
    if (inet_pton(AF_INET, opt_.address.c_str(), &addr.sin_addr) != 1) usage("invalid address " + opt_.address);
    if (bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      std::fprintf(stderr, "infrasim-calib-backend: bind %s:%d: %s\n", opt_.address.c_str(), opt_.port,
                   std::strerror(errno));
      return 1;
    }
    if (listen(lfd, opt_.backlog) != 0) {
      std::fprintf(stderr, "infrasim-calib-backend: listen: %s\n", std::strerror(errno));
      return 1;
    }
    socklen_t len = sizeof addr;
    getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
    opt_.port = ntohs(addr.sin_port);
    efd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    add(lfd);
    add(sfd);
    add(efd_);

    for (int i = 0; i < opt_.workers; ++i) workers_.emplace_back([this, i] { worker(i); });
    std::printf("ready %s %s:%d\n", opt_.name.c_str(), opt_.address.c_str(), opt_.port);
    std::fflush(stdout);

    std::vector<epoll_event> events(256);
    while (true) {
      int n = epoll_wait(ep_, events.data(), static_cast<int>(events.size()), -1);
      if (n < 0 && errno == EINTR) continue;
      for (int k = 0; k < n; ++k) {
        int fd = events[k].data.fd;
        if (fd == lfd) {
          accept_all(lfd);
        } else if (fd == sfd) {
          signalfd_siginfo si;
          if (read(sfd, &si, sizeof si) > 0) return stop();
        } else if (fd == efd_) {
          drain_done();
        } else {
          on_readable(fd);
        }
      }
    }
  }

 private:
  void add(int fd) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    epoll_ctl(ep_, EPOLL_CTL_ADD, fd, &ev);
  }

  void accept_all(int lfd) {
    while (true) {
      int fd = accept4(lfd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      conns_[fd] = std::string();
      add(fd);
    }
  }

  void close_conn(int fd) {
    epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    conns_.erase(fd);
  }

  void on_readable(int fd) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    char buf[8192];
    while (true) {
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        it->second.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        close_conn(fd);
        return;
      }
      if (errno == EINTR) continue;
      break;
    }
    process(fd);
  }

  // Serves what the connection's buffer holds: health checks inline, one work request
  // handed to the workers (the connection then leaves epoll until its answer is written).
  void process(int fd) {
    auto it = conns_.find(fd);
    if (it == conns_.end()) return;
    while (true) {
      bool bad = false;
      auto head = calib::parse_request(it->second, &bad);
      if (bad) {
        write_all(fd, calib::make_response(400, "Bad Request", opt_.name, "bad request\n", false));
        close_conn(fd);
        return;
      }
      if (!head) return;
      it->second.erase(0, head->length);
      if (head->path == "/healthz") {
        health_.fetch_add(1, std::memory_order_relaxed);
        bool ok = write_all(fd, calib::make_response(200, "OK", opt_.name, "ok\n", head->keep_alive));
        if (!ok || !head->keep_alive) {
          close_conn(fd);
          return;
        }
        continue;
      }
      epoll_ctl(ep_, EPOLL_CTL_DEL, fd, nullptr);
      {
        std::lock_guard<std::mutex> lock(mu_);
        jobs_.push_back({fd, head->keep_alive});
      }
      cv_.notify_one();
      return;
    }
  }

  void drain_done() {
    std::uint64_t v;
    while (read(efd_, &v, sizeof v) > 0) {
    }
    std::deque<Done> done;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done.swap(done_);
    }
    for (const Done& d : done) {
      if (d.close) {
        close(d.fd);
        conns_.erase(d.fd);
      } else {
        add(d.fd);
        process(d.fd);  // a request that arrived while this one was served
      }
    }
  }

  void worker(int index) {
    std::mt19937_64 rng(opt_.seed * 1000003ULL + static_cast<std::uint64_t>(index));
    while (true) {
      Job job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return !jobs_.empty(); });
        job = jobs_.front();
        jobs_.pop_front();
      }
      double cpu = calib::burn_cpu(service_.sample(rng));
      // Counted before the answer leaves: a client that has its answer is always in the count.
      served_.fetch_add(1, std::memory_order_relaxed);
      bool ok = write_all(job.fd, calib::make_response(200, "OK", opt_.name, "done\n", job.keep_alive));
      {
        std::lock_guard<std::mutex> lock(mu_);
        cpu_ += cpu;
        done_.push_back({job.fd, !ok || !job.keep_alive});
      }
      std::uint64_t one = 1;
      [[maybe_unused]] ssize_t w = write(efd_, &one, sizeof one);
    }
  }

  int stop() {
    double cpu;
    {
      std::lock_guard<std::mutex> lock(mu_);
      cpu = cpu_;
    }
    std::printf("stats %s served=%llu health=%llu cpu=%.6f\n", opt_.name.c_str(),
                static_cast<unsigned long long>(served_.load()), static_cast<unsigned long long>(health_.load()),
                cpu);
    std::fflush(stdout);
    // Workers may be mid-request: leave without joining them (the process ends here).
    std::_Exit(0);
  }

  Options opt_;
  calib::ServiceTime service_;
  int ep_ = -1;
  int efd_ = -1;
  std::map<int, std::string> conns_;  // I/O thread only
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;    // guarded by mu_
  std::deque<Done> done_;   // guarded by mu_
  double cpu_ = 0;          // guarded by mu_
  std::atomic<std::uint64_t> served_{0};
  std::atomic<std::uint64_t> health_{0};
  std::vector<std::thread> workers_;
};

}  // namespace

int main(int argc, char** argv) {
  Options o = parse_args(argc, argv);
  std::string error;
  auto st = calib::ServiceTime::parse(o.service, &error);
  if (!st) usage(error);
  Server server(o, *st);
  return server.run();
}
