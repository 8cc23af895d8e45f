"""The leadership dashboard: every figure from the areas' QuerySets, each linking to its list."""
