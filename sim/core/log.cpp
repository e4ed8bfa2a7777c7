#include "sim/core/log.h"

#include <fmt/format.h>
#include <map>
#include <mutex>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <string>

namespace sim::core {
namespace {

double (*g_clock)() = nullptr;

// "%*" in the pattern: simulated time in seconds, microsecond resolution.
class SimTimeFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg&, const std::tm&, spdlog::memory_buf_t& dest) override {
    double t = g_clock ? g_clock() : 0.0;
    fmt::format_to(std::back_inserter(dest), "{:12.6f}", t);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<SimTimeFlag>(); }
};

struct Registry {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<spdlog::logger>, std::less<>> loggers;
  spdlog::level::level_enum level = spdlog::level::warn;
  spdlog::sink_ptr sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
};

Registry& registry() {
  static Registry r;  // function-local: initialised on first use, thread-safe
  return r;
}

}  // namespace

std::shared_ptr<spdlog::logger> logger(std::string_view layer) {
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  auto it = r.loggers.find(layer);
  if (it != r.loggers.end()) return it->second;
  auto log = std::make_shared<spdlog::logger>(std::string(layer), r.sink);
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  formatter->add_flag<SimTimeFlag>('*').set_pattern("[%*] [%n] %l: %v");
  log->set_formatter(std::move(formatter));
  log->set_level(r.level);
  r.loggers.emplace(std::string(layer), log);
  return log;
}

bool set_log_level(std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") return false;
  Registry& r = registry();
  std::lock_guard lock(r.mu);
  r.level = lvl;
  for (auto& [name, log] : r.loggers) log->set_level(lvl);
  return true;
}

void set_sim_clock(double (*clock)()) { g_clock = clock; }

}  // namespace sim::core
