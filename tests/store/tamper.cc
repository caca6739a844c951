#include "tests/store/tamper.h"

#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/str_cat.h"
#include "rocksdb/db.h"
#include "rocksdb/metadata.h"
#include "server/store/keys.h"

namespace salesops::testing {
namespace {

// Opens every column family the directory has.
struct RawDb {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::vector<std::string> names;

  ~RawDb() {
    for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
    if (db) db->Close();
  }

  absl::Status Open(const std::string& path) {
    rocksdb::Status s = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), path, &names);
    if (!s.ok()) return absl::UnavailableError(s.ToString());
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    // Uncompressed, as the store writes them, so table files hold the bytes
    // as written.
    rocksdb::ColumnFamilyOptions cf_options;
    cf_options.compression = rocksdb::kNoCompression;
    for (const std::string& n : names) descriptors.emplace_back(n, cf_options);
    rocksdb::DB* raw = nullptr;
    s = rocksdb::DB::Open(rocksdb::DBOptions(), path, descriptors, &handles, &raw);
    if (!s.ok()) return absl::UnavailableError(s.ToString());
    db.reset(raw);
    return absl::OkStatus();
  }

  rocksdb::ColumnFamilyHandle* Family(const std::string& name) {
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return handles[i];
    }
    return nullptr;
  }
};

}  // namespace

absl::Status FlipEventByte(const std::string& db_path, uint64_t position, size_t offset) {
  RawDb raw;
  if (absl::Status s = raw.Open(db_path); !s.ok()) return s;
  rocksdb::ColumnFamilyHandle* events = raw.Family(store::keys::kEventsFamily);
  std::string value;
  rocksdb::Status s = raw.db->Get(rocksdb::ReadOptions(), events, store::keys::PositionKey(position), &value);
  if (!s.ok()) return absl::NotFoundError(s.ToString());
  if (offset >= value.size()) return absl::OutOfRangeError(absl::StrCat("event has ", value.size(), " bytes"));
  value[offset] = static_cast<char>(~value[offset]);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  s = raw.db->Put(wo, events, store::keys::PositionKey(position), value);
  return s.ok() ? absl::OkStatus() : absl::UnavailableError(s.ToString());
}

absl::Status ClearFamily(const std::string& db_path, const std::string& family) {
  RawDb raw;
  if (absl::Status s = raw.Open(db_path); !s.ok()) return s;
  rocksdb::ColumnFamilyHandle* cf = raw.Family(family);
  if (cf == nullptr) return absl::NotFoundError(family);
  std::unique_ptr<rocksdb::Iterator> it(raw.db->NewIterator(rocksdb::ReadOptions(), cf));
  rocksdb::WriteBatch wb;
  for (it->SeekToFirst(); it->Valid(); it->Next()) wb.Delete(cf, it->key());
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const rocksdb::Status s = raw.db->Write(wo, &wb);
  return s.ok() ? absl::OkStatus() : absl::UnavailableError(s.ToString());
}

namespace {

absl::Status WriteOne(const std::string& db_path, const std::string& family,
                      absl::FunctionRef<void(rocksdb::WriteBatch&, rocksdb::ColumnFamilyHandle*)> change) {
  RawDb raw;
  if (absl::Status s = raw.Open(db_path); !s.ok()) return s;
  rocksdb::ColumnFamilyHandle* cf = raw.Family(family);
  if (cf == nullptr) return absl::NotFoundError(family);
  rocksdb::WriteBatch wb;
  change(wb, cf);
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const rocksdb::Status s = raw.db->Write(wo, &wb);
  return s.ok() ? absl::OkStatus() : absl::UnavailableError(s.ToString());
}

}  // namespace

absl::Status PutKey(const std::string& db_path, const std::string& family, const std::string& key,
                    const std::string& value) {
  return WriteOne(db_path, family, [&](rocksdb::WriteBatch& wb, rocksdb::ColumnFamilyHandle* cf) {
    wb.Put(cf, key, value);
  });
}

absl::Status DeleteKey(const std::string& db_path, const std::string& family, const std::string& key) {
  return WriteOne(db_path, family, [&](rocksdb::WriteBatch& wb, rocksdb::ColumnFamilyHandle* cf) { wb.Delete(cf, key); });
}

absl::Status FlipTableByte(const std::string& db_path, const std::string& family, const std::string& needle) {
  std::vector<std::string> files;
  {
    RawDb raw;
    if (absl::Status s = raw.Open(db_path); !s.ok()) return s;
    rocksdb::ColumnFamilyHandle* cf = raw.Family(family);
    if (cf == nullptr) return absl::NotFoundError(family);
    if (rocksdb::Status s = raw.db->Flush(rocksdb::FlushOptions(), cf); !s.ok()) {
      return absl::UnavailableError(s.ToString());
    }
    std::vector<rocksdb::LiveFileMetaData> live;
    raw.db->GetLiveFilesMetaData(&live);
    for (const rocksdb::LiveFileMetaData& f : live) {
      if (f.column_family_name == family) files.push_back(f.db_path + "/" + f.name);
    }
  }
  for (const std::string& file : files) {
    std::string bytes;
    {
      std::ifstream in(file, std::ios::binary);
      bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    const size_t at = bytes.find(needle);
    if (at == std::string::npos) continue;
    bytes[at] = static_cast<char>(~bytes[at]);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return out.good() ? absl::OkStatus() : absl::UnavailableError(absl::StrCat("cannot write ", file));
  }
  return absl::NotFoundError(absl::StrCat("no table file of ", family, " holds '", needle, "'"));
}

}  // namespace salesops::testing
