// Changes a closed salesops RocksDB directory behind the store's back, the
// way an intruder or a broken disk would: for tests of the hash chain.
#ifndef SALESOPS_TESTS_STORE_TAMPER_H_
#define SALESOPS_TESTS_STORE_TAMPER_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"

namespace salesops::testing {

// Flips the bits of byte `offset` of the stored event at `position`.
absl::Status FlipEventByte(const std::string& db_path, uint64_t position, size_t offset);
// Deletes every key of one column family (e.g. "chain": a format-1 log).
absl::Status ClearFamily(const std::string& db_path, const std::string& family);
// Writes (or, with DeleteKey, deletes) one key of one column family.
absl::Status PutKey(const std::string& db_path, const std::string& family, const std::string& key,
                    const std::string& value);
absl::Status DeleteKey(const std::string& db_path, const std::string& family, const std::string& key);
// A bad disk under a table block: flushes `family` to its table files, then
// flips the byte where `needle` first occurs in one of them (its block's
// checksum then fails). NOT_FOUND when none of them holds `needle`.
absl::Status FlipTableByte(const std::string& db_path, const std::string& family, const std::string& needle);

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_STORE_TAMPER_H_
