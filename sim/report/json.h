#pragma once
// The JSON of every file infrasim writes (report.json, montecarlo.json,
// compare.json, results.json, chaos.json, capacity.json, sweep.json): one type
// (insertion-ordered, so keys keep a stable order), one rounding, one
// serialisation, and defensive accessors for reading files back.

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace sim::report {

using Json = nlohmann::ordered_json;

/// The fixed precision of every number infrasim writes: rounded to 6 decimals
/// (1 µs for seconds); no "-0"; NaN and infinity as 0.
double fixed(double x);

/// Serialises with 1-space indentation and a final newline.
std::string dump(const Json& j);

/// j[key], or null when j is not an object or lacks the key: readers of files
/// from other versions never throw on a missing field.
const Json& member(const Json& j, std::string_view key);

/// member(j, key) as text: a string as it is, any other value as JSON, "" for null.
std::string member_text(const Json& j, std::string_view key);

/// The value at a JSON pointer ("/summary/latency/p99"), or null.
const Json& at_pointer(const Json& j, std::string_view pointer);

/// Parses a JSON file; nullopt with *error ("cannot read FILE: ...", "FILE is not JSON") otherwise.
std::optional<Json> read_json_file(const std::string& path, std::string* error = nullptr);

}  // namespace sim::report
