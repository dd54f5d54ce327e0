#include "clients/audit_verify.h"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/audit_chain.h"

namespace junheng {

std::string ChainHead::ToString() const {
  return absl::StrCat(sequence, ":", hash);
}

absl::StatusOr<ChainHead> ParseChainHead(absl::string_view text) {
  const size_t colon = text.find(':');
  ChainHead head;
  if (colon == absl::string_view::npos ||
      !absl::SimpleAtoi(text.substr(0, colon), &head.sequence) ||
      head.sequence < 0 || text.size() - colon - 1 != 64 ||
      (head.sequence == 0 && text.substr(colon + 1) != kGenesisHash)) {
    return absl::InvalidArgumentError(
        "a chain head is SEQUENCE:HASH, as `junheng audit head` prints it");
  }
  head.hash = std::string(text.substr(colon + 1));
  return head;
}

bool ChainVerifier::Fail(int64_t sequence, std::string what) {
  if (!problem_) problem_ = AuditProblem{sequence, std::move(what)};
  return false;
}

bool ChainVerifier::Add(const v1::AuditEntry& e) {
  if (problem_) return false;
  const int64_t seq = e.sequence();
  if (seq <= last_sequence_) {
    return Fail(seq, absl::StrCat("entry ", seq, " comes after entry ",
                                  last_sequence_, ": the log is out of order"));
  }
  const int64_t expected = last_sequence_ + 1;
  if (contiguous_ && seq != expected) {
    return Fail(expected, absl::StrCat("entries ", expected, " to ", seq - 1,
                                       " are missing: the log was cut"));
  }
  const std::string computed = AuditEntryHash(e);
  if (computed != e.hash()) {
    return Fail(seq,
                absl::StrCat("entry ", seq, " was altered: its fields hash to ",
                             computed, ", not the recorded ", e.hash()));
  }
  if (seq == 1 && e.previous_hash() != kGenesisHash) {
    return Fail(seq,
                "entry 1 does not start the chain (its previous_hash "
                "is not 64 zeros)");
  }
  if (seq == expected && last_sequence_ > 0 &&
      e.previous_hash() != last_hash_) {
    return Fail(seq,
                absl::StrCat("entry ", seq, " does not follow entry ",
                             last_sequence_, ": its previous_hash is ",
                             e.previous_hash(), ", the entry before hashes to ",
                             last_hash_, " (an entry was replaced)"));
  }
  if (head_ && seq == head_->sequence && e.hash() != head_->hash) {
    return Fail(seq, absl::StrCat("entry ", seq, " hashes to ", e.hash(),
                                  ", not the published head ", head_->hash,
                                  ": the log was rewritten up to here"));
  }
  if (head_ && seq == head_->sequence) head_seen_ = true;
  ++entries_;
  last_sequence_ = seq;
  last_hash_ = e.hash();
  return true;
}

bool ChainVerifier::Finish() {
  if (problem_) return false;
  if (head_ && !head_seen_ && last_sequence_ > head_->sequence) {
    return Fail(head_->sequence,
                absl::StrCat("entry ", head_->sequence,
                             " (the published head) is not among the entries "
                             "you may read; verify as admin"));
  }
  if (head_ && last_sequence_ < head_->sequence) {
    return Fail(head_->sequence,
                absl::StrCat("the log ends at entry ", last_sequence_,
                             ", before the published head ", head_->sequence,
                             ": entries were removed"));
  }
  return true;
}

}  // namespace junheng
