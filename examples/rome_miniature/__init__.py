"""rome_miniature: an RL agent that learns forbidden shortcuts without
rewardguard, and does not learn them with it. See README.md here."""
