// Verifying an audit hash chain from the entries alone (common/audit_chain.h
// defines the hash): every entry's hash recomputed, every link to the entry
// before it checked, and optionally a published head compared.
#ifndef JUNHENG_CLIENTS_AUDIT_VERIFY_H_
#define JUNHENG_CLIENTS_AUDIT_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "junheng/v1/audit.pb.h"

namespace junheng {

struct AuditProblem {
  int64_t sequence = 0;
  std::string what;
};

// A published chain head: "SEQUENCE:HASH".
struct ChainHead {
  int64_t sequence = 0;
  std::string hash;
  std::string ToString() const;
};
absl::StatusOr<ChainHead> ParseChainHead(absl::string_view text);

class ChainVerifier {
 public:
  // `contiguous`: the entries are the whole log from sequence 1, so a gap
  // is a problem (an unfiltered read by an admin or a nation inspector);
  // otherwise gaps are entries the reader may not see.
  ChainVerifier(bool contiguous, std::optional<ChainHead> head)
      : contiguous_(contiguous), head_(std::move(head)) {}

  // Takes the next entry in sequence order; false once a problem is found.
  bool Add(const v1::AuditEntry& entry);
  // After the last entry: checks that the published head was reached.
  bool Finish();

  const std::optional<AuditProblem>& problem() const { return problem_; }
  int64_t entries() const { return entries_; }
  // The newest entry seen: what to publish as the head.
  ChainHead last() const { return {last_sequence_, last_hash_}; }

 private:
  bool Fail(int64_t sequence, std::string what);

  const bool contiguous_;
  const std::optional<ChainHead> head_;
  std::optional<AuditProblem> problem_;
  bool head_seen_ = false;
  int64_t entries_ = 0;
  int64_t last_sequence_ = 0;
  std::string last_hash_;
};

}  // namespace junheng

#endif  // JUNHENG_CLIENTS_AUDIT_VERIFY_H_
