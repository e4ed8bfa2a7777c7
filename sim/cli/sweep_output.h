#pragma once
// Shared by `infrasim sweep` and `infrasim merge`, so both write the same table.

#include <string>
#include <vector>

#include "sim/report/json.h"
#include "sim/report/run_report.h"

namespace sim::cli {

/// Writes results.json, results.csv, summary.md and summary.html into `out`
/// from the sweep plan (sweep.json) and the runs' reports (null = missing);
/// prints the point table when `print`. False (and a message on stderr) when
/// the files cannot be written. Defined in sweep.cpp.
bool write_sweep_outputs(const std::string& out, const report::Json& plan,
                         const std::vector<std::optional<report::RunReport>>& reports, bool print);

}  // namespace sim::cli
