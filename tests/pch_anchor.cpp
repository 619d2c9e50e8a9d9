// Compiles nothing of its own: it carries the precompiled header the test executables reuse
// (tests/CMakeLists.txt, frost_test_pch and frost_unit_test_pch).
