// infrasim import FILE...: nginx configurations, Kubernetes manifests and
// docker-compose files -> one topology on stdout (or -o FILE), with a header
// that lists what was mapped, what is not modelled yet and what was ignored,
// each with file:line (sim/import/importer.h). The output is checked with the
// topology loader before it is written: what import prints, validate accepts.
#include <cstdio>

#include "sim/cli/cli.h"
#include "sim/core/exit_status.h"
#include "sim/import/importer.h"
#include "sim/runs/output.h"
#include "sim/topology/loader.h"

namespace sim::cli {

std::function<int()> add_import(CLI::App& app, const GlobalOptions& global) {
  struct Opts {
    std::vector<std::string> files;
    std::string upstream, name, out;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("files", o->files, "nginx .conf files, Kubernetes manifests (Deployment, HorizontalPodAutoscaler), "
                                    "docker-compose files")
      ->required();
  app.add_option("--upstream", o->upstream, "the nginx upstream to import (default: the file's only one)");
  app.add_option("--name", o->name, "the topology's name (default: from the files)");
  app.add_option("-o,--output", o->out, "write the topology here instead of stdout (only when the import succeeds)");
  app.footer("The mapping of every field is in docs/ecosystem.md.\n"
             "Exit status: 0 written, 2 bad input (located errors on stderr; nothing written).");
  return [o, &global]() {
    (void)global;
    import::ImportRequest req;
    req.files = o->files;
    req.upstream = o->upstream;
    req.name = o->name;
    req.command_line = "infrasim import";
    for (const auto& f : o->files) req.command_line += " " + f;
    if (!o->upstream.empty()) req.command_line += " --upstream " + o->upstream;
    core::Diagnostics diags;
    auto text = import::import_topology(req, diags);
    if (!text) {
      std::fputs(diags.format().c_str(), stderr);
      return static_cast<int>(core::kBadInput);
    }
    // Only a topology is checked here: an HPA alone gives a scenario fragment.
    if (text->find("\ncomponents:\n") != std::string::npos) {
      core::Diagnostics check;
      std::string as = o->out.empty() ? "<import output>" : o->out;
      if (!topology::parse_topology(as, *text, check)) {
        std::fprintf(stderr, "internal error: infrasim import wrote a topology that does not validate:\n%s",
                     check.format().c_str());
        return static_cast<int>(core::kInternal);
      }
    }
    if (o->out.empty()) {
      std::fputs(text->c_str(), stdout);
      return static_cast<int>(core::kOk);
    }
    if (std::string err = runs::write_file(o->out, *text); !err.empty()) {
      std::fprintf(stderr, "infrasim import: %s; expected a writable path for -o\n", err.c_str());
      return static_cast<int>(core::kBadInput);
    }
    return static_cast<int>(core::kOk);
  };
}

}  // namespace sim::cli
