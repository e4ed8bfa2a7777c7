#pragma once
// Logging through spdlog, to stderr, one named logger per layer. Every line
// carries the *simulated* time, not the wall clock, so logs of two runs diff:
//
//   [  12.500000] [engine] info: link db-link down
//
// The engine installs its clock with set_sim_clock(); before that the time is 0.

#include <memory>
#include <spdlog/spdlog.h>
#include <string_view>

namespace sim::core {

/// The logger of a layer ("core", "topology", "scenario", "engine", "check", "report", "cli").
/// Created on first use with the shared sink and pattern.
std::shared_ptr<spdlog::logger> logger(std::string_view layer);

/// Sets the level of every logger ("trace", "debug", "info", "warn", "error", "off").
/// Returns false for an unknown level name.
bool set_log_level(std::string_view level);

/// The function that reports simulated seconds; nullptr restores "0".
void set_sim_clock(double (*clock)());

}  // namespace sim::core
