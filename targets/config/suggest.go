package config

import "strings"

// closest returns the index of the name most like key, or -1 when none is
// close enough to be a plausible typo. Underscores count as dashes because
// Python users often write version_scheme.
func closest(key string, names []string) int {
	key = strings.ReplaceAll(strings.ToLower(key), "_", "-")
	best, bestDist := -1, 0
	for i, n := range names {
		d := distance(key, n)
		if best < 0 || d < bestDist {
			best, bestDist = i, d
		}
	}
	// Allow about one edit per three characters, at least two.
	if best < 0 || bestDist > max(2, len(key)/3) {
		return -1
	}
	return best
}

// distance is the Levenshtein edit distance between a and b, in bytes:
// keys are ASCII.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
