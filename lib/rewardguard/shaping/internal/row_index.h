// Host-side preparation of token events, shared by the CPU and CUDA paths:
// validation of rows and positions, then a stable counting sort by row.
#ifndef REWARDGUARD_SHAPING_INTERNAL_ROW_INDEX_H_
#define REWARDGUARD_SHAPING_INTERNAL_ROW_INDEX_H_

#include <cstdint>

namespace rewardguard::shaping::internal {

// Validates every event (0 <= rows[e] < num_rows, -1 <= positions[e] <
// num_tokens; rows == nullptr means rows[e] = e, with num_events == num_rows)
// and raises c10::Error naming the first bad one. Then groups events by row,
// keeping their original order within a row: order[offsets[b] ..
// offsets[b+1]) are the indices of row b's events (offsets has num_rows + 1
// entries, order num_events).
void BuildRowIndex(int64_t num_rows, int64_t num_tokens, int64_t num_events,
                   const int64_t* rows, const int64_t* positions,
                   int64_t* offsets, int64_t* order);

}  // namespace rewardguard::shaping::internal

#endif  // REWARDGUARD_SHAPING_INTERNAL_ROW_INDEX_H_
