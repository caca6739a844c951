// ViewsState: everything the Views service answers from, folded from the log
// by one pure function. The live Views projection, an as_of replay and (later)
// a snapshot all hold one, so the same query functions (pipeline.h,
// workload.h) answer each of them.
#ifndef SALESOPS_PROJECTIONS_VIEWS_STATE_H_
#define SALESOPS_PROJECTIONS_VIEWS_STATE_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "salesops/v1/events.pb.h"
#include "salesops/v1/leads.pb.h"
#include "projections/lead_views.h"
#include "projections/review_facts.h"
#include "projections/review_totals.h"
#include "projections/view_index.h"
#include "server/domain/state.h"

namespace salesops::projections {

struct ViewsState {
  ViewsState() = default;
  ViewsState(ViewsState&&) = default;
  ViewsState& operator=(ViewsState&&) = default;
  // A copy re-derives its indexes (IndexViews): theirs point into the fold
  // they index (IdRef), so copied ones would point into the original.
  ViewsState(const ViewsState& other);
  ViewsState& operator=(const ViewsState& other);

  uint64_t position = 0;                    // the last event folded in
  absl::Time log_time = absl::InfinitePast();  // its recorded_at
  // The deciders' own fold (domain::Evolve): team, aggregates and the load
  // hand-offs compare, so a workload view cannot disagree with them. Each
  // lead is held once: its LeadState here also carries the details
  // Leads.GetLead shows (LeadDirectory::Evolve), which the deciders' own
  // state does not.
  domain::State core;
  // What performance reviews are computed from (review_facts.h).
  ReviewFacts facts;
  // The same facts summed per member and UTC day (review_totals.h), kept by
  // EvolveViews, rebuilt from `facts` when a snapshot is loaded.
  ReviewDays days;
  // Derived from the above, kept current by EvolveViews (view_index.h).
  ViewIndexes index;
};

// Folds one committed event (pure).
void EvolveViews(ViewsState& state, const v1::EventEnvelope& envelope);

// Builds state.index from the rest of the fold (a fold loaded from a
// snapshot).
void IndexViews(ViewsState& state);

// A copy of the fold's deciders' state without the views' lead details:
// what the sequencer decides against after a snapshot is loaded.
domain::State DecidersState(const domain::State& core);

}  // namespace salesops::projections

#endif  // SALESOPS_PROJECTIONS_VIEWS_STATE_H_
