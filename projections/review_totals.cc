#include "projections/review_totals.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "openssl/evp.h"
#include "server/common/log.h"

namespace salesops::projections {
namespace {

// SHA-256 of one position, 8-byte big-endian. One context per thread: the
// views' applying thread and readers each hash without sharing.
std::array<unsigned char, 32> HashPosition(uint64_t position) {
  struct Hasher {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Hasher() {
      EVP_MD_CTX_free(ctx);
      EVP_MD_free(md);
    }
  };
  thread_local Hasher hasher;
  unsigned char bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(position >> (56 - 8 * i));
  std::array<unsigned char, 32> out{};
  unsigned int len = 0;
  // A digest that silently came out as zeros would make every review's
  // digest equal: a broken OpenSSL stops the server instead.
  if (hasher.md == nullptr || hasher.ctx == nullptr || EVP_DigestInit_ex(hasher.ctx, hasher.md, nullptr) != 1 ||
      EVP_DigestUpdate(hasher.ctx, bytes, sizeof bytes) != 1 || EVP_DigestFinal_ex(hasher.ctx, out.data(), &len) != 1 ||
      len != out.size()) {
    LogError("review digest: OpenSSL's SHA-256 is unavailable");
    std::abort();
  }
  return out;
}

// a += b modulo 2^256 (little-endian limbs).
void AddLimbs(std::array<uint64_t, 4>& a, const std::array<uint64_t, 4>& b) {
  uint64_t carry = 0;
  for (size_t i = 0; i < 4; ++i) {
    const uint64_t s = a[i] + b[i];
    const uint64_t c1 = s < a[i] ? 1 : 0;
    a[i] = s + carry;
    const uint64_t c2 = a[i] < s ? 1 : 0;
    carry = c1 | c2;
  }
}

}  // namespace

void PositionDigest::Add(uint64_t position) {
  const std::array<unsigned char, 32> h = HashPosition(position);
  std::array<uint64_t, 4> limbs{};
  for (size_t i = 0; i < 32; ++i) {  // h is big-endian: byte 0 is the most significant
    limbs[3 - i / 8] = (limbs[3 - i / 8] << 8) | h[i];
  }
  AddLimbs(limbs_, limbs);
  ++count_;
}

void PositionDigest::Merge(const PositionDigest& o) {
  AddLimbs(limbs_, o.limbs_);
  count_ += o.count_;
}

std::string PositionDigest::ToString() const {
  std::string bytes;
  bytes.reserve(32);
  for (size_t i = 0; i < 4; ++i) {
    const uint64_t limb = limbs_[3 - i];
    for (int shift = 56; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((limb >> shift) & 0xff));
  }
  return absl::StrCat("sha256-sum:", absl::BytesToHexString(bytes));
}

void ReviewTotals::Add(const Fact& f) {
  if (f.position != last_position_) {
    inputs.Add(f.position);
    last_position_ = f.position;
  }
  ++count[static_cast<size_t>(f.kind) % count.size()];
  const bool timed = f.duration != absl::InfiniteDuration();
  switch (f.kind) {
    case FactKind::kWon: {
      auto& [amount, deals] = won[f.currency];
      amount += f.amount_minor;
      ++deals;
      if (timed) cycle.Add(f.duration);
      break;
    }
    case FactKind::kStageTime:
      if (timed) stage_time[f.code].Add(f.duration);
      break;
    case FactKind::kOwnerSurvey:
      owner_survey_sum += f.q + f.a + f.s;
      ++owner_surveys;
      break;
    case FactKind::kQualified:
    case FactKind::kDisqualified:
      if (timed) turnaround.Add(f.duration);
      break;
    case FactKind::kDelivered:
      if (timed) delivery.Add(f.duration);
      break;
    case FactKind::kResolved:
      if (timed) {
        resolution.Add(f.duration);
        severity_time[f.code].Add(f.duration);
      }
      break;
    case FactKind::kResolverSurvey:
      q_sum += f.q;
      a_sum += f.a;
      s_sum += f.s;
      ++resolver_surveys;
      break;
    case FactKind::kHandOffDelay:
      if (timed) handoff[static_cast<size_t>(f.role) % handoff.size()].Add(f.duration);
      break;
    case FactKind::kTrained:
      if (timed) training += f.duration;
      training_sessions += f.code;
      break;
    default:
      break;
  }
}

void ReviewTotals::Merge(const ReviewTotals& o) {
  for (size_t i = 0; i < count.size(); ++i) count[i] += o.count[i];
  cycle.Merge(o.cycle);
  turnaround.Merge(o.turnaround);
  delivery.Merge(o.delivery);
  resolution.Merge(o.resolution);
  for (size_t i = 0; i < handoff.size(); ++i) handoff[i].Merge(o.handoff[i]);
  for (const auto& [currency, sum] : o.won) {
    auto& mine = won[currency];
    mine.first += sum.first;
    mine.second += sum.second;
  }
  for (const auto& [stage, sum] : o.stage_time) stage_time[stage].Merge(sum);
  for (const auto& [severity, sum] : o.severity_time) severity_time[severity].Merge(sum);
  owner_survey_sum += o.owner_survey_sum;
  owner_surveys += o.owner_surveys;
  q_sum += o.q_sum;
  a_sum += o.a_sum;
  s_sum += o.s_sum;
  resolver_surveys += o.resolver_surveys;
  training += o.training;
  training_sessions += o.training_sessions;
  inputs.Merge(o.inputs);
}

void AddToDays(ReviewDays& days, const std::string& member, const Fact* facts, size_t n) {
  if (n == 0) return;
  MemberDays& m = days.by_member[member];
  ReviewTotals& day = m.days[DayOf(facts[0].at)];
  for (size_t i = 0; i < n; ++i) {
    const Fact& f = facts[i];
    day.Add(f);
    if (f.kind != FactKind::kQualified && f.kind != FactKind::kResolved) continue;
    OutcomeFact o{f.at, f.position, f.kind, f.ref};
    const auto before = [](const OutcomeFact& a, const OutcomeFact& b) {
      return a.at != b.at ? a.at < b.at : a.position < b.position;
    };
    // Usually the end; a backfilled event's outcome goes back in time order.
    m.outcomes.insert(std::upper_bound(m.outcomes.begin(), m.outcomes.end(), o, before), std::move(o));
  }
}

ReviewDays SumDays(const ReviewFacts& facts) {
  ReviewDays out;
  for (const auto& [member, all] : facts.by_member) {
    // Facts of one event are adjacent (same time, same position).
    size_t begin = 0;
    while (begin < all.size()) {
      size_t end = begin + 1;
      while (end < all.size() && all[end].position == all[begin].position) ++end;
      AddToDays(out, member, all.data() + begin, end - begin);
      begin = end;
    }
  }
  return out;
}

}  // namespace salesops::projections
