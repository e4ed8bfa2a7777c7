// core/source.h and the Reader helpers built on it: positions, relative paths,
// the one "unknown X; did you mean / expected one of" message, and reading a
// mapping's key into a field.
#include <gtest/gtest.h>

#include "sim/core/source.h"
#include "sim/core/yaml_reader.h"

namespace sim::core {
namespace {

TEST(Source, ResolvesPathsAgainstTheFileThatNamesThem) {
  EXPECT_EQ(resolve_path("scenarios/x.yaml", "../topologies/t.yaml"), "topologies/t.yaml");
  EXPECT_EQ(resolve_path("scenarios/sub/x.yaml", "t.yaml"), "scenarios/sub/t.yaml");
  EXPECT_EQ(resolve_path("x.yaml", "t.yaml"), "t.yaml");
  EXPECT_EQ(resolve_path("scenarios/x.yaml", "/abs/./t.yaml"), "/abs/t.yaml");
}

TEST(Source, JoinsAndTrims) {
  EXPECT_EQ(join({}), "");
  EXPECT_EQ(join({"a"}), "a");
  EXPECT_EQ(join({"a", "b", "c"}), "a, b, c");
  EXPECT_EQ(join({"a", "b"}, " -> "), "a -> b");
  EXPECT_EQ(trim(" \t x y \t"), "x y");
  EXPECT_EQ(trim("   "), "");
}

TEST(Source, UnknownNameSuggestsOrListsOnce) {
  std::vector<std::string> known = {"app", "cache", "db"};
  EXPECT_EQ(unknown_name({.noun = "component", .name = "dbx"}, known), "unknown component 'dbx'; did you mean 'db'?");
  EXPECT_EQ(unknown_name({.noun = "component", .name = "queue"}, known),
            "unknown component 'queue'; expected one of app, cache, db");
  // Where, a prefix, and duplicates in the known names listed once.
  EXPECT_EQ(unknown_name({.noun = "key", .name = "zzz", .in = "health_check"}, {"interval", "timeout", "interval"}),
            "unknown key 'zzz' in health_check; expected one of interval, timeout");
  EXPECT_EQ(unknown_name({.noun = "component", .name = "wep", .prefix = "tier 'web' names "}, {"web"}),
            "tier 'web' names unknown component 'wep'; did you mean 'web'?");
  // Nothing known: the caller says why.
  EXPECT_EQ(unknown_name({.noun = "region", .name = "eu", .prefix = "", .none = "the topology has none"}, {}),
            "unknown region 'eu'; the topology has none");
}

TEST(ReaderHelpers, PositionsAreOneBasedAndErrorsGoWhereTheyWereKept) {
  Diagnostics d;
  auto root = parse_yaml("a.yaml", "name: shop\nlb:\n  replicas: 3\n", d);
  ASSERT_TRUE(root) << d.format();
  Reader r("a.yaml", d);
  SourcePos p = r.pos((*root)["lb"]["replicas"]);
  EXPECT_EQ(p.file, "a.yaml");
  EXPECT_EQ(p.line, 3);
  EXPECT_EQ(p.column, 13);
  EXPECT_EQ(r.pos(YAML::Mark::null_mark()).line, 0);
  r.error(p, "too many; expected fewer");
  EXPECT_EQ(d.format_short(), "a.yaml:3:13: error: too many; expected fewer\n");
}

TEST(ReaderHelpers, ReadIntoAFieldOnlyWhenPresentAndValid) {
  Diagnostics d;
  auto root = parse_yaml("a.yaml", "interval: 5s\nreplicas: 3\nbad: 7x\nname: lb\n", d);
  ASSERT_TRUE(root) << d.format();
  Reader r("a.yaml", d);
  MapView m(r, *root, "lb", {"interval", "replicas", "bad", "name", "absent"});
  double interval = 1, bad = 2, absent = 3;
  int replicas = 1;
  std::string name = "x";
  EXPECT_TRUE(m.read("interval", &Reader::positive_duration, &interval));
  EXPECT_TRUE(m.read("replicas", &Reader::integer, &replicas, 1, 100));
  EXPECT_TRUE(m.read("name", &Reader::string, &name, "a name"));
  EXPECT_FALSE(m.read("bad", &Reader::duration, &bad));
  EXPECT_FALSE(m.read("absent", &Reader::duration, &absent));
  EXPECT_DOUBLE_EQ(interval, 5);
  EXPECT_EQ(replicas, 3);
  EXPECT_EQ(name, "lb");
  EXPECT_DOUBLE_EQ(bad, 2);     // invalid: reported, left as it was
  EXPECT_DOUBLE_EQ(absent, 3);  // absent: the default stays
  EXPECT_EQ(d.error_count(), 1u);
  EXPECT_NE(d.format_short().find("a.yaml:3:6: error: invalid duration '7x'"), std::string::npos) << d.format();
  // Out of range is reported by the conversion, and the field keeps its value.
  Diagnostics d2;
  auto root2 = parse_yaml("b.yaml", "replicas: 0\n", d2);
  Reader r2("b.yaml", d2);
  MapView m2(r2, *root2, "app", {"replicas"});
  EXPECT_FALSE(m2.read("replicas", &Reader::integer, &replicas, 1, 100));
  EXPECT_EQ(replicas, 3);
  EXPECT_EQ(d2.error_count(), 1u);
}

TEST(ReaderHelpers, SetIfConverts) {
  int n = 1;
  EXPECT_FALSE(set_if(std::optional<long long>(), &n));
  EXPECT_EQ(n, 1);
  EXPECT_TRUE(set_if(std::optional<long long>(7), &n));
  EXPECT_EQ(n, 7);
}

TEST(ReaderHelpers, UnknownKeysAndChoicesUseTheOneMessage) {
  Diagnostics d;
  auto root = parse_yaml("a.yaml", "intervl: 5s\nalgorithm: rund_robin\n", d);
  Reader r("a.yaml", d);
  MapView m(r, *root, "health_check", {"interval", "algorithm"});
  r.choice((*root)["algorithm"], "algorithm", {"round_robin", "least_conn"});
  EXPECT_EQ(d.format_short(),
            "a.yaml:1:1: error: unknown key 'intervl' in health_check; did you mean 'interval'?\n"
            "a.yaml:2:12: error: unknown algorithm 'rund_robin'; did you mean 'round_robin'?\n");
}

}  // namespace
}  // namespace sim::core
