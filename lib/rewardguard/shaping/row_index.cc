#include "rewardguard/shaping/internal/row_index.h"

#include <c10/util/Exception.h>

#include <algorithm>

namespace rewardguard::shaping::internal {

void BuildRowIndex(int64_t num_rows, int64_t num_tokens, int64_t num_events,
                   const int64_t* rows, const int64_t* positions,
                   int64_t* offsets, int64_t* order) {
  std::fill(offsets, offsets + num_rows + 1, int64_t{0});
  for (int64_t e = 0; e < num_events; ++e) {
    const int64_t row = rows != nullptr ? rows[e] : e;
    TORCH_CHECK(row >= 0 && row < num_rows, "shape_tokens: rows[", e, "] = ",
                row, " is out of range for ", num_rows, " rows");
    const int64_t position = positions[e];
    TORCH_CHECK(position >= -1 && position < num_tokens,
                "shape_tokens: positions[", e, "] = ", position,
                " is out of range for ", num_tokens,
                " tokens (valid: 0..T-1, or -1 for the last valid token)");
    ++offsets[row + 1];
  }
  for (int64_t b = 0; b < num_rows; ++b) offsets[b + 1] += offsets[b];
  // offsets[b] doubles as the insertion cursor of row b, then is restored.
  for (int64_t e = 0; e < num_events; ++e) {
    const int64_t row = rows != nullptr ? rows[e] : e;
    order[offsets[row]++] = e;
  }
  for (int64_t b = num_rows; b > 0; --b) offsets[b] = offsets[b - 1];
  offsets[0] = 0;
}

}  // namespace rewardguard::shaping::internal
