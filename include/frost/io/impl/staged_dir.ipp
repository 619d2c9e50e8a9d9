// frost/io/impl/staged_dir.ipp: the definitions of io/staged_dir.hpp (the header includes this
// file, or one unit of a FROST_SEPARATE_COMPILATION program does: frost/impl/src.hpp).
#pragma once

#include <sys/stat.h>
#include <cerrno>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "../staged_dir.hpp"

namespace frost::io {

namespace detail {

struct ManifestEntry {
  std::string name;
  std::uint64_t size = 0;
  std::string crc32c;
};

inline bool is_crc_hex(const std::string& s) {
  return s.size() == 8 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The manifest file parsed as JSON; frost::Error naming it when unreadable or not JSON.
inline nlohmann::json read_manifest_json(const std::string& manifest) {
  std::ifstream in(manifest, std::ios::binary);
  FROST_CHECK(in.good(), manifest + ": cannot open it (" + errno_text() + ")");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  FROST_CHECK(!in.bad(), manifest + ": read failed");
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(manifest + ": not valid JSON (" + e.what() + ")");
  }
}

// files[i] of a manifest, checked: an object with a plain "name", an unsigned "size" and a
// "crc32c" of 8 lowercase hex digits.
inline ManifestEntry parse_manifest_entry(const nlohmann::json& e, const std::string& manifest, std::size_t i) {
  const std::string where = manifest + ": files[" + std::to_string(i) + "]";
  FROST_CHECK(e.is_object(), where + " must be an object with \"name\", \"size\" and \"crc32c\"");
  const auto name = e.find("name");
  FROST_CHECK(name != e.end() && name->is_string(), where + ".name must be a string");
  const auto size = e.find("size");
  FROST_CHECK(size != e.end() && size->is_number_unsigned(), where + ".size must be a non-negative integer (bytes)");
  const auto crc = e.find("crc32c");
  FROST_CHECK(crc != e.end() && crc->is_string() && is_crc_hex(crc->get<std::string>()),
              where + ".crc32c must be a string of 8 lowercase hex digits");
  ManifestEntry entry{name->get<std::string>(), size->get<std::uint64_t>(), crc->get<std::string>()};
  FROST_CHECK(is_plain_name(entry.name),
              where + ".name \"" + entry.name + "\" must be a plain file name (no '/', not \".\" or \"..\")");
  return entry;
}

// The entries of a manifest, checked (format string, field types, names unique and plain).
inline std::vector<ManifestEntry> parse_manifest(const std::string& manifest) {
  const nlohmann::json j = read_manifest_json(manifest);
  FROST_CHECK(j.is_object(), manifest + ": must be a JSON object with \"format\" and \"files\"");
  const auto format = j.find("format");
  FROST_CHECK(format != j.end() && format->is_string() && format->get<std::string>() == kManifestFormat,
              manifest + ": \"format\" must be \"" + kManifestFormat + "\"" +
                  (format == j.end() ? std::string(" (it is missing)") : " (found " + format->dump() + ")"));
  const auto files = j.find("files");
  FROST_CHECK(files != j.end() && files->is_array(), manifest + ": \"files\" must be an array");
  std::vector<ManifestEntry> entries;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < files->size(); ++i) {
    entries.push_back(parse_manifest_entry((*files)[i], manifest, i));
    FROST_CHECK(seen.insert(entries.back().name).second,
                manifest + ": files[" + std::to_string(i) + "].name \"" + entries.back().name + "\" is listed twice");
  }
  return entries;
}

// One listed file against its entry: present, a regular file (after symbolic links), the size
// and the CRC-32C listed.
inline void check_manifest_entry(const Path& dir, const ManifestEntry& e, const std::string& manifest) {
  const std::string file = (dir / e.name).string();
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) {
    FROST_CHECK(errno != ENOENT, file + ": listed in " + manifest + " but missing");
    throw Error(file + ": cannot inspect it (" + errno_text() + ")");
  }
  FROST_CHECK(S_ISREG(st.st_mode), file + ": listed in " + manifest + " as a file, but it is not a regular file");
  const auto size = static_cast<std::uint64_t>(st.st_size);
  FROST_CHECK(size == e.size, file + ": size " + std::to_string(size) + " bytes, " + manifest + " says " +
                                  std::to_string(e.size) +
                                  ": the file is truncated or was modified after it was written");
  const std::string found = crc32c_hex(crc32c_file(file));
  FROST_CHECK(found == e.crc32c, file + ": CRC32C mismatch with " + manifest + " (expected " + e.crc32c + ", found " +
                                     found + "): the file is corrupt or was modified after it was written");
}

}  // namespace detail

FROST_DECL bool verify_manifest(const std::filesystem::path& dir) {
  const std::string manifest = (dir / kManifestName).string();
  struct stat st {};
  if (::stat(manifest.c_str(), &st) != 0) {
    FROST_CHECK(errno == ENOENT || errno == ENOTDIR, manifest + ": cannot inspect it (" + detail::errno_text() + ")");
    return false;
  }
  for (const auto& entry : detail::parse_manifest(manifest)) detail::check_manifest_entry(dir, entry, manifest);
  return true;
}

FROST_DECL void StagedDirectory::seal() const {
  const auto files = detail::top_level_files(path_);
  for (const auto& name : files) detail::fsync_file(path_ / name);
  crash_point("staged:before-manifest");
  nlohmann::json list = nlohmann::json::array();
  for (const auto& name : files) {
    const std::string f = file(name);
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(f, ec);
    FROST_CHECK(!ec, f + ": cannot read its size (" + ec.message() + ")");
    list.push_back({{"name", name}, {"size", size}, {"crc32c", crc32c_hex(crc32c_file(f))}});
  }
  const nlohmann::json manifest = {{"format", kManifestFormat}, {"files", std::move(list)}};
  std::string text;
  try {
    text = manifest.dump(2) + "\n";
  } catch (const nlohmann::json::exception& e) {
    throw Error(target_.string() + ": a file name cannot be written to " + kManifestName + " (" + e.what() + ")");
  }
  write_file_atomic(file(kManifestName), text);
  detail::fsync_dir(path_);
}

}  // namespace frost::io
