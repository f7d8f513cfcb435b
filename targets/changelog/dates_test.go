package changelog

import (
	"testing"
	"time"
)

func TestLearnDateStyle(t *testing.T) {
	day := time.Date(2026, 9, 5, 0, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		samples []string
		want    string
	}{
		"nothing to copy":             {samples: []string{"Changelog"}, want: "2026-09-05"},
		"iso":                         {samples: []string{"(2024-12-19)"}, want: "2026-09-05"},
		"slashes":                     {samples: []string{"2024/12/19"}, want: "2026/09/05"},
		"unpadded iso":                {samples: []string{"2024-3-5"}, want: "2026-9-5"},
		"european dots":               {samples: []string{"19.12.2024"}, want: "05.09.2026"},
		"month first when day > 12":   {samples: []string{"12/19/2024"}, want: "09/05/2026"},
		"month name":                  {samples: []string{"December 19, 2024"}, want: "September 5, 2026"},
		"month name padded elsewhere": {samples: []string{"December 19, 2024", "March 05, 2024"}, want: "September 05, 2026"},
		"abbreviation":                {samples: []string{"Dec 19, 2024"}, want: "Sep 5, 2026"},
		"abbreviation with a dot":     {samples: []string{"Dec. 19, 2024"}, want: "Sep. 5, 2026"},
		"sept":                        {samples: []string{"Sept 19, 2024"}, want: "Sept 5, 2026"},
		"day first":                   {samples: []string{"19 December 2024"}, want: "5 September 2026"},
		"day first padded":            {samples: []string{"03 December 2024"}, want: "05 September 2026"},
		"day first abbreviated":       {samples: []string{"19 Dec 2024"}, want: "5 Sep 2026"},
		"ordinal":                     {samples: []string{"on July 4th 2018, codename Fafnir"}, want: "September 5th 2026"},
		"may settled by another date": {samples: []string{"May 2, 2024", "Dec 19, 2023"}, want: "Sep 5, 2026"},
		"may alone is a month name":   {samples: []string{"May 2, 2024"}, want: "September 5, 2026"},
		"newest first":                {samples: []string{"19 Dec 2024", "2023-01-01"}, want: "5 Sep 2026"},
		"not a date":                  {samples: []string{"2024-13-45"}, want: "2026-09-05"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			if got := learnDateStyle(tc.samples).format(day); got != tc.want {
				t.Errorf("learnDateStyle(%q) writes %q, want %q", tc.samples, got, tc.want)
			}
		})
	}
}

func TestOrdinal(t *testing.T) {
	for d, want := range map[int]string{1: "st", 2: "nd", 3: "rd", 4: "th", 11: "th", 12: "th", 13: "th", 21: "st", 22: "nd", 23: "rd", 31: "st"} {
		if got := ordinal(d); got != want {
			t.Errorf("ordinal(%d) = %q, want %q", d, got, want)
		}
	}
}
