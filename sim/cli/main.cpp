// The infrasim executable: everything lives in infrasim_core (sim/cli/cli.h).
#include "sim/cli/cli.h"

int main(int argc, char** argv) { return sim::cli::main(argc, argv); }
