/*
 * fuzz: the entry point every fuzz target defines, called by libFuzzer
 * (-DCIFORM_FUZZ=ON) or by driver.c, which replays the corpora in the test suite.
 */
#ifndef CIFORM_TESTS_FUZZ_H
#define CIFORM_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
