// Host-side preparation of token events, shared by the CPU and CUDA paths:
// validation of rows and positions, then a stable counting sort by row.
#ifndef REWARDGUARD_SHAPING_INTERNAL_ROW_INDEX_H_
#define REWARDGUARD_SHAPING_INTERNAL_ROW_INDEX_H_

#include <cstdint>

namespace rewardguard::shaping::internal {

// Validates every event (0 <= rows[e] < num_rows, -1 <= positions[e] <
// num_tokens; rows == nullptr means rows[e] = e, with num_events == num_rows)
// and raises c10::Error naming the first bad one. Then writes, events grouped
// by row in their original order: offsets[num_rows + 1] (events of row b are
// [offsets[b], offsets[b+1])), sorted_positions[num_events] and
// sorted_costs[num_events * num_categories].
void BuildRowIndex(int64_t num_rows, int64_t num_tokens, int64_t num_events,
                   int64_t num_categories, const int64_t* rows,
                   const int64_t* positions, const float* costs,
                   int64_t* offsets, int64_t* sorted_positions,
                   float* sorted_costs);

}  // namespace rewardguard::shaping::internal

#endif  // REWARDGUARD_SHAPING_INTERNAL_ROW_INDEX_H_
