// The translation unit that precompiles tests/precompiled.h (SALESOPS_PCH,
// CMakeLists.txt).
