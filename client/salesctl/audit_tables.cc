#include "audit_tables.h"

#include "absl/strings/str_cat.h"
#include "enum_names.h"
#include "table.h"
#include "time_text.h"

namespace salesctl {
namespace {

using ::salesops::v1::Stage;
using ::salesops::v1::Stage_descriptor;

std::string OccurredAt(const google::protobuf::Timestamp* occurred_at,
                       const google::protobuf::Timestamp* recorded_at) {
  if (occurred_at != nullptr) return FormatTimestamp(*occurred_at, true);
  if (recorded_at != nullptr) return FormatTimestamp(*recorded_at, true);
  return "";
}

std::string StageChange(Stage from, Stage to) {
  if (from == salesops::v1::STAGE_UNSPECIFIED && to == salesops::v1::STAGE_UNSPECIFIED) {
    return "";
  }
  const std::string to_name = EnumShortNameOf(*Stage_descriptor(), to);
  if (from == salesops::v1::STAGE_UNSPECIFIED) {
    return absl::StrCat("\u2192 ", to_name);  // a new lead
  }
  return absl::StrCat(EnumShortNameOf(*Stage_descriptor(), from), " \u2192 ", to_name);
}

}  // namespace

std::string RenderLeadHistory(const salesops::v1::GetLeadHistoryResponse& response) {
  Table table({{"POS", Align::kRight},
               {"VER", Align::kRight},
               {"OCCURRED"},
               {"ACTOR"},
               {"ACTION"},
               {"STAGE"},
               {"DETAILS", Align::kLeft, kMaxDetailsWidth}});
  for (const salesops::v1::HistoryEntry& entry : response.entries()) {
    table.AddRow({
        absl::StrCat(entry.position()),
        absl::StrCat(entry.version()),
        OccurredAt(entry.has_occurred_at() ? &entry.occurred_at() : nullptr,
                   entry.has_recorded_at() ? &entry.recorded_at() : nullptr),
        entry.actor(),
        entry.action(),
        StageChange(entry.from_stage(), entry.to_stage()),
        entry.details(),
    });
  }
  std::string out;
  if (!response.lead_id().empty()) {
    absl::StrAppend(&out, "lead: ", response.lead_id(), "\n");
  }
  absl::StrAppend(&out, table.Render());
  if (response.next_version() != 0) {
    absl::StrAppend(&out, "next_version: ", response.next_version(), "\n");
  }
  return out;
}

std::string RenderLogPage(const salesops::v1::ReadLogResponse& response) {
  Table table(
      {{"POS", Align::kRight}, {"STREAM"}, {"VER", Align::kRight}, {"TYPE"}, {"OCCURRED"}, {"ACTOR"}});
  for (const salesops::v1::EventEnvelope& event : response.events()) {
    table.AddRow({
        absl::StrCat(event.position()),
        event.stream_id(),
        absl::StrCat(event.stream_version()),
        event.event_type(),
        OccurredAt(event.has_occurred_at() ? &event.occurred_at() : nullptr,
                   event.has_recorded_at() ? &event.recorded_at() : nullptr),
        event.actor(),
    });
  }
  return absl::StrCat(table.Render(), "next_position: ", response.next_position(),
                      "  head_position: ", response.head_position(), "\n");
}

std::string RenderStageChanges(const salesops::v1::ListStageChangesResponse& response) {
  Table table({{"POS", Align::kRight},
               {"RECORDED"},
               {"LEAD"},
               {"ACTOR"},
               {"ROLE"},
               {"STAGE"},
               {"OVERRIDE", Align::kLeft, kMaxDetailsWidth},
               {"HAND-OFF", Align::kLeft, kMaxDetailsWidth}});
  for (const salesops::v1::StageChange& change : response.changes()) {
    std::string hand_off;
    if (change.has_hand_off()) {
      hand_off = absl::StrCat(change.handed_to().empty() ? "(queue)" : change.handed_to(), ": ",
                              change.hand_off().rule());
    }
    table.AddRow({
        absl::StrCat(change.position()),
        change.has_recorded_at() ? FormatTimestamp(change.recorded_at(), true) : "",
        change.lead_id(),
        change.actor(),
        EnumShortNameOf(*salesops::v1::Role_descriptor(), change.actor_role()),
        StageChange(change.from_stage(), change.to_stage()),
        change.override_reason(),
        hand_off,
    });
  }
  std::string out = table.Render();
  if (!response.next_page_token().empty()) {
    absl::StrAppend(&out, "next_page_token: ", response.next_page_token(), "\n");
  }
  return out;
}

}  // namespace salesctl
