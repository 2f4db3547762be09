// keyledger: read-only tools for auditors and operators. Every command
// reads a live ledger safely beside a running keyledgerd and never writes
// to it.
#include "tools/cli.h"

int main(int argc, char** argv) { return keyledger::tools::run_keyledger(argc, argv); }
