// CRC-32C (Castagnoli), as RocksDB, iSCSI and ext4 use it, computed with
// the CPU's CRC32 instruction where it has one (SSE4.2: every x86-64 server
// of the last decade) and byte by byte otherwise.
//
// Why our own: Debian builds RocksDB portably, without SSE4.2, so its
// checksum of every blob it reads runs in software at about 1 GB/s and was
// most of the archive server's work in a download. The archive records a
// CRC-32C of each chunk at upload and checks it on the way out instead
// (archive_service/FORMAT.md, RELIABILITY.md "Verifying downloads").
#ifndef JUNHENG_COMMON_CRC32C_H_
#define JUNHENG_COMMON_CRC32C_H_

#include <cstdint>

#include "absl/strings/string_view.h"

namespace junheng {

// The CRC-32C of `data` continuing from `crc` (0 to start): Crc32c("a" "b")
// == Crc32c("b", Crc32c("a")). Crc32c("123456789") == 0xE3069283.
uint32_t Crc32c(absl::string_view data, uint32_t crc = 0);

}  // namespace junheng

#endif  // JUNHENG_COMMON_CRC32C_H_
