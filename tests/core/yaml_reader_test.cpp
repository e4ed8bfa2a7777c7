// Located reading of hand-written YAML: syntax errors at yaml-cpp's marks
// (made 1-based), typed conversions with "expected ..., got ..." messages,
// mappings with allowed keys ("did you mean"), files that cannot be read, and
// distributions. Every error test asserts the whole message.
#include <gtest/gtest.h>

#include <cmath>
#include <sys/stat.h>

#include "sim/core/distribution.h"
#include "sim/core/yaml_reader.h"
#include "tests/test_util.h"

namespace sim::core {
namespace {

// One YAML text named "f.yaml", its diagnostics and a Reader over it.
struct Doc {
  Diagnostics diags;
  std::optional<YAML::Node> root;
  Reader r{"f.yaml", diags};
  explicit Doc(const std::string& text) { root = parse_yaml("f.yaml", text, diags); }
  /// The value of `key` in the top-level mapping, read through a MapView as the loaders do.
  YAML::Node get(const std::string& key) {
    MapView m(r, *root, "test", {});
    return m.get(key);
  }
  std::string errors() const { return diags.format_short(); }
};

// ---- parse_yaml ------------------------------------------------------------

TEST(YamlReader, ParsesOneDocumentAndKeepsItsText) {
  Doc d("name: shop\nreplicas: 3\n");
  ASSERT_TRUE(d.root);
  EXPECT_TRUE(d.root->IsMap());
  EXPECT_EQ(d.errors(), "");
  d.r.error(d.get("replicas"), "bad replicas");
  EXPECT_EQ(d.diags.format(),
            "f.yaml:2:11: error: bad replicas\n"
            "    replicas: 3\n"
            "              ^\n");
}

TEST(YamlReader, ReportsSyntaxErrorAtOneBasedMark) {
  // The '{' of line 2 is never closed; yaml-cpp notices at the start of line 3.
  Doc d("name: shop\ncomponents: {app: {kind: service}\nrequests: [\n");
  EXPECT_FALSE(d.root);
  EXPECT_EQ(d.errors(), "f.yaml:3:1: error: YAML syntax error: end of map flow not found; expected valid YAML\n");
}

TEST(YamlReader, ReportsBadIndentation) {
  Doc d("name: shop\n  replicas: 3\n");
  EXPECT_FALSE(d.root);
  EXPECT_EQ(d.errors(), "f.yaml:2:11: error: YAML syntax error: illegal map value; expected valid YAML\n");
}

TEST(YamlReader, ReportsTabIndentation) {
  // yaml-cpp says "illegal tab when looking for indentation" here ...
  Doc top("name: shop\n\treplicas: 3\n");
  EXPECT_FALSE(top.root);
  EXPECT_EQ(top.errors(),
            "f.yaml:2:1: error: YAML syntax error: tab in indentation; expected spaces (YAML does not allow tabs "
            "there)\n");
  // ... but only "illegal map value" after the key here: we point at the tab either way.
  Doc nested("components:\n  app: {kind: service}\n \tdb: {kind: database}\n");
  EXPECT_FALSE(nested.root);
  EXPECT_EQ(nested.errors(),
            "f.yaml:3:2: error: YAML syntax error: tab in indentation; expected spaces (YAML does not allow tabs "
            "there)\n");
  // A tab elsewhere on the line is not blamed.
  Doc inner("name: shop\n  replicas:\t3\n");
  EXPECT_FALSE(inner.root);
  EXPECT_EQ(inner.errors(), "f.yaml:2:11: error: YAML syntax error: illegal map value; expected valid YAML\n");
}

TEST(YamlReader, ReportsUnclosedListAndBadEscape) {
  Doc list("a: [1, 2\n");
  EXPECT_FALSE(list.root);
  EXPECT_EQ(list.errors(),
            "f.yaml:2:1: error: YAML syntax error: end of sequence flow not found; expected valid YAML\n");
  Doc escape("a: \"\\q\"\n");
  EXPECT_FALSE(escape.root);
  EXPECT_EQ(escape.errors(),
            "f.yaml:1:7: error: YAML syntax error: unknown escape character: q; expected valid YAML\n");
}

TEST(YamlReader, ReportsUndefinedAlias) {
  Doc d("a: 1\nb: *nowhere\n");
  EXPECT_FALSE(d.root);
  EXPECT_EQ(d.errors(),
            "f.yaml:2:4: error: YAML syntax error: the referenced anchor is not defined; expected valid YAML\n");
}

TEST(YamlReader, RejectsEmptyAndCommentOnlyFiles) {
  for (const char* text : {"", "\n\n  \n", "# only\n# comments\n", "---\n", "~\n"}) {
    Diagnostics diags;
    EXPECT_FALSE(parse_yaml("e.yaml", text, diags, "a topology mapping")) << text;
    EXPECT_EQ(diags.format_short(), "e.yaml: error: file is empty; expected a topology mapping\n") << text;
  }
}

TEST(YamlReader, RejectsSeveralDocuments) {
  Doc d("name: a\n---\nname: b\n---\nname: c\n");
  EXPECT_FALSE(d.root);
  EXPECT_EQ(d.errors(), "f.yaml: error: file holds 3 YAML documents; expected one\n");
}

TEST(YamlReader, RejectsNulBytes) {
  Doc d(std::string("name: a\0b\n", 10));
  EXPECT_FALSE(d.root);
  EXPECT_EQ(d.errors(), "f.yaml: error: file contains NUL bytes; expected a text file\n");
}

TEST(YamlReader, RejectsBytesThatAreNotUtf8) {
  // Latin-1 "ü" (0xfc) in a file saved in the wrong encoding.
  Doc d("name: shop\ndescr: M\xfcnchen\n");
  EXPECT_FALSE(d.root);
  EXPECT_EQ(d.errors(), "f.yaml:2:9: error: invalid UTF-8 byte 0xfc; expected UTF-8 text\n");
  EXPECT_EQ(d.diags.format(),
            "f.yaml:2:9: error: invalid UTF-8 byte 0xfc; expected UTF-8 text\n"
            "    descr: M?nchen\n"
            "            ^\n");
}

TEST(YamlReader, AcceptsUtf8AndByteOrderMark) {
  Doc d("\xef\xbb\xbfname: shop\ndescr: M\xc3\xbcnchen \xe2\x82\xac\n");
  ASSERT_TRUE(d.root);
  EXPECT_EQ(d.errors(), "");
}

TEST(YamlReader, RejectsDeepNestingWithoutCrashing) {
  // yaml-cpp recurses per level; its guard stops at 500, well before the stack runs out.
  std::string deep = "a: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  Doc d(deep);
  EXPECT_FALSE(d.root);
  EXPECT_EQ(d.errors(), "f.yaml:1:10004: error: YAML nested more than 499 levels deep; expected a flatter document\n");
  std::string ok = "a: " + std::string(400, '[') + std::string(400, ']') + "\n";
  Doc shallow(ok);
  EXPECT_TRUE(shallow.root);
}

// ---- scalars ---------------------------------------------------------------

TEST(YamlReader, ReadsValidScalars) {
  Doc d("s: hello\nid: app-1_b\nb: yes\nn: -2.5\ni: 1e3\nd: 1h30m\nr: 30000/min\nz: 4GiB\nw: 1Gbps\n"
        "p: 70%\nf: 2.5x\n");
  ASSERT_TRUE(d.root);
  EXPECT_EQ(d.r.string(d.get("s")), "hello");
  EXPECT_EQ(d.r.identifier(d.get("id")), "app-1_b");
  EXPECT_EQ(d.r.boolean(d.get("b")), true);
  EXPECT_EQ(d.r.number(d.get("n"), -10, 10), -2.5);
  EXPECT_EQ(d.r.integer(d.get("i"), 0, 1000), 1000);
  EXPECT_DOUBLE_EQ(*d.r.duration(d.get("d")), 5400);
  EXPECT_DOUBLE_EQ(*d.r.rate(d.get("r")), 500);
  EXPECT_DOUBLE_EQ(*d.r.size(d.get("z")), 4.0 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(*d.r.bandwidth(d.get("w")), 1.25e8);
  EXPECT_DOUBLE_EQ(*d.r.ratio(d.get("p")), 0.7);
  EXPECT_DOUBLE_EQ(*d.r.factor(d.get("f")), 2.5);
  EXPECT_EQ(d.errors(), "");
}

TEST(YamlReader, ReportsWrongTypes) {
  Doc d("a: [1, 2]\nb: {x: 1}\nc: [5ms]\nd: {n: 1}\ne: [x]\n");
  ASSERT_TRUE(d.root);
  EXPECT_FALSE(d.r.integer(d.get("a"), 1, 10));
  EXPECT_FALSE(d.r.string(d.get("b")));
  EXPECT_FALSE(d.r.duration(d.get("c")));
  EXPECT_FALSE(d.r.boolean(d.get("d")));
  EXPECT_FALSE(d.r.identifier(d.get("e")));
  EXPECT_EQ(d.errors(),
            "f.yaml:1:4: error: expected a whole number between 1 and 10, got a list\n"
            "f.yaml:2:4: error: expected a string, got a mapping\n"
            "f.yaml:3:4: error: expected a duration with a unit like 250us, 5ms, 10s, 5m, 24h or 7d, got a list\n"
            "f.yaml:4:4: error: expected true or false, got a mapping\n"
            "f.yaml:5:4: error: expected a name of letters, digits, '_' or '-', got a list\n");
}

TEST(YamlReader, ReportsEmptyValueAtItsKey) {
  // yaml-cpp marks an empty value at the next token, here the next line: we point at the key.
  Doc d("name:\nreplicas:\n\nlast:");
  ASSERT_TRUE(d.root);
  EXPECT_FALSE(d.r.identifier(d.get("name")));
  EXPECT_FALSE(d.r.integer(d.get("replicas"), 1, 10));
  EXPECT_FALSE(d.r.duration(d.get("last")));
  EXPECT_EQ(d.errors(),
            "f.yaml:1:1: error: expected a name of letters, digits, '_' or '-', got nothing\n"
            "f.yaml:2:1: error: expected a whole number between 1 and 10, got nothing\n"
            "f.yaml:4:1: error: expected a duration with a unit like 250us, 5ms, 10s, 5m, 24h or 7d, got nothing\n");
}

TEST(YamlReader, ReportsBadNames) {
  Doc d("a: \"two words\"\nb: -lead\nc: " + std::string(129, 'x') + "\nd: caf\xc3\xa9\n");
  ASSERT_TRUE(d.root);
  for (const char* k : {"a", "b", "c", "d"}) EXPECT_FALSE(d.r.identifier(d.get(k))) << k;
  EXPECT_EQ(d.errors(),
            "f.yaml:1:4: error: invalid name 'two words'; expected a name of letters, digits, '_' or '-'\n"
            "f.yaml:2:4: error: invalid name '-lead'; expected a name of letters, digits, '_' or '-'\n"
            "f.yaml:3:4: error: invalid name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...'; expected a name of letters, "
            "digits, '_' or '-'\n"
            "f.yaml:4:4: error: invalid name 'caf\xc3\xa9'; expected a name of letters, digits, '_' or '-'\n");
}

TEST(YamlReader, ReportsBadBooleansAndNumbers) {
  Doc d("b: maybe\nn: abc\nm: 11\ni: 2.5\nj: 0\nk: .inf\nl: 0x10\n");
  ASSERT_TRUE(d.root);
  EXPECT_FALSE(d.r.boolean(d.get("b")));
  EXPECT_FALSE(d.r.number(d.get("n"), 0, 10));
  EXPECT_FALSE(d.r.number(d.get("m"), 0, 10));
  EXPECT_FALSE(d.r.integer(d.get("i"), 1, 10));
  EXPECT_FALSE(d.r.integer(d.get("j"), 1, 10));
  EXPECT_FALSE(d.r.integer(d.get("k"), 1, 10));
  EXPECT_FALSE(d.r.integer(d.get("l"), 1, 100));
  EXPECT_EQ(d.errors(),
            "f.yaml:1:4: error: invalid boolean 'maybe'; expected true or false\n"
            "f.yaml:2:4: error: invalid number 'abc'; expected a number between 0 and 10\n"
            "f.yaml:3:4: error: 11 is out of range; expected a number between 0 and 10\n"
            "f.yaml:4:4: error: invalid whole number '2.5'; expected a whole number between 1 and 10\n"
            "f.yaml:5:4: error: 0 is out of range; expected a whole number between 1 and 10\n"
            "f.yaml:6:4: error: invalid whole number '.inf'; expected a whole number between 1 and 10\n"
            "f.yaml:7:4: error: invalid whole number '0x10'; expected a whole number between 1 and 100\n");
}

TEST(YamlReader, HugeNumbersAreOutOfRangeNotInvalid) {
  Doc d("a: 1e308\nb: 1e400\nc: -1e30\nd: 1e30\n");
  ASSERT_TRUE(d.root);
  EXPECT_FALSE(d.r.integer(d.get("a"), 1, 1000));
  EXPECT_FALSE(d.r.integer(d.get("b"), 1, 1000));
  EXPECT_FALSE(d.r.integer(d.get("c"), 1, 1000));
  EXPECT_FALSE(d.r.number(d.get("d"), 0, 1e9));
  EXPECT_EQ(d.errors(),
            "f.yaml:1:4: error: 1e308 is out of range; expected a whole number between 1 and 1000\n"
            "f.yaml:2:4: error: 1e400 is out of range; expected a whole number between 1 and 1000\n"
            "f.yaml:3:4: error: -1e30 is out of range; expected a whole number between 1 and 1000\n"
            "f.yaml:4:4: error: 1e30 is out of range; expected a number between 0 and 1e+09\n");
}

TEST(YamlReader, ReportsBadUnits) {
  Doc d("d: fast\ne: 10\nr: 500\nz: 4 gigs\nw: fast\np: 150%\nf: 0\ng: 5 parsecs\n");
  ASSERT_TRUE(d.root);
  EXPECT_FALSE(d.r.duration(d.get("d")));
  EXPECT_FALSE(d.r.duration(d.get("e")));
  EXPECT_FALSE(d.r.rate(d.get("r")));
  EXPECT_FALSE(d.r.size(d.get("z")));
  EXPECT_FALSE(d.r.bandwidth(d.get("w")));
  EXPECT_FALSE(d.r.ratio(d.get("p")));
  EXPECT_FALSE(d.r.factor(d.get("f")));
  EXPECT_FALSE(d.r.duration(d.get("g")));
  EXPECT_EQ(d.errors(),
            "f.yaml:1:4: error: invalid duration 'fast'; expected a duration with a unit like 250us, 5ms, 10s, 5m, "
            "24h or 7d\n"
            "f.yaml:2:4: error: invalid duration '10'; expected a duration with a unit like 250us, 5ms, 10s, 5m, "
            "24h or 7d\n"
            "f.yaml:3:4: error: invalid rate '500'; expected a rate like 500/s, 30000/min or 1000/h\n"
            "f.yaml:4:4: error: invalid size '4 gigs'; expected a size like 512MB, 4GiB or 1TB\n"
            "f.yaml:5:4: error: invalid bandwidth 'fast'; expected a bandwidth like 1Gbps, 100Mbps or 200MB/s\n"
            "f.yaml:6:4: error: invalid ratio '150%'; expected a ratio between 0 and 1, like 70% or 0.7\n"
            "f.yaml:7:4: error: invalid factor '0'; expected a positive factor like 2.5x, 250% or 2.5\n"
            "f.yaml:8:4: error: invalid duration '5 parsecs'; expected a duration with a unit like 250us, 5ms, "
            "10s, 5m, 24h or 7d\n");
}

TEST(YamlReader, ReportsUnitValuesOutOfRange) {
  Doc d("a: -5s\nb: 1e30s\nc: 1e400ms\nd: -1/s\ne: 1e30/s\nf: -1GB\ng: 1e30PB\nh: 0Gbps\ni: 1e308Gbps\n"
        "j: 0s\n");
  ASSERT_TRUE(d.root);
  EXPECT_FALSE(d.r.duration(d.get("a")));
  EXPECT_FALSE(d.r.duration(d.get("b")));
  EXPECT_FALSE(d.r.duration(d.get("c")));
  EXPECT_FALSE(d.r.rate(d.get("d")));
  EXPECT_FALSE(d.r.rate(d.get("e")));
  EXPECT_FALSE(d.r.size(d.get("f")));
  EXPECT_FALSE(d.r.size(d.get("g")));
  EXPECT_FALSE(d.r.bandwidth(d.get("h")));
  EXPECT_FALSE(d.r.bandwidth(d.get("i")));
  EXPECT_FALSE(d.r.positive_duration(d.get("j")));
  EXPECT_EQ(d.errors(),
            "f.yaml:1:4: error: duration '-5s' is out of range; expected a duration of 0 or more\n"
            "f.yaml:2:4: error: duration '1e30s' is out of range; expected a duration of at most 1e18s\n"
            "f.yaml:3:4: error: duration '1e400ms' is out of range; expected a duration of at most 1e18s\n"
            "f.yaml:4:4: error: rate '-1/s' is out of range; expected a rate of 0 or more\n"
            "f.yaml:5:4: error: rate '1e30/s' is out of range; expected a rate of at most 1e18/s\n"
            "f.yaml:6:4: error: size '-1GB' is out of range; expected a size of 0 or more\n"
            "f.yaml:7:4: error: size '1e30PB' is out of range; expected a size of at most 1e21B\n"
            "f.yaml:8:4: error: bandwidth '0Gbps' is out of range; expected a bandwidth above 0\n"
            "f.yaml:9:4: error: bandwidth '1e308Gbps' is out of range; expected a bandwidth of at most 1e18B/s\n"
            "f.yaml:10:4: error: duration must be positive, got '0s'; expected a duration above 0\n");
}

TEST(YamlReader, ChoiceSuggestsOrListsTheOptions) {
  Doc d("a: least_con\nb: fastest\nc: [x]\nd: random\n");
  ASSERT_TRUE(d.root);
  const std::vector<std::string> algs = {"round_robin", "least_conn", "random"};
  EXPECT_FALSE(d.r.choice(d.get("a"), "load balancing algorithm", algs));
  EXPECT_FALSE(d.r.choice(d.get("b"), "load balancing algorithm", algs));
  EXPECT_FALSE(d.r.choice(d.get("c"), "load balancing algorithm", algs));
  EXPECT_EQ(d.r.choice(d.get("d"), "load balancing algorithm", algs), "random");
  EXPECT_EQ(d.errors(),
            "f.yaml:1:4: error: unknown load balancing algorithm 'least_con'; did you mean 'least_conn'?\n"
            "f.yaml:2:4: error: unknown load balancing algorithm 'fastest'; expected one of round_robin, "
            "least_conn, random\n"
            "f.yaml:3:4: error: expected one of round_robin, least_conn, random, got a list\n");
}

TEST(YamlReader, ShapeChecks) {
  Doc d("m: 1\ns: {a: 1}\nv: [1]\n");
  ASSERT_TRUE(d.root);
  EXPECT_FALSE(d.r.is_map(d.get("m"), "health_check"));
  EXPECT_FALSE(d.r.is_seq(d.get("s"), "path"));
  EXPECT_FALSE(d.r.is_scalar(d.get("v"), "name"));
  EXPECT_TRUE(d.r.is_map(d.get("s"), "x"));
  EXPECT_EQ(d.errors(),
            "f.yaml:1:4: error: health_check must be a mapping, got '1'; expected key: value pairs\n"
            "f.yaml:2:4: error: path must be a list, got a mapping; expected [a, b] or '- item' lines\n"
            "f.yaml:3:4: error: name must be a single value, got a list\n");
}

TEST(YamlReader, DescribeShortensAndHidesControlCharacters) {
  Doc d("a: \"" + std::string(50, 'y') + "\"\nb: \"tab\\there\\u0007\"\nc: ~\n");
  ASSERT_TRUE(d.root);
  EXPECT_EQ(describe(d.get("a")), "'" + std::string(37, 'y') + "...'");
  EXPECT_EQ(describe(d.get("b")), "'tab?here?'");
  EXPECT_EQ(describe(d.get("c")), "nothing");
  EXPECT_EQ(describe(d.get("missing")), "nothing");
}

// ---- MapView ---------------------------------------------------------------

TEST(YamlMapView, ReportsUnknownKeysAndReadsTheOthers) {
  Doc d("link:\n  latncy: 5ms\n  speed: 1Gbps\n  between: [a, b]\n");
  ASSERT_TRUE(d.root);
  MapView m(d.r, d.get("link"), "link", {"between", "latency", "bandwidth"});
  EXPECT_TRUE(m.ok());  // bad keys are reported and skipped; the rest is still read
  EXPECT_EQ(m.keys(), std::vector<std::string>{"between"});
  EXPECT_TRUE(m.has("between"));
  EXPECT_FALSE(m.has("latncy"));
  EXPECT_TRUE(m.misspelled("latency"));
  EXPECT_FALSE(m.misspelled("bandwidth"));
  EXPECT_EQ(d.errors(),
            "f.yaml:2:3: error: unknown key 'latncy' in link; did you mean 'latency'?\n"
            "f.yaml:3:3: error: unknown key 'speed' in link; expected one of between, latency, bandwidth\n");
}

TEST(YamlMapView, ReportsDuplicateAndNonScalarKeys) {
  Doc d("a: 1\nb: 2\na: 3\n[x]: 4\n");
  ASSERT_TRUE(d.root);
  MapView m(d.r, *d.root, "topology", {});
  EXPECT_TRUE(m.ok());
  EXPECT_EQ(m.keys(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(m.get("a").Scalar(), "1");  // the first one counts
  EXPECT_EQ(d.errors(),
            "f.yaml:3:1: error: duplicate key 'a' in topology; expected each key once\n"
            "f.yaml:4:1: error: keys in topology must be plain names, got a list\n");
}

TEST(YamlMapView, RequireReportsMissingKeysOnce) {
  Doc d("lognormal: {mean: 20ms, p9: 100ms}\nother: {x: 1}\n");
  ASSERT_TRUE(d.root);
  MapView l(d.r, d.get("lognormal"), "lognormal", {"mean", "p99"});
  EXPECT_TRUE(l.require("mean", "mean and p99").IsDefined());
  // 'p9' was already reported with "did you mean 'p99'?": no second error for the same typo.
  EXPECT_FALSE(l.require("p99", "mean and p99").IsDefined());
  MapView o(d.r, d.get("other"), "other", {"x", "y"});
  EXPECT_FALSE(o.require("y", "a y, like y: 2").IsDefined());
  EXPECT_EQ(d.errors(),
            "f.yaml:1:25: error: unknown key 'p9' in lognormal; did you mean 'p99'?\n"
            "f.yaml:2:8: error: missing key 'y' in other; expected a y, like y: 2\n");
}

TEST(YamlMapView, ExactlyOneOf) {
  Doc d("both: {crash: app, partition: [a, b]}\nnone: {at: 1m}\none: {crash: app}\ntypo: {crsh: app}\n");
  ASSERT_TRUE(d.root);
  const std::vector<std::string> kinds = {"crash", "partition"};
  const std::vector<std::string> allowed = {"crash", "partition", "at"};
  EXPECT_EQ(MapView(d.r, d.get("both"), "fault", allowed).exactly_one_of(kinds, true), "");
  EXPECT_EQ(MapView(d.r, d.get("none"), "fault", allowed).exactly_one_of(kinds, true), "");
  EXPECT_EQ(MapView(d.r, d.get("none"), "fault", allowed).exactly_one_of(kinds, false), "");
  EXPECT_EQ(MapView(d.r, d.get("one"), "fault", allowed).exactly_one_of(kinds, true), "crash");
  EXPECT_EQ(MapView(d.r, d.get("typo"), "fault", allowed).exactly_one_of(kinds, true), "");
  EXPECT_EQ(d.errors(),
            "f.yaml:1:20: error: 'crash' and 'partition' cannot be used together in fault; expected exactly one of "
            "crash, partition\n"
            "f.yaml:2:7: error: fault has none of crash, partition; expected exactly one\n"
            "f.yaml:4:8: error: unknown key 'crsh' in fault; did you mean 'crash'?\n");
}

TEST(YamlMapView, NotAMapping) {
  Doc d("a: [1, 2]\n");
  ASSERT_TRUE(d.root);
  MapView m(d.r, d.get("a"), "health_check", {"interval"});
  EXPECT_FALSE(m.ok());
  EXPECT_TRUE(m.keys().empty());
  EXPECT_FALSE(m.get("interval").IsDefined());
  EXPECT_EQ(d.errors(), "f.yaml:1:4: error: health_check must be a mapping, got a list; expected key: value pairs\n");
}

// ---- files -----------------------------------------------------------------

TEST(YamlReadFile, ReadsATextFile) {
  std::string dir = sim::testing::temp_dir("yaml-read");
  sim::testing::write_file(dir + "/ok.yaml", "name: x\n");
  Diagnostics diags;
  EXPECT_EQ(read_text_file(dir + "/ok.yaml", diags), "name: x\n");
  EXPECT_EQ(diags.format_short(), "");
  EXPECT_EQ(unreadable_reason(dir + "/ok.yaml"), "");
}

TEST(YamlReadFile, ReportsWhyAFileCannotBeRead) {
  std::string dir = sim::testing::temp_dir("yaml-read");
  sim::testing::write_file(dir + "/nul.yaml", std::string("a: \0\n", 5));
  sim::testing::write_file(dir + "/big.yaml", std::string(2000, '#'));
  ASSERT_EQ(mkfifo((dir + "/fifo.yaml").c_str(), 0600), 0);
  Diagnostics diags;
  EXPECT_FALSE(read_text_file(dir + "/missing.yaml", diags));
  EXPECT_FALSE(read_text_file(dir, diags));
  EXPECT_FALSE(read_text_file(dir + "/fifo.yaml", diags));  // would block forever if opened
  EXPECT_FALSE(read_text_file(dir + "/nul.yaml", diags));
  EXPECT_FALSE(read_text_file(dir + "/big.yaml", diags, 1024));
  EXPECT_FALSE(read_text_file("", diags));
  EXPECT_EQ(diags.format_short(),
            ": error: cannot read file: no such file; expected a readable file\n" + dir +
                ": error: cannot read file: is a directory; expected a readable file\n" + dir +
                "/big.yaml: error: file is larger than 1KiB; expected a smaller input\n" + dir +
                "/fifo.yaml: error: cannot read file: not a regular file; expected a readable file\n" + dir +
                "/missing.yaml: error: cannot read file: no such file; expected a readable file\n" + dir +
                "/nul.yaml: error: file contains NUL bytes; expected a text file\n");
  EXPECT_EQ(unreadable_reason(dir + "/missing.yaml"), "no such file");
  EXPECT_EQ(unreadable_reason(dir + "/missing/deeper.yaml"), "no such file");
  EXPECT_EQ(unreadable_reason(dir + "/nul.yaml/below"), "no such file");
}

// ---- distributions ---------------------------------------------------------

TEST(YamlDistribution, ReadsEveryKind) {
  Doc d("bare: 5ms\nconst: {constant: 2ms}\nexp1: {exponential: 4ms}\nexp2: {exponential: {mean: 4ms}}\n"
        "logn: {lognormal: {mean: 20ms, p99: 120ms}}\nuni: {uniform: {min: 1ms, max: 3ms}}\n"
        "emp: {empirical: [9ms, 1ms, 5ms]}\n");
  ASSERT_TRUE(d.root);
  auto bare = read_distribution(d.r, d.get("bare"));
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->kind, Distribution::Kind::kConstant);
  EXPECT_DOUBLE_EQ(bare->mean, 5e-3);
  auto c = read_distribution(d.r, d.get("const"));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->kind, Distribution::Kind::kConstant);
  EXPECT_DOUBLE_EQ(c->mean, 2e-3);
  for (const char* k : {"exp1", "exp2"}) {
    auto e = read_distribution(d.r, d.get(k));
    ASSERT_TRUE(e) << k;
    EXPECT_EQ(e->kind, Distribution::Kind::kExponential);
    EXPECT_DOUBLE_EQ(e->mean, 4e-3);
  }
  auto l = read_distribution(d.r, d.get("logn"));
  ASSERT_TRUE(l);
  EXPECT_EQ(l->kind, Distribution::Kind::kLognormal);
  EXPECT_DOUBLE_EQ(l->mean, 20e-3);
  EXPECT_NEAR(l->quantile(0.99), 120e-3, 1e-9);  // sigma solved from mean and p99
  EXPECT_NEAR(std::exp(l->mu + l->sigma * l->sigma / 2), 20e-3, 1e-12);
  auto u = read_distribution(d.r, d.get("uni"));
  ASSERT_TRUE(u);
  EXPECT_EQ(u->kind, Distribution::Kind::kUniform);
  EXPECT_DOUBLE_EQ(u->min, 1e-3);
  EXPECT_DOUBLE_EQ(u->max, 3e-3);
  EXPECT_DOUBLE_EQ(u->mean, 2e-3);
  auto e = read_distribution(d.r, d.get("emp"));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, Distribution::Kind::kEmpirical);
  ASSERT_EQ(e->values.size(), 3u);
  EXPECT_DOUBLE_EQ(e->values[0], 1e-3);
  EXPECT_DOUBLE_EQ(e->values[1], 5e-3);
  EXPECT_DOUBLE_EQ(e->values[2], 9e-3);
  EXPECT_DOUBLE_EQ(e->mean, 5e-3);
  EXPECT_EQ(d.errors(), "");
}

TEST(YamlDistribution, ReportsImpossibleParameters) {
  Doc d("below: {lognormal: {mean: 20ms, p99: 10ms}}\n"
        "equal: {lognormal: {mean: 20ms, p99: 20ms}}\n"
        "wide: {lognormal: {mean: 1ms, p99: 1s}}\n"
        "uni: {uniform: {min: 3ms, max: 1ms}}\n"
        "empty: {empirical: []}\n"
        "zero: {exponential: {mean: 0s}}\n"
        "neg: {constant: -1ms}\n"
        "item: {empirical: [1ms, fast]}\n");
  ASSERT_TRUE(d.root);
  for (const char* k : {"below", "equal", "wide", "uni", "empty", "zero", "neg", "item"}) {
    EXPECT_FALSE(read_distribution(d.r, d.get(k))) << k;
  }
  EXPECT_EQ(d.errors(),
            "f.yaml:1:38: error: lognormal p99 10ms is not above its mean 20ms; expected p99 > mean (a right-skewed "
            "tail)\n"
            "f.yaml:2:38: error: lognormal p99 20ms is not above its mean 20ms; expected p99 > mean (a right-skewed "
            "tail)\n"
            "f.yaml:3:36: error: lognormal p99 1s is more than 14.97x its mean 1ms, which no lognormal can have; "
            "expected p99 <= 15ms\n"
            "f.yaml:4:32: error: uniform max 1ms is below min 3ms; expected min <= max\n"
            "f.yaml:5:20: error: empirical distribution has no values; expected a list of durations like "
            "[4ms, 5ms, 9ms]\n"
            "f.yaml:6:28: error: duration must be positive, got '0s'; expected a duration above 0\n"
            "f.yaml:7:17: error: duration '-1ms' is out of range; expected a duration of 0 or more\n"
            "f.yaml:8:25: error: invalid duration 'fast'; expected a duration with a unit like 250us, 5ms, 10s, 5m, "
            "24h or 7d\n");
}

TEST(YamlDistribution, ReportsWrongShapes) {
  Doc d("list: [5ms]\ntypo: {exponentail: {mean: 5ms}}\ntwo: {constant: 1ms, exponential: 2ms}\n"
        "none: {}\nmissing: {lognormal: {mean: 20ms}}\n");
  ASSERT_TRUE(d.root);
  for (const char* k : {"list", "typo", "two", "none", "missing"}) {
    EXPECT_FALSE(read_distribution(d.r, d.get(k))) << k;
  }
  EXPECT_EQ(d.errors(),
            "f.yaml:1:7: error: expected a duration (constant) or one of constant, exponential: {mean}, lognormal: "
            "{mean, p99}, uniform: {min, max}, empirical: [values], got a list\n"
            "f.yaml:2:8: error: unknown key 'exponentail' in distribution; did you mean 'exponential'?\n"
            "f.yaml:3:22: error: 'constant' and 'exponential' cannot be used together in distribution; expected "
            "exactly one of constant, exponential, lognormal, uniform, empirical\n"
            "f.yaml:4:7: error: distribution has none of constant, exponential, lognormal, uniform, empirical; "
            "expected exactly one\n"
            "f.yaml:5:22: error: missing key 'p99' in lognormal; expected mean and p99, like {mean: 20ms, p99: "
            "120ms}\n");
}

}  // namespace
}  // namespace sim::core
