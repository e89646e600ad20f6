#ifndef PRENSA_CFUZZDRIVER_H
#define PRENSA_CFUZZDRIVER_H

#include <stddef.h>
#include <stdint.h>

/// Runs libFuzzer (its command line in argc/argv) on `test_one_input`. SwiftPM names an
/// executable's entry point `<Module>_main`, so each fuzz target defines that and calls this
/// instead of relying on libFuzzer's own `main`.
int prensa_fuzz_main(int argc, char **argv, int (*test_one_input)(const uint8_t *data, size_t size));

#endif
