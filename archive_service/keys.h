// Every RocksDB key of the archive, in one place. FORMAT.md beside this file
// describes the same layout in prose with a worked example. Values are the
// protobuf messages in proto/junheng/internal/archive_records.proto.
//
// Integers in keys are 8-byte big-endian so that byte order is numeric
// order. Text segments are terminated by 0x00, which the validated ids
// (digits, [a-z0-9-]) never contain, so a segment prefix never matches a
// longer id.
//
// Column families (the names are the format; never rename one):
//
//   default     "format_version" -> "3"
//               FreezeKey -> FreezeRecord: an inspection freeze
//               FreezeKey = "freeze" 0x00 county 0x00 [school]
//
//   evidence    EvidenceKey -> EvidenceRecord
//               EvidenceKey = county 0x00 [school] 0x00 evidence 0x00
//               +--------+----+----------+----+----------+----+
//               | county | 00 | school   | 00 | evidence | 00 |
//               | 6 B    |    | 0 or 10 B|    | 1-63 B   |    |
//               +--------+----+----------+----+----------+----+
//               County-level evidence has an empty school, so it sorts
//               before every school of its county.
//
//   versions    EvidenceKey | version u64be -> VersionRecord
//
//   contents    sha256 (32 B) -> ContentRecord (size, chunk list, refcount)
//
//   chunks      sha256 (32 B) -> the chunk's bytes. Integrated BlobDB.
//   chunk_refs  sha256 (32 B) -> refcount u64be: how many contents use the
//               chunk. A chunk with no chunk_refs entry belongs to an upload
//               in flight (see staging) or is garbage from a crash.
//
//   indicators  code 0x00 EvidenceKey -> "" (index: evidence by indicator)
//
//   requests    request_id -> RequestRecord (idempotent upload retries)
//
//   staging     upload u64be | sha256 -> "": a chunk an upload in flight
//               wrote before its commit. Written in the same batch as the
//               chunk, deleted in the commit batch; at start-up every
//               remaining entry that is not one of a live upload session's
//               chunks is an upload that never committed, and its
//               unreferenced chunks are deleted.
//
//   audit       sequence u64be -> AuditRecord
//
//   upload_sessions (format 3)
//               request_id -> UploadSessionRecord: a resumable upload cut
//               before it completed, with the chunks it holds (staged under
//               its upload id). Deleted in its commit batch, or when
//               abandoned or expired.
#ifndef JUNHENG_ARCHIVE_SERVICE_KEYS_H_
#define JUNHENG_ARCHIVE_SERVICE_KEYS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"
#include "common/big_endian.h"
#include "common/resource_name.h"
#include "common/sha256.h"

namespace junheng::archive {

// Column family names, in the order the store opens them.
inline constexpr const char* kColumnFamilies[] = {
    "default", "evidence",   "versions",       "contents",
    "chunks",  "chunk_refs", "indicators",     "requests",
    "staging", "audit",      "upload_sessions"};
enum ColumnFamily : int {
  kDefaultCf = 0,
  kEvidenceCf = 1,
  kVersionsCf = 2,
  kContentsCf = 3,
  kChunksCf = 4,
  kChunkRefsCf = 5,
  kIndicatorsCf = 6,
  kRequestsCf = 7,
  kStagingCf = 8,
  kAuditCf = 9,
  kUploadSessionsCf = 10,
  kNumColumnFamilies = 11,
};

inline constexpr char kFormatVersionKey[] = "format_version";
inline constexpr char kFormatVersion[] = "3";
// Format 2 is format 3 without upload sessions: opening one creates the
// empty upload_sessions family and records "3". Format 3 is refused by
// older builds, whose start-up would take a session's staged chunks for
// leftovers of a crash and delete them.
inline constexpr char kUpgradableFormat[] = "2";

std::string EvidenceKey(const EvidenceName& name);
std::optional<EvidenceName> DecodeEvidenceKey(absl::string_view key);
// The prefix of every EvidenceKey under `parent` (a county: its own evidence
// and its schools'; a school: its own; an empty county: everything).
std::string ParentPrefix(const Parent& parent);

std::string VersionKey(const EvidenceName& name, uint64_t version);
std::string VersionKeyFromEvidenceKey(absl::string_view evidence_key,
                                      uint64_t version);
// The version number in a versions key.
uint64_t VersionOfKey(absl::string_view version_key);

std::string IndicatorKey(absl::string_view code,
                         absl::string_view evidence_key);
std::string IndicatorPrefix(absl::string_view code);
// The EvidenceKey inside an indicators key.
absl::string_view EvidenceKeyOfIndicatorKey(absl::string_view key);

std::string StagingKey(uint64_t upload_id, const Sha256Digest& chunk);
// The chunk digest in a staging key.
absl::string_view ChunkOfStagingKey(absl::string_view key);
// The upload id in a staging key.
uint64_t UploadOfStagingKey(absl::string_view key);

std::string U64Key(uint64_t v);  // audit sequence numbers, refcounts

// The freeze record of a county (empty school) or a school.
std::string FreezeKey(const Parent& place);

}  // namespace junheng::archive

#endif  // JUNHENG_ARCHIVE_SERVICE_KEYS_H_
